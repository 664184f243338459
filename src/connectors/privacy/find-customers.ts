// The customers a provider's identities name, looked up only: an erasure or an export of someone the
// hub does not know must not create them, and two customers sharing the identities must not be merged
// by a request to forget them.
import type { Db } from "../../db/database.ts";
import { findLiveCustomer } from "../../domain/customers/find-customer.ts";
import type { Identity } from "../../sdk/records.ts";
import { toDomainIdentities } from "../ingest/to-domain.ts";

/** The live customers owning any of these (normalized) identities, in id order; none when unknown. */
export async function findCustomersByIdentities(db: Db, identities: Identity[]): Promise<string[]> {
  if (identities.length === 0) return [];
  const owners = await db.identity.findMany({
    where: {
      OR: toDomainIdentities(identities).map(({ kind, namespace, value }) => ({ kind, namespace, value })),
    },
    select: { customerId: true },
  });
  const live = new Set<string>();
  for (const customerId of new Set(owners.map((owner) => owner.customerId))) {
    const customer = await findLiveCustomer(db, customerId);
    if (customer) live.add(customer.id);
  }
  return [...live].sort();
}
