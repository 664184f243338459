// The mark a sync batch leaves instead of rescoring the customers it touched: a CustomerRescoreDue
// row each, written in the batch's transaction. rescore-due-customers.ts takes them and rescores.
import { transactionSql } from "../db/transaction-sql.ts";
import type { Prisma } from "../generated/prisma/client.ts";

/** Marks customers due for rescoring, in the caller's transaction (one statement, whatever their number). */
export async function markRescoreDue(
  tx: Prisma.TransactionClient,
  customerIds: string[],
  now: Date,
): Promise<void> {
  if (customerIds.length === 0) return;
  // In one key order, so that two batches marking overlapping customers take the rows in one order.
  const sorted = [...new Set(customerIds)].sort();
  await transactionSql(tx).execute(
    `INSERT INTO "CustomerRescoreDue" ("customerId", "dueSince")
     SELECT id, $2::timestamptz FROM unnest($1::uuid[]) AS t(id)
     ON CONFLICT ("customerId") DO NOTHING`,
    [sorted, now.toISOString()],
  );
}
