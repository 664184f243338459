// How many rows of a table this transaction read and has not reported yet (PostgreSQL's per-transaction
// statistics): the difference across a statement is the statement's own, its triggers' and foreign key
// checks' included. For tests that hold a statement to reading the rows it names, not the table.
import type { Prisma } from "../../src/generated/prisma/client.ts";

export async function rowsRead(tx: Prisma.TransactionClient, table: string): Promise<number> {
  const [row] = await tx.$queryRawUnsafe<Array<{ rows: number }>>(
    `SELECT (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::int AS rows
       FROM pg_stat_xact_user_tables WHERE relname = $1`,
    table,
  );
  return row?.rows ?? 0;
}
