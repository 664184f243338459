// A deletion record: the provider no longer has an interaction, a survey answer or a customer.
// Interactions and answers are deleted by (source, externalId), so a connector only ever deletes
// what it reported itself; a deleted customer is erased (anonymised, see privacy/erase-customers.ts),
// since the facts other connectors reported about them stay true.
import type { Prisma } from "../../generated/prisma/client.ts";
import type { DeletionRecord } from "../../sdk/records.ts";
import { eraseCustomers } from "../privacy/erase-customers.ts";
import { findCustomersByIdentities } from "../privacy/find-customers.ts";

export interface DeletionOutcome {
  outcome: "deleted" | "unchanged";
  /** Customers whose facts changed, to rescore. */
  customerIds: string[];
}

export async function applyDeletion(
  tx: Prisma.TransactionClient,
  source: string,
  record: DeletionRecord,
): Promise<DeletionOutcome> {
  if (record.entity === "customer") {
    const customerIds = await findCustomersByIdentities(tx, record.identities ?? []);
    if (customerIds.length === 0) return { outcome: "unchanged", customerIds };
    await eraseCustomers(tx, { customerIds });
    return { outcome: "deleted", customerIds };
  }
  const where = { source_externalId: { source, externalId: record.externalId as string } };
  // deleteMany by the unique pair: nothing to delete is not an error (a repeat, or never synced).
  const existing =
    record.entity === "interaction"
      ? await tx.interaction.findUnique({ where, select: { id: true, customerId: true } })
      : await tx.feedback.findUnique({ where, select: { id: true, customerId: true } });
  if (!existing) return { outcome: "unchanged", customerIds: [] };
  if (record.entity === "interaction") await tx.interaction.delete({ where: { id: existing.id } });
  else await tx.feedback.delete({ where: { id: existing.id } });
  return { outcome: "deleted", customerIds: [existing.customerId] };
}
