// Identity resolution: which customer do these identities name? Nobody yet → a new customer; one
// customer → that one; several → they are one person, merged into the oldest. Identities not seen
// before are attached to the answer. The unique (kind, namespace, value) index is the truth, so
// concurrent resolutions of the same new identity end on one customer.
import type { z } from "zod";
import type { Db } from "../../db/database.ts";
import { inTransaction, lockCustomers } from "../../db/transaction.ts";
import type { Customer, Prisma } from "../../generated/prisma/client.ts";
import type { ScoringPolicy } from "../../scoring/scoring-policy.ts";
import { findLiveCustomer } from "../customers/find-customer.ts";
import { mergeCustomers } from "../customers/merge-customers.ts";
import { ConflictError, NotFoundError, parseInput } from "../errors.ts";
import type { customerReferenceSchema } from "./identity-input.ts";
import {
  describeIdentity,
  type IdentityInput,
  identityKey,
  identityListSchema,
  type NormalizedIdentity,
} from "./identity-input.ts";

export interface ResolveCustomerOptions {
  /** The connector or API client reporting these identities; stored on identities it adds. */
  source?: string;
  /** The principal on whose behalf merges happen (CustomerMerge.mergedById). */
  actorId?: string;
  /** When the record carried these identities (an interaction's time); defaults to now. */
  seenAt?: Date;
  /** The scoring policy a merge rescores the survivor with. */
  policy?: ScoringPolicy;
}

export interface ResolveCustomerResult {
  customer: Customer;
  /** True when no customer had any of the identities and a new one was made. */
  created: boolean;
  /** Customers folded into `customer` because the identities showed them to be one person. */
  mergedCustomerIds: string[];
}

/** Each attempt either settles or sees a concurrent change and starts over; a few always suffice. */
const MAX_ATTEMPTS = 5;

/** Finds, creates or merges the customer named by `identities` (normalized here, so raw input is fine). */
export async function resolveCustomer(
  db: Db,
  identities: IdentityInput[],
  options: ResolveCustomerOptions = {},
): Promise<ResolveCustomerResult> {
  const parsed = parseInput(identityListSchema, identities, "The identities");
  // Sorted and de-duplicated so that concurrent inserts take index locks in one order (no deadlocks).
  const unique = [...new Map(parsed.map((identity) => [identityKey(identity), identity])).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, identity]) => identity);
  return inTransaction(db, async (tx) => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // Each attempt runs in a savepoint. One that lost a race is rolled back whole, which releases
      // the identities it inserted and the rows it locked: otherwise it would go on holding a new
      // identity's index entry while waiting for a customer lock held by a resolution that waits for
      // that very entry (a deadlock PostgreSQL then breaks by failing one of them).
      await tx.$executeRaw`SAVEPOINT resolve_customer`;
      const settled = await attemptResolve(tx, unique, options, []);
      if (settled) {
        await tx.$executeRaw`RELEASE SAVEPOINT resolve_customer`;
        return settled;
      }
      await tx.$executeRaw`ROLLBACK TO SAVEPOINT resolve_customer`;
    }
    throw new ConflictError(
      `The customer of ${unique.map(describeIdentity).join(", ")} kept changing during resolution (concurrent writes): retry the call.`,
    );
  });
}

/** One pass; null when a concurrent writer got in between and the pass must be redone. */
async function attemptResolve(
  tx: Prisma.TransactionClient,
  identities: NormalizedIdentity[],
  options: ResolveCustomerOptions,
  mergedCustomerIds: string[],
): Promise<ResolveCustomerResult | null> {
  const seenAt = options.seenAt ?? new Date();
  const known = await tx.identity.findMany({
    where: { OR: identities.map(({ kind, namespace, value }) => ({ kind, namespace, value })) },
    select: { id: true, kind: true, namespace: true, value: true, customerId: true },
  });

  if (known.length === 0) {
    const customer = await tx.customer.create({ data: {} });
    const inserted = await attach(tx, customer.id, identities, options.source, seenAt);
    if (inserted === identities.length) return { customer, created: true, mergedCustomerIds };
    // Another resolution claimed one of them first (ON CONFLICT DO NOTHING waited for it to commit):
    // this attempt is rolled back, our customer with it, and we resolve again against what it wrote.
    return null;
  }

  // Be defensive: an identity should always name a live customer, but follow merges if it does not.
  const liveByOwner = new Map<string, string>();
  for (const ownerId of new Set(known.map((identity) => identity.customerId))) {
    const live = await findLiveCustomer(tx, ownerId);
    if (!live) return null; // Deleted since we read it.
    liveByOwner.set(ownerId, live.id);
  }
  const liveIds = [...new Set(liveByOwner.values())];
  await lockCustomers(tx, liveIds);
  // Re-read under the lock: a merge that committed meanwhile shows here, and we start over.
  const customers = await tx.customer.findMany({
    where: { id: { in: liveIds } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  if (customers.length !== liveIds.length || customers.some((customer) => customer.mergedIntoId)) return null;

  const [survivor, ...others] = customers as [Customer, ...Customer[]];
  for (const other of others) {
    const shared = known.find((identity) => liveByOwner.get(identity.customerId) === other.id);
    await mergeCustomers(
      tx,
      {
        survivorId: survivor.id,
        mergedId: other.id,
        reason: `identity resolution: ${shared ? describeIdentity(shared) : "an identity"} is shared`,
      },
      { principalId: options.actorId },
      { policy: options.policy },
    );
    mergedCustomerIds.push(other.id);
  }

  // Merges moved the identities of live customers; this repairs any that still named a merged one.
  const strays = known
    .filter((identity) => liveByOwner.get(identity.customerId) !== identity.customerId)
    .map((identity) => identity.id);
  if (strays.length > 0) {
    await tx.identity.updateMany({ where: { id: { in: strays } }, data: { customerId: survivor.id } });
  }
  const knownKeys = new Set(known.map(identityKey));
  const missing = identities.filter((identity) => !knownKeys.has(identityKey(identity)));
  if ((await attach(tx, survivor.id, missing, options.source, seenAt)) !== missing.length) return null;
  // Only forward, so that replaying an old record changes nothing.
  await tx.identity.updateMany({
    where: { id: { in: known.map((identity) => identity.id) }, lastSeenAt: { lt: seenAt } },
    data: { lastSeenAt: seenAt },
  });
  const customer = await tx.customer.findUniqueOrThrow({ where: { id: survivor.id } });
  return { customer, created: false, mergedCustomerIds };
}

/** Inserts the identities the unique index lets through; returns how many it inserted. */
async function attach(
  tx: Prisma.TransactionClient,
  customerId: string,
  identities: NormalizedIdentity[],
  source: string | undefined,
  seenAt: Date,
): Promise<number> {
  if (identities.length === 0) return 0;
  const { count } = await tx.identity.createMany({
    data: identities.map(({ kind, namespace, value }) => ({
      customerId,
      kind,
      namespace,
      value,
      source: source ?? null,
      lastSeenAt: seenAt,
    })),
    // ON CONFLICT DO NOTHING: losing a race does not abort the caller's transaction.
    skipDuplicates: true,
  });
  return count;
}

/**
 * The live customer a record names, found, created or merged, and marked as seen at `seenAt`
 * (firstSeenAt only moves back, lastSeenAt only forward, so replays change nothing).
 */
export async function resolveCustomerReference(
  tx: Prisma.TransactionClient,
  reference: z.output<typeof customerReferenceSchema>,
  options: { source: string; seenAt: Date; policy?: ScoringPolicy },
): Promise<string> {
  const customerId =
    reference.id !== undefined
      ? await lockLiveCustomer(tx, reference.id)
      : (await resolveCustomer(tx, reference.identities ?? [], options)).customer.id;
  // Conditional updates are atomic per row, so concurrent records keep the true min and max.
  const { seenAt } = options;
  await tx.customer.updateMany({
    where: { id: customerId, OR: [{ firstSeenAt: null }, { firstSeenAt: { gt: seenAt } }] },
    data: { firstSeenAt: seenAt },
  });
  await tx.customer.updateMany({
    where: { id: customerId, OR: [{ lastSeenAt: null }, { lastSeenAt: { lt: seenAt } }] },
    data: { lastSeenAt: seenAt },
  });
  return customerId;
}

/** Follows `id` to its live customer and locks it, so that no merge moves it before the record lands. */
async function lockLiveCustomer(tx: Prisma.TransactionClient, id: string): Promise<string> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const customer = await findLiveCustomer(tx, id);
    if (!customer) {
      throw new NotFoundError(
        `No customer has the id ${id}: check the id, or name the customer by identities.`,
        "Customer",
        id,
      );
    }
    await lockCustomers(tx, [customer.id]);
    const locked = await tx.customer.findUnique({
      where: { id: customer.id },
      select: { mergedIntoId: true },
    });
    if (locked && !locked.mergedIntoId) return customer.id;
  }
  throw new ConflictError(
    `Customer ${id} kept being merged while a record was attached to it: retry the call.`,
  );
}
