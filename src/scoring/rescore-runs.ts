// Finished scheduled rescore runs, and as of when a stored score holds. A run scores every live
// customer as of one instant but writes only the scores that moved (unchanged-scores.ts); the run's
// row says that every other score was found to agree, as of that instant. So a score holds as of the
// later of its own computedAt and the last finished run's instant.
import type { Db } from "../db/database.ts";

/** Records that a run scored every live customer as of `asOf` (once: a retried run records nothing new). */
export async function recordFinishedRescore(
  db: Db,
  run: { key: string; asOf: Date; slices: number },
): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "RescoreRun" ("id", "asOf", "slices") VALUES (${run.key}, ${run.asOf}::timestamptz, ${run.slices})
    ON CONFLICT ("id") DO NOTHING`;
}

/** The instant of the last finished run as of `now` (a run of a later instant is not known yet), or null. */
export async function lastRescoreAsOf(db: Db, now: Date): Promise<Date | null> {
  const [row] = await db.$queryRaw<{ asOf: Date | null }[]>`
    SELECT max("asOf") AS "asOf" FROM "RescoreRun" WHERE "asOf" <= ${now}::timestamptz`;
  return row?.asOf ?? null;
}

/** As of when a score holds: its computedAt, or a later finished run's instant, which found it unchanged. */
export function scoreHoldsAsOf(computedAt: Date, lastRun: Date | null): Date {
  return lastRun && lastRun.getTime() > computedAt.getTime() ? lastRun : computedAt;
}
