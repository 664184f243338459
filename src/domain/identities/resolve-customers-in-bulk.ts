// Identity resolution for a batch of records at once: the same answers resolveCustomer gives one record
// at a time, in a handful of statements instead of several per record. Records that share an identity,
// or name the same known customer, form a group; a group whose identities name nobody yet gets one new
// customer, a group that names exactly one live customer gets that one, and a group that names several
// (they are one person and must be merged) is left to the one-record path, which merges and records
// why. New identities are attached to their group's customer.
//
// A concurrent writer can slip in between the read and the writes (attach an identity, merge a
// customer): that is detected, never papered over, and reported as a BatchRaceError, so that the
// caller redoes the batch through the one-record path, which waits for and re-reads such changes.
import { v7 as uuidv7 } from "uuid";
import { lockCustomers } from "../../db/transaction.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { BatchRaceError } from "../errors.ts";
import { identityKey, type NormalizedIdentity } from "./identity-input.ts";

/** The customer one record names: its normalized identities, and when it carried them. */
export interface CustomerClaim {
  identities: NormalizedIdentity[];
  /** The lastSeenAt of the identities this claim attaches. */
  seenAt: Date;
  /** When the customer was seen, for a fact (its time); null for a profile. A new customer starts with these. */
  factAt: Date | null;
}

export interface ClaimResolution {
  /** The live customer the claim names; null when its group needs a merge (the one-record path). */
  customerId: string | null;
  /** This claim is the first of a group with no customer yet: the customer was created for it. */
  created: boolean;
  /** Every identity of the claim was on its customer before the claim (earlier claims included). */
  identitiesKnown: boolean;
}

export interface BulkResolution {
  claims: ClaimResolution[];
  /** The stored identity ids by identityKey, for the identities of resolved claims. */
  identityIds: Map<string, string>;
  /** The identities attached now, with the lastSeenAt they were stored with. */
  attachedSeenAt: Map<string, Date>;
  /** Customers created now, already carrying their first and last seen times from the claims' facts. */
  createdCustomerIds: Set<string>;
}

interface KnownIdentity {
  id: string;
  kind: string;
  namespace: string;
  value: string;
  customerId: string;
  mergedIntoId: string | null;
}

/**
 * Resolves every claim in the caller's transaction, creating customers and attaching identities; the
 * customers it returns are locked until the transaction ends, so no merge moves them meanwhile.
 */
export async function resolveCustomersInBulk(
  tx: Prisma.TransactionClient,
  claims: CustomerClaim[],
  { source }: { source: string },
): Promise<BulkResolution> {
  const identityByKey = new Map<string, NormalizedIdentity>();
  for (const claim of claims)
    for (const identity of claim.identities) identityByKey.set(identityKey(identity), identity);
  const known = await findKnownIdentities(tx, [...identityByKey.values()]);
  const knownByKey = new Map(known.map((row) => [identityKey(row as NormalizedIdentity), row]));

  const groups = groupClaims(claims, knownByKey);
  const resolutions: ClaimResolution[] = claims.map(() => ({
    customerId: null,
    created: false,
    identitiesKnown: false,
  }));
  const identityIds = new Map<string, string>();
  const existingCustomers = new Set<string>();
  const newCustomers: Array<{ id: string; firstSeenAt: Date | null; lastSeenAt: Date | null }> = [];
  const toAttach: Array<{ id: string; customerId: string; identity: NormalizedIdentity; seenAt: Date }> = [];

  for (const members of groups) {
    const rows = members.flatMap((index) =>
      (claims[index] as CustomerClaim).identities.flatMap((identity) => {
        const row = knownByKey.get(identityKey(identity));
        return row ? [row] : [];
      }),
    );
    const owners = new Set(rows.map((row) => row.customerId));
    // Several customers (or an identity still naming a merged one): a merge, for the one-record path.
    if (owners.size > 1 || rows.some((row) => row.mergedIntoId !== null)) continue;
    const existing = owners.size === 1 ? ([...owners][0] as string) : null;
    const customerId = existing ?? uuidv7();
    if (existing) existingCustomers.add(existing);
    else
      newCustomers.push({
        id: customerId,
        ...seenWindow(members.map((index) => claims[index] as CustomerClaim)),
      });
    const attached = new Set(rows.map((row) => identityKey(row as NormalizedIdentity)));
    for (const row of rows) identityIds.set(identityKey(row as NormalizedIdentity), row.id);
    for (const [position, index] of members.entries()) {
      const claim = claims[index] as CustomerClaim;
      let identitiesKnown = true;
      for (const identity of claim.identities) {
        const key = identityKey(identity);
        if (attached.has(key)) continue;
        identitiesKnown = false;
        attached.add(key);
        const id = uuidv7();
        identityIds.set(key, id);
        toAttach.push({ id, customerId, identity, seenAt: claim.seenAt });
      }
      resolutions[index] = { customerId, created: !existing && position === 0, identitiesKnown };
    }
  }

  await lockExistingCustomers(tx, [...existingCustomers]);
  await createCustomers(tx, newCustomers);
  await attachIdentities(tx, toAttach, source);
  return {
    claims: resolutions,
    identityIds,
    attachedSeenAt: new Map(toAttach.map((row) => [row.id, row.seenAt])),
    createdCustomerIds: new Set(newCustomers.map((customer) => customer.id)),
  };
}

/** The earliest and latest fact of a new customer's claims, as resolveCustomerReference would have set them. */
function seenWindow(claims: CustomerClaim[]): { firstSeenAt: Date | null; lastSeenAt: Date | null } {
  let firstSeenAt: Date | null = null;
  let lastSeenAt: Date | null = null;
  for (const { factAt } of claims) {
    if (!factAt) continue;
    if (!firstSeenAt || factAt < firstSeenAt) firstSeenAt = factAt;
    if (!lastSeenAt || factAt > lastSeenAt) lastSeenAt = factAt;
  }
  return { firstSeenAt, lastSeenAt };
}

async function findKnownIdentities(
  tx: Prisma.TransactionClient,
  identities: NormalizedIdentity[],
): Promise<KnownIdentity[]> {
  if (identities.length === 0) return [];
  return tx.$queryRaw<KnownIdentity[]>`
    SELECT i."id", i."kind"::text AS "kind", i."namespace", i."value", i."customerId", c."mergedIntoId"
      FROM unnest(${identities.map((i) => i.kind)}::text[], ${identities.map((i) => i.namespace)}::text[],
                  ${identities.map((i) => i.value)}::text[]) AS q("kind", "namespace", "value")
      JOIN "Identity" i ON i."kind" = q."kind"::"IdentityKind" AND i."namespace" = q."namespace"
                       AND i."value" = q."value"
      JOIN "Customer" c ON c."id" = i."customerId"`;
}

/**
 * Groups of claims that must name one customer: claims sharing an identity, and claims whose known
 * identities belong to the same customer (union-find). Each group lists its claims in batch order.
 */
function groupClaims(claims: CustomerClaim[], knownByKey: Map<string, KnownIdentity>): number[][] {
  const parent = claims.map((_claim, index) => index);
  const find = (index: number): number => {
    let root = index;
    while (parent[root] !== root) root = parent[root] as number;
    parent[index] = root;
    return root;
  };
  const union = (a: number, b: number) => {
    const [rootA, rootB] = [find(a), find(b)];
    if (rootA !== rootB) parent[Math.max(rootA, rootB)] = Math.min(rootA, rootB);
  };
  const firstClaimOf = new Map<string, number>();
  const join = (key: string, index: number) => {
    const first = firstClaimOf.get(key);
    if (first === undefined) firstClaimOf.set(key, index);
    else union(first, index);
  };
  for (const [index, claim] of claims.entries()) {
    for (const identity of claim.identities) {
      const key = identityKey(identity);
      join(`identity\u0000${key}`, index);
      const row = knownByKey.get(key);
      if (row) join(`customer\u0000${row.mergedIntoId ?? row.customerId}`, index);
    }
  }
  const groups = new Map<number, number[]>();
  for (const index of claims.keys()) {
    const root = find(index);
    const members = groups.get(root);
    if (members) members.push(index);
    else groups.set(root, [index]);
  }
  return [...groups.values()];
}

/** Locks the customers the batch writes to, and checks that none was merged away since it was read. */
async function lockExistingCustomers(tx: Prisma.TransactionClient, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await lockCustomers(tx, ids);
  const live = await tx.customer.count({ where: { id: { in: ids }, mergedIntoId: null } });
  if (live !== ids.length) {
    throw new BatchRaceError("A customer named by the batch was merged or erased while it was resolved.");
  }
}

async function createCustomers(
  tx: Prisma.TransactionClient,
  customers: Array<{ id: string; firstSeenAt: Date | null; lastSeenAt: Date | null }>,
): Promise<void> {
  if (customers.length === 0) return;
  const at = (value: Date | null) => value?.toISOString() ?? null;
  await tx.$executeRaw`
    INSERT INTO "Customer" ("id", "firstSeenAt", "lastSeenAt", "updatedAt")
    SELECT id, first, last, now()
      FROM unnest(${customers.map((c) => c.id)}::uuid[], ${customers.map((c) => at(c.firstSeenAt))}::timestamptz[],
                  ${customers.map((c) => at(c.lastSeenAt))}::timestamptz[]) AS t(id, first, last)`;
}

async function attachIdentities(
  tx: Prisma.TransactionClient,
  rows: Array<{ id: string; customerId: string; identity: NormalizedIdentity; seenAt: Date }>,
  source: string,
): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(pick: (row: (typeof rows)[number]) => T) => rows.map(pick);
  // ON CONFLICT DO NOTHING: an identity a concurrent writer attached first is not an error here, but
  // it means the batch's picture is stale, which the count below reveals.
  const inserted = await tx.$executeRaw(Prisma.sql`
    INSERT INTO "Identity" ("id", "customerId", "kind", "namespace", "value", "source", "lastSeenAt")
    SELECT id, "customerId", kind::"IdentityKind", namespace, value, ${source}, "lastSeenAt"
      FROM unnest(${column((r) => r.id)}::uuid[], ${column((r) => r.customerId)}::uuid[],
                  ${column((r) => r.identity.kind)}::text[], ${column((r) => r.identity.namespace)}::text[],
                  ${column((r) => r.identity.value)}::text[],
                  ${column((r) => r.seenAt.toISOString())}::timestamptz[])
           AS t(id, "customerId", kind, namespace, value, "lastSeenAt")
    ON CONFLICT ("kind", "namespace", "value") DO NOTHING`);
  if (inserted !== rows.length) {
    throw new BatchRaceError(
      `${rows.length - inserted} identit${rows.length - inserted === 1 ? "y was" : "ies were"} attached by a concurrent writer while the batch was resolved.`,
    );
  }
}
