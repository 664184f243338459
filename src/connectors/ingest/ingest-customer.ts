// A customer record: resolve the customer its identities name and apply its profile fields. A record
// that would change nothing (every identity already on one live customer, every field as stored) is
// recognised first and writes nothing, so a re-sync leaves customers untouched.

import { jsonEqual } from "../../domain/customers/merge-customers.ts";
import { upsertCustomer } from "../../domain/customers/upsert-customer.ts";
import type { Customer, Prisma } from "../../generated/prisma/client.ts";
import type { ScoringPolicy } from "../../scoring/scoring-policy.ts";
import type { CustomerRecord } from "../../sdk/records.ts";
import { type RecordOrigin, toCustomerInput, toDomainIdentities } from "../../sdk/to-domain.ts";

export interface CustomerOutcome {
  outcome: "created" | "updated" | "unchanged";
  customerIds: string[];
}

export async function ingestCustomer(
  tx: Prisma.TransactionClient,
  origin: RecordOrigin,
  record: CustomerRecord,
  policy: ScoringPolicy,
): Promise<CustomerOutcome> {
  if (await isUnchanged(tx, record)) return { outcome: "unchanged", customerIds: [] };
  const result = await upsertCustomer(tx, toCustomerInput(record, origin), undefined, {
    policy,
    rescore: false,
  });
  return { outcome: result.created ? "created" : "updated", customerIds: [result.customer.id] };
}

async function isUnchanged(tx: Prisma.TransactionClient, record: CustomerRecord): Promise<boolean> {
  // De-duplicated: a record may list the same identity twice.
  const identities = [
    ...new Map(
      toDomainIdentities(record.identities).map((i) => [`${i.kind}\u0000${i.namespace}\u0000${i.value}`, i]),
    ).values(),
  ];
  const known = await tx.identity.findMany({
    where: { OR: identities.map(({ kind, namespace, value }) => ({ kind, namespace, value })) },
    select: { customerId: true },
  });
  const owners = new Set(known.map((identity) => identity.customerId));
  if (known.length !== identities.length || owners.size !== 1) return false;
  const customer = await tx.customer.findUnique({ where: { id: [...owners][0] as string } });
  return customer !== null && customer.mergedIntoId === null && sameProfile(customer, record);
}

function sameProfile(customer: Customer, record: CustomerRecord): boolean {
  const traits =
    customer.traits !== null && typeof customer.traits === "object" && !Array.isArray(customer.traits)
      ? customer.traits
      : {};
  return (
    (record.displayName === undefined || record.displayName === customer.displayName) &&
    (record.lifecycleStage === undefined ||
      record.lifecycleStage.toUpperCase() === customer.lifecycleStage) &&
    Object.entries(record.traits ?? {}).every(([key, value]) => jsonEqual(traits[key] ?? null, value))
  );
}
