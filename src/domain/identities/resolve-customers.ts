// Identity resolution: which customer does each record name? Records are resolved in order, as if one
// after the other, with a handful of statements for the whole run instead of several per record:
// - identities nobody has yet → a new customer (records that share a new identity share it too);
// - identities (or an id) naming one live customer → that customer, with the new identities attached;
// - identities naming several customers → they are one person: merged into the oldest, and recorded.
// A merge changes what later records resolve to, so a run stops before a record that needs one; the
// caller stores what was resolved and resolves the rest again, starting with the merge. That is what
// keeps a batch and the same records one at a time identical, down to which customers exist.
//
// A profile record that is an older version of its source's profile than the customer it names already
// holds is resolved lookup-only: it names that customer and changes nothing, so it attaches no identity,
// creates no customer and merges nobody. Otherwise a replayed customers/update carrying an email the
// customer has since given up would attach it again, or merge the customer with whoever holds it now.
//
// The unique (kind, namespace, value) index is the arbiter between concurrent writers. Anything a
// concurrent writer changed after our read (an identity attached, a customer merged) is detected and
// reported as a LostRaceError; the write pipeline then redoes its unit of work, which reads it anew.
import { PREPARED } from "../../db/prepared-statements.ts";
import { lockCustomers } from "../../db/transaction.ts";
import { transactionSql } from "../../db/transaction-sql.ts";
import { uuidv7 } from "../../db/uuid-v7.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { asProfileVersions } from "../customers/customer-profiles.ts";
import { findLiveCustomerIds, lockLiveCustomerById } from "../customers/find-customer.ts";
import { mergeCustomers } from "../customers/merge-customers.ts";
import { LostRaceError, NotFoundError } from "../errors.ts";
import { inKeyOrderBy } from "../key-order.ts";
import { isStaleVersion, keptVersion } from "../source-version.ts";
import { describeIdentity, type NormalizedIdentity } from "./identity-input.ts";

/** The customer one record names, and when it carried the identities. */
export interface CustomerClaim {
  /** The customer by id (a merged id names its survivor); identities are then empty. */
  customerId?: string;
  /** The record's identities, normalized and distinct. */
  identities: NormalizedIdentity[];
  /**
   * identityKey of each of `identities`, in their order: built once per record by the caller, not at
   * every lookup (resolution and the seen times looked each identity up about ten times, building its
   * key each time).
   */
  keys: string[];
  /** Who reports the record: stored on the identities it attaches. */
  source: string | null;
  /**
   * When the customer was seen, for a fact (its time); null for a profile, which is seen now. A new
   * customer starts with these, and the identities the claim attaches are stored as seen then.
   */
  factAt: Date | null;
  /**
   * A profile's version at its source (the provider's updated_at): when a customer the claim names
   * holds a later version from that source, the claim is stale and resolved lookup-only.
   */
  version?: { source: string; at: Date };
}

export interface ClaimResolution {
  /** The live customer the claim names. */
  customerId: string;
  /** This claim is the first of the customer, which was created for it. */
  created: boolean;
  /** Every identity of the claim was on its customer before the claim (earlier claims included). */
  identitiesKnown: boolean;
  /** Customers merged into `customerId` because this claim's identities showed them to be one. */
  mergedCustomerIds: string[];
  /** The claim is an older version than `customerId` holds: it was looked up, nothing was written. */
  stale: boolean;
}

export interface Resolution {
  /** The resolutions of the first `claims.length` claims (at least one); resolve the rest again. */
  claims: ClaimResolution[];
  /** The stored identity ids by identityKey, for the identities of the resolved claims. */
  identityIds: Map<string, string>;
  /** Identities attached now, by id, with the lastSeenAt they were stored with. */
  attachedSeenAt: Map<string, Date>;
  /** Customers created now, already carrying their first and last seen times from the claims' facts. */
  createdCustomerIds: Set<string>;
}

export interface ResolveOptions {
  /** The principal on whose behalf merges happen (CustomerMerge.mergedById). */
  actorId?: string;
  /** When merges happen (Customer.mergedAt). */
  now: Date;
}

interface KnownIdentity {
  id: string;
  key: string;
  /** The customer the row names: a merged one only if the row was left behind by a merge. */
  customerId: string;
  /** The live customer it stands for. */
  liveId: string;
}

interface Attachment {
  id: string;
  customerId: string;
  identity: NormalizedIdentity;
  /** identityKey(identity). */
  key: string;
  source: string | null;
  seenAt: Date;
}

/**
 * Resolves a prefix of `claims` in the caller's transaction (all of them unless a later one needs a
 * merge), creating customers, merging them and attaching identities. The customers it returns stay
 * locked until the transaction ends, so no merge moves them before the caller's facts land.
 */
export async function resolveCustomers(
  tx: Prisma.TransactionClient,
  claims: CustomerClaim[],
  options: ResolveOptions,
): Promise<Resolution> {
  const byId = await resolveOneCustomerById(tx, claims);
  if (byId) return byId;
  const known = await findKnownIdentities(tx, claims);
  const liveById = await followCustomerIds(tx, claims);
  const versions = await readVersions(tx, claims, known, liveById);
  const ownersOfIdentities = (keys: string[], assigned: Map<string, string>): string[] => {
    const owners: string[] = [];
    for (const key of keys) {
      const owner = known.get(key)?.liveId ?? assigned.get(key);
      if (owner && !owners.includes(owner)) owners.push(owner);
    }
    return owners;
  };
  const ownersOf = (claim: CustomerClaim, assigned: Map<string, string>): string[] =>
    claim.customerId ? [liveById.get(claim.customerId) as string] : ownersOfIdentities(claim.keys, assigned);
  /**
   * The customer holding a later version of the claim's profile from its source, if any: the
   * customer it names by id, or the owner of its account identities (the provider's own id for the
   * person). Emails and phones change hands, so with account identities only their owners count;
   * without any, the claim is stale only when every owner holding a version from the source holds
   * a later one.
   */
  const newerOwnerOf = (claim: CustomerClaim, assigned: Map<string, string>): string | undefined => {
    if (!claim.version) return undefined;
    if (claim.customerId) return versions.newerOf(claim, ownersOf(claim, assigned));
    const accounts = claim.keys.filter((_, index) => ACCOUNT_KINDS.has(claim.identities[index]?.kind ?? ""));
    if (accounts.length > 0) return versions.newerOf(claim, ownersOfIdentities(accounts, assigned));
    return versions.newerOfAll(claim, ownersOf(claim, assigned));
  };

  const first = claims[0];
  if (!first) return emptyResolution();
  const firstOwners = ownersOf(first, new Map());
  if (firstOwners.length > 1 && !newerOwnerOf(first, new Map())) {
    return resolveByMerge(tx, first, firstOwners, known, options);
  }

  // In memory first, as one record after another would: new identities take the customer of the
  // claim that brings them, and a claim whose identities name two customers ends the prefix.
  const assigned = new Map<string, string>();
  const resolved: ClaimResolution[] = [];
  const existing = new Set<string>();
  const created = new Map<string, CustomerClaim[]>();
  const attachments: Attachment[] = [];
  for (const claim of claims) {
    const owners = ownersOf(claim, assigned);
    const newer = newerOwnerOf(claim, assigned);
    if (newer) {
      // A customer created earlier in this run is not stored yet: only stored ones are locked.
      if (!created.has(newer)) existing.add(newer);
      resolved.push({
        customerId: newer,
        created: false,
        identitiesKnown: true,
        mergedCustomerIds: [],
        stale: true,
      });
      continue;
    }
    if (owners.length > 1) break;
    const owner = owners[0];
    const customerId = owner ?? uuidv7();
    versions.note(claim, customerId);
    if (!owner) created.set(customerId, []);
    if (created.has(customerId)) created.get(customerId)?.push(claim);
    else existing.add(customerId);
    let identitiesKnown = true;
    for (const [index, identity] of claim.identities.entries()) {
      const key = claim.keys[index] as string;
      if (known.has(key) || assigned.has(key)) continue;
      identitiesKnown = false;
      assigned.set(key, customerId);
      attachments.push({
        id: uuidv7(),
        customerId,
        identity,
        key,
        source: claim.source,
        seenAt: seenAt(claim, options),
      });
    }
    resolved.push({ customerId, created: !owner, identitiesKnown, mergedCustomerIds: [], stale: false });
  }

  const used = resolvedIdentities(
    claims.slice(0, resolved.length).filter((_, index) => !resolved[index]?.stale),
    known,
  );
  await lockLiveCustomers(tx, [...existing]);
  // The identities read before the locks are checked in the statement that stores the new ones: it
  // is the first one after the locks, so it reads what any writer that held them committed.
  await storeNewCustomersAndIdentities(tx, created, attachments, used);
  await repointStrays(tx, used);
  return {
    claims: resolved,
    identityIds: new Map([
      ...used.map((row) => [row.key, row.id] as const),
      ...attachments.map((row) => [row.key, row.id] as const),
    ]),
    attachedSeenAt: new Map(attachments.map((row) => [row.id, row.seenAt])),
    createdCustomerIds: new Set(created.keys()),
  };
}

/**
 * Claims that all name one live customer by id, with no identities and no profile version (a
 * mutation's record for a customer named by ID): the customer is locked as it is found, in one
 * statement, and is the resolution of every claim. The long way read it, then locked it. Null, with
 * nothing locked, for any other claims (the long way resolves them, and any error it finds).
 */
async function resolveOneCustomerById(
  tx: Prisma.TransactionClient,
  claims: CustomerClaim[],
): Promise<Resolution | null> {
  const id = claims[0]?.customerId;
  if (
    id === undefined ||
    claims.some((claim) => claim.customerId !== id || claim.identities.length > 0 || claim.version)
  ) {
    return null;
  }
  if (!(await lockLiveCustomerById(tx, id))) return null;
  return {
    claims: claims.map(() => ({
      customerId: id,
      created: false,
      identitiesKnown: true,
      mergedCustomerIds: [],
      stale: false,
    })),
    identityIds: new Map(),
    attachedSeenAt: new Map(),
    createdCustomerIds: new Set(),
  };
}

/** The first claim names several customers: merge them into the oldest, then attach what is new. */
async function resolveByMerge(
  tx: Prisma.TransactionClient,
  claim: CustomerClaim,
  owners: string[],
  known: Map<string, KnownIdentity>,
  { actorId, now }: ResolveOptions,
): Promise<Resolution> {
  await lockCustomers(tx, owners);
  const customers = await tx.customer.findMany({
    where: { id: { in: owners } },
    select: { id: true, mergedIntoId: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  if (customers.length !== owners.length || customers.some((customer) => customer.mergedIntoId)) {
    throw new LostRaceError("A customer to merge was merged or erased by a concurrent writer.");
  }
  const [survivor, ...others] = customers.map((customer) => customer.id) as [string, ...string[]];
  const used = resolvedIdentities([claim], known);
  await assertIdentitiesUnchanged(tx, used);
  for (const mergedId of others) {
    const shared = used.find((row) => row.liveId === mergedId);
    const identity = shared ? claim.identities[claim.keys.indexOf(shared.key)] : undefined;
    await mergeCustomers(
      tx,
      {
        survivorId: survivor,
        mergedId,
        reason: `identity resolution: ${identity ? describeIdentity(identity) : "an identity"} is shared`,
      },
      { principalId: actorId, now },
    );
  }
  // The merges moved the merged customers' identities; rows left behind by older merges move now.
  await repointStrays(
    tx,
    used.map((row) => ({ ...row, liveId: survivor })),
  );
  const attachments = claim.identities
    .map((identity, index) => ({ identity, key: claim.keys[index] as string }))
    .filter(({ key }) => !known.has(key))
    .map(({ identity, key }) => ({
      id: uuidv7(),
      customerId: survivor,
      identity,
      key,
      source: claim.source,
      seenAt: seenAt(claim, { now }),
    }));
  // The identities it read were checked under the locks before the merges: nothing more to check.
  await storeNewCustomersAndIdentities(tx, new Map(), attachments, []);
  return {
    claims: [
      {
        customerId: survivor,
        created: false,
        identitiesKnown: false,
        mergedCustomerIds: others,
        stale: false,
      },
    ],
    identityIds: new Map([
      ...used.map((row) => [row.key, row.id] as const),
      ...attachments.map((row) => [row.key, row.id] as const),
    ]),
    attachedSeenAt: new Map(attachments.map((row) => [row.id, row.seenAt])),
    createdCustomerIds: new Set(),
  };
}

/**
 * The stored profile versions of the customers versioned claims may name, and those the run's earlier
 * claims bring (a run resolves as if one record after another: the second of two copies sees the first).
 */
interface RunVersions {
  /** The first of `owners` holding a later version from the claim's source than the claim. */
  newerOf(claim: CustomerClaim, owners: string[]): string | undefined;
  /** The first of `owners`, when every one of them holding a version from the source holds a later one. */
  newerOfAll(claim: CustomerClaim, owners: string[]): string | undefined;
  /** The claim, not stale, lands on `customerId`: later claims of the run compare against it. */
  note(claim: CustomerClaim, customerId: string): void;
}

/** Identities a provider issues for one person (an account), as opposed to contacts that change hands. */
const ACCOUNT_KINDS: ReadonlySet<string> = new Set(["SHOP_CUSTOMER_ID", "EXTERNAL_ID", "SOCIAL_HANDLE"]);

async function readVersions(
  tx: Prisma.TransactionClient,
  claims: CustomerClaim[],
  known: Map<string, KnownIdentity>,
  liveById: Map<string, string>,
): Promise<RunVersions> {
  /** Customer and source → the latest version held, stored or brought by an earlier claim of the run. */
  const latest = new Map<string, Date>();
  const keyOf = (customerId: string, source: string) => `${customerId}\u0000${source}`;
  const raise = (key: string, at: Date) => {
    latest.set(key, keptVersion(latest.get(key) ?? null, at) as Date);
  };
  if (claims.some((claim) => claim.version)) {
    const candidates = new Set([...liveById.values(), ...[...known.values()].map((row) => row.liveId)]);
    const rows =
      candidates.size === 0
        ? []
        : await tx.customer.findMany({
            where: { id: { in: [...candidates] } },
            select: { id: true, profileVersions: true },
          });
    for (const row of rows) {
      for (const [source, at] of Object.entries(asProfileVersions(row.profileVersions))) {
        raise(keyOf(row.id, source), new Date(at));
      }
    }
  }
  const isNewer = (claim: CustomerClaim, owner: string) =>
    claim.version !== undefined &&
    isStaleVersion(latest.get(keyOf(owner, claim.version.source)) ?? null, claim.version.at);
  return {
    newerOf: (claim, owners) => owners.find((owner) => isNewer(claim, owner)),
    newerOfAll(claim, owners) {
      const source = claim.version?.source;
      const versioned = owners.filter((owner) => source !== undefined && latest.has(keyOf(owner, source)));
      return versioned.length > 0 && versioned.every((owner) => isNewer(claim, owner))
        ? versioned[0]
        : undefined;
    },
    note(claim, customerId) {
      if (claim.version) raise(keyOf(customerId, claim.version.source), claim.version.at);
    },
  };
}

/** When a claim saw its identities: its fact's time, or now for a profile. */
function seenAt(claim: CustomerClaim, { now }: { now: Date }): Date {
  return claim.factAt ?? now;
}

function emptyResolution(): Resolution {
  return { claims: [], identityIds: new Map(), attachedSeenAt: new Map(), createdCustomerIds: new Set() };
}

/** The stored identities of these claims. */
function resolvedIdentities(claims: CustomerClaim[], known: Map<string, KnownIdentity>): KnownIdentity[] {
  const rows = new Map<string, KnownIdentity>();
  for (const claim of claims) {
    for (const key of claim.keys) {
      const row = known.get(key);
      if (row) rows.set(row.key, row);
    }
  }
  return [...rows.values()];
}

async function findKnownIdentities(
  tx: Prisma.TransactionClient,
  claims: CustomerClaim[],
): Promise<Map<string, KnownIdentity>> {
  const distinct = new Map<string, NormalizedIdentity>();
  for (const claim of claims) {
    for (const [index, key] of claim.keys.entries()) {
      if (!distinct.has(key)) distinct.set(key, claim.identities[index] as NormalizedIdentity);
    }
  }
  if (distinct.size === 0) return new Map();
  const keys = [...distinct.keys()];
  const identities = [...distinct.values()];
  const rows = await transactionSql(tx).query<{
    n: number;
    id: string;
    customerId: string;
    liveId: string;
  }>(
    // Each row names its identity by its place in the arrays (WITH ORDINALITY), whose key is known.
    `SELECT q.n::int AS n, i."id", i."customerId", coalesce(c."mergedIntoId", c."id") AS "liveId"
       FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS q("kind", "namespace", "value", n)
       -- One probe of the unique (kind, namespace, value) index per identity. As a plain join, PostgreSQL
       -- hashed every stored identity for each batch, so a batch cost what the table holds.
       CROSS JOIN LATERAL (
         SELECT "id", "customerId" FROM "Identity"
          WHERE "kind" = q."kind"::"IdentityKind" AND "namespace" = q."namespace" AND "value" = q."value"
          LIMIT 1) i
       CROSS JOIN LATERAL (SELECT "id", "mergedIntoId" FROM "Customer" WHERE "id" = i."customerId" LIMIT 1) c`,
    [identities.map((i) => i.kind), identities.map((i) => i.namespace), identities.map((i) => i.value)],
  );
  return new Map(
    rows.map((row) => {
      const key = keys[row.n - 1] as string;
      return [key, { id: row.id, key, customerId: row.customerId, liveId: row.liveId }];
    }),
  );
}

/** The live customer of every id the claims name (merges re-point, so there is at most one hop). */
async function followCustomerIds(
  tx: Prisma.TransactionClient,
  claims: CustomerClaim[],
): Promise<Map<string, string>> {
  const ids = [...new Set(claims.flatMap((claim) => (claim.customerId ? [claim.customerId] : [])))];
  const live = await findLiveCustomerIds(tx, ids);
  const unknown = ids.find((id) => !live.has(id));
  if (unknown !== undefined) {
    throw new NotFoundError(
      `No customer has the id ${unknown}: check the id, or name the customer by identities.`,
      "Customer",
      unknown,
    );
  }
  return live;
}

/**
 * Locks the customers the run writes to, and checks that none was merged away since it was read: one
 * statement, in id order like lockCustomers (so that overlapping writers cannot deadlock). Prepared,
 * like the check below and markSeen (mark-seen.ts): planned with its values, a batch's 500 ids of
 * 23,000 customers read the whole table; the generic plan probes the primary key.
 */
async function lockLiveCustomers(tx: Prisma.TransactionClient, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)].sort();
  if (unique.length === 0) return;
  const rows = await transactionSql(tx).query<{ live: boolean }>(
    `${PREPARED}
     SELECT "mergedIntoId" IS NULL AS live FROM "Customer" WHERE "id" = ANY($1::uuid[])
      ORDER BY "id" FOR UPDATE`,
    [unique],
  );
  if (rows.length !== unique.length || rows.some((row) => !row.live)) {
    throw new LostRaceError("A customer named by the records was merged or erased while they were resolved.");
  }
}

/**
 * Under the customers' locks, the identities read before them still name the customers they named.
 * An erasure deletes a customer's identities and leaves the customer row, so the liveness check alone
 * would let a record attach new identities and facts to an erased customer and re-identify them.
 */
async function assertIdentitiesUnchanged(tx: Prisma.TransactionClient, rows: KnownIdentity[]): Promise<void> {
  if (rows.length === 0) return;
  const [{ unchanged }] = (await transactionSql(tx).query<{ unchanged: number }>(
    `${PREPARED}
     SELECT count(*)::int AS unchanged
       FROM unnest($1::uuid[], $2::uuid[]) AS v(id, owner)
       JOIN "Identity" i ON i."id" = v.id AND i."customerId" = v.owner
      -- Read through the primary key, not by hashing or scanning the table (see mark-seen.ts).
      WHERE i."id" = ANY($1::uuid[])`,
    [rows.map((row) => row.id), rows.map((row) => row.customerId)],
  )) as [{ unchanged: number }];
  if (unchanged !== rows.length) throw identitiesChanged();
}

const identitiesChanged = () =>
  new LostRaceError(
    "An identity named by the records was erased or moved by a concurrent writer while they were resolved.",
  );

/**
 * New customers, with the earliest and latest fact of their claims as first and last seen, and the
 * identities attached now (to them or to customers already stored), in one statement; the same
 * statement checks, under the customers' locks, that the `used` identities read before them still
 * name the customers they named (assertIdentitiesUnchanged, without a round trip of its own).
 */
async function storeNewCustomersAndIdentities(
  tx: Prisma.TransactionClient,
  customers: Map<string, CustomerClaim[]>,
  attachments: Attachment[],
  used: KnownIdentity[],
): Promise<void> {
  if (customers.size === 0 && attachments.length === 0) {
    await assertIdentitiesUnchanged(tx, used);
    return;
  }
  const newCustomers = [...customers.entries()].map(([id, claims]) => {
    let first: number | undefined;
    let last: number | undefined;
    for (const claim of claims) {
      const time = claim.factAt?.getTime();
      if (time === undefined) continue;
      if (first === undefined || time < first) first = time;
      if (last === undefined || time > last) last = time;
    }
    const at = (time: number | undefined) => (time === undefined ? null : new Date(time).toISOString());
    return { id, first: at(first), last: at(last) };
  });
  // In one key order, so that concurrent writers take the index entries in the same order.
  const sorted = inKeyOrderBy(attachments, (row) => row.key);
  const column = <T>(pick: (row: Attachment) => T) => sorted.map(pick);
  // ON CONFLICT DO NOTHING: an identity a concurrent writer attached first is not an error here, but
  // it means our picture is stale, which the count below reveals. The identities' foreign keys are
  // checked at the statement's end, when the customers beside them are stored. The check reads the
  // statement's snapshot, taken after the locks: the rows inserted beside it are not among those it
  // counts (they are new ids).
  const [{ attached, unchanged }] = (await transactionSql(tx).query<{ attached: number; unchanged: number }>(
    `WITH customers AS (
       INSERT INTO "Customer" ("id", "firstSeenAt", "lastSeenAt", "updatedAt")
       SELECT id, first, last, now()
         FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS t(id, first, last)
     ), attached AS (
       INSERT INTO "Identity" ("id", "customerId", "kind", "namespace", "value", "source", "lastSeenAt")
       SELECT id, "customerId", kind::"IdentityKind", namespace, value, source, "lastSeenAt"
         FROM unnest($4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
              AS t(id, "customerId", kind, namespace, value, source, "lastSeenAt")
       ON CONFLICT ("kind", "namespace", "value") DO NOTHING
       RETURNING 1
     )
     SELECT (SELECT count(*)::int FROM attached) AS attached,
            -- One probe of the primary key per identity, whatever the values (see assertIdentitiesUnchanged).
            (SELECT count(*)::int FROM unnest($11::uuid[], $12::uuid[]) AS v(id, owner)
              CROSS JOIN LATERAL (
                SELECT 1 FROM "Identity" i WHERE i."id" = v.id AND i."customerId" = v.owner LIMIT 1) i
            ) AS unchanged`,
    [
      newCustomers.map((row) => row.id),
      newCustomers.map((row) => row.first),
      newCustomers.map((row) => row.last),
      column((r) => r.id),
      column((r) => r.customerId),
      column((r) => r.identity.kind),
      column((r) => r.identity.namespace),
      column((r) => r.identity.value),
      column((r) => r.source),
      column((r) => r.seenAt.toISOString()),
      used.map((row) => row.id),
      used.map((row) => row.customerId),
    ],
  )) as [{ attached: number; unchanged: number }];
  if (unchanged !== used.length) throw identitiesChanged();
  if (attached !== attachments.length) {
    const lost = attachments.length - attached;
    throw new LostRaceError(
      `${lost} identit${lost === 1 ? "y was" : "ies were"} attached by a concurrent writer during resolution.`,
    );
  }
}

/** Identities still naming a merged customer (left by a merge that missed them) now name the survivor. */
async function repointStrays(tx: Prisma.TransactionClient, rows: KnownIdentity[]): Promise<void> {
  const strays = rows.filter((row) => row.customerId !== row.liveId);
  if (strays.length === 0) return;
  await transactionSql(tx).execute(
    `UPDATE "Identity" i SET "customerId" = v.live
       FROM unnest($1::uuid[], $2::uuid[]) AS v(id, live)
      WHERE i."id" = v.id AND i."id" = ANY($1::uuid[])`,
    [strays.map((row) => row.id), strays.map((row) => row.liveId)],
  );
}
