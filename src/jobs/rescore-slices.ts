// A scheduled run cut into slices: keyset ranges of live customers in (owner, id) order, about
// `sliceSize` each, so that an owner's customers fall in few slices (and so few alert digests and
// few publications per owner). A slice is one job and one transaction: its customers are read, scored
// as of the run's time and their alerts decided, all in the transaction (rescoreWithAlerts), so a
// slice that fails leaves nothing written and its retry starts clean.
import type { AlertMode } from "../alerts/alert-policy.ts";
import type { Db } from "../db/database.ts";
import { inTransaction } from "../db/transaction.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { rescoreWithAlerts } from "../pipeline/rescore-with-alerts.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import { ExpectationMemo } from "../scoring/models/bg-nbd.ts";

/** Customers without an owner sort first, under the nil uuid (the index on this key says the same). */
export const NO_OWNER = "00000000-0000-0000-0000-000000000000";

/** A position in (owner, id) order; `owner` is NO_OWNER for customers without one. */
export interface SliceKey {
  owner: string;
  id: string;
}

/** [from, to): null is open (the first slice starts before everyone, the last ends after everyone). */
export interface SliceRange {
  from: SliceKey | null;
  to: SliceKey | null;
}

/**
 * What the alert policy does with a slice's score changes. "decide": alerts on crossings, as any
 * rescore. "rebaseline": after a refit, the alert state moves to the new model's level without
 * raising alerts (a new model is not news about a customer).
 */
export type SliceAlerts = AlertMode;

/**
 * The slices of a run over the live customers as they are now. A customer created later still falls
 * in a range (the first and last are open), so a run misses no one who was live when its slice ran.
 */
export async function planSlices(db: Db, sliceSize: number): Promise<SliceRange[]> {
  const starts = await db.$queryRaw<{ owner: string; id: string }[]>`
    SELECT owner::text, id::text FROM (
      SELECT COALESCE("ownerId", ${NO_OWNER}::uuid) AS owner, "id",
             row_number() OVER (ORDER BY COALESCE("ownerId", ${NO_OWNER}::uuid), "id") AS n
        FROM "Customer" WHERE "mergedIntoId" IS NULL) c
     WHERE (n - 1) % ${sliceSize} = 0
     ORDER BY n`;
  return starts.map((_, index) => ({
    from: index === 0 ? null : (starts[index] ?? null),
    to: starts[index + 1] ?? null,
  }));
}

/** The live customers in a slice's range, as they are now. */
export async function sliceCustomerIds(db: Db, range: SliceRange): Promise<string[]> {
  const key = Prisma.sql`(COALESCE("ownerId", ${NO_OWNER}::uuid), "id")`;
  const bounds = [
    range.from ? Prisma.sql`${key} >= (${range.from.owner}::uuid, ${range.from.id}::uuid)` : null,
    range.to ? Prisma.sql`${key} < (${range.to.owner}::uuid, ${range.to.id}::uuid)` : null,
  ].filter((bound): bound is Prisma.Sql => bound !== null);
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT "id"::text FROM "Customer"
     WHERE "mergedIntoId" IS NULL ${bounds.length ? Prisma.sql`AND ${Prisma.join(bounds, " AND ")}` : Prisma.empty}`;
  return rows.map((row) => row.id);
}

/**
 * The BG/NBD expectations this process's slices have computed: customers of every slice share the
 * same few (x, T), which a memo per slice computed again for each (the values are the same numbers).
 */
const sliceExpectations = new ExpectationMemo();

export interface SliceResult {
  rescored: number;
  /** The customers the slice raised alerts for (published once its transaction committed). */
  alertedCustomerIds: string[];
}

/**
 * Rescores a slice's customers as of `asOf` in one transaction. `failAfterScoring` is for tests: it
 * throws after the scores were written, inside the transaction, as a crash would.
 */
export async function rescoreSlice(
  db: Db,
  options: {
    policy: ScoringPolicy;
    range: SliceRange;
    asOf: Date;
    alerts: SliceAlerts;
    failAfterScoring?: () => void;
  },
): Promise<SliceResult> {
  return inTransaction(db, async (tx) => {
    const customerIds = await sliceCustomerIds(tx, options.range);
    if (customerIds.length === 0) return { rescored: 0, alertedCustomerIds: [] };
    const result = await rescoreWithAlerts(tx, {
      policy: options.policy,
      customerIds,
      asOf: options.asOf,
      alerts: options.alerts,
      // Only the scores that moved are written; the run records its instant when every slice is done.
      skipUnchanged: true,
      // Only the counts and the alerts are reported: each batch's changes are let go once decided.
      keepChanges: false,
      memo: sliceExpectations,
    });
    options.failAfterScoring?.();
    return { rescored: result.rescored, alertedCustomerIds: result.alerts.map((alert) => alert.customerId) };
  });
}
