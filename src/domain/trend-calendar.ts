// The calendar of a trend: buckets of a day, an ISO week or a month in a time zone, from the bucket
// holding `from` to the one holding the instant before `to`, so that a chart's x-axis has no holes.
// Shared by every trend (survey measures, response speed): built in SQL with generate_series over
// local time, capped so that an absurd range is refused before it costs anything.
import { z } from "zod";
import type { Db } from "../db/database.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { ValidationError } from "./errors.ts";

/** More buckets than this is a chart no one can read and a query no one should wait for. */
export const MAX_TREND_BUCKETS = 1000;

export const BUCKETS = {
  DAY: { unit: "day", step: "1 day" },
  WEEK: { unit: "week", step: "1 week" },
  MONTH: { unit: "month", step: "1 month" },
} as const;
export type TrendBucket = keyof typeof BUCKETS;

/**
 * An IANA time zone name, returned in its canonical spelling ("europe/paris" → "Europe/Paris").
 * Offsets such as "+05:00" are refused on purpose: PostgreSQL reads them as POSIX zones, with the
 * sign inverted, which would shift every bucket the wrong way.
 */
export const timeZoneSchema = z.string().transform((value, context) => {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: value.trim() }).resolvedOptions().timeZone;
  } catch {
    context.addIssue({
      code: "custom",
      message: `"${value}" is not a known IANA time zone; use a name such as "UTC", "Europe/Paris" or "America/New_York"`,
    });
    return z.NEVER;
  }
});

export interface TrendWindow {
  from: Date;
  /** Exclusive. */
  to: Date;
  bucket: TrendBucket;
  /** A canonical IANA name (timeZoneSchema). */
  timeZone: string;
}

/**
 * The `bounds` common table expression: the local start of the first bucket and the local end.
 * The calendar is built in local time (timestamp without time zone) so that a day stays a calendar
 * day across daylight-saving changes; each local start is turned back into an instant by the caller.
 * Dates travel as ISO strings with their "Z": a bare Date is sent without a zone by the driver
 * adapters and would be read in the session's time zone.
 */
export function calendarBoundsSql(window: TrendWindow): Prisma.Sql {
  const { unit } = BUCKETS[window.bucket];
  return Prisma.sql`
    bounds AS (
      SELECT date_trunc(${unit}, ${window.from.toISOString()}::timestamptz AT TIME ZONE ${window.timeZone}) AS first_local,
             ${window.to.toISOString()}::timestamptz AT TIME ZONE ${window.timeZone} AS stop_local
    )`;
}

/** Refuses a window of more than MAX_TREND_BUCKETS buckets, counting first with the series capped. */
export async function assertTrendSize(db: Db, window: TrendWindow): Promise<void> {
  const { step } = BUCKETS[window.bucket];
  const [counted] = await withTimeZoneErrors(
    window.timeZone,
    db.$queryRaw<Array<{ buckets: number }>>`
      WITH ${calendarBoundsSql(window)}
      SELECT count(*)::int AS buckets
        FROM bounds,
             generate_series(first_local,
                             LEAST(stop_local, first_local + ${step}::interval * ${MAX_TREND_BUCKETS + 1}),
                             ${step}::interval) AS local_start
       WHERE local_start < stop_local`,
  );
  if ((counted?.buckets ?? 0) > MAX_TREND_BUCKETS) {
    throw new ValidationError(
      `The range from ${window.from.toISOString()} to ${window.to.toISOString()} holds more than ${MAX_TREND_BUCKETS} ${window.bucket} buckets; widen the bucket (DAY → WEEK → MONTH) or narrow the range.`,
      [{ path: ["bucket"], message: `more than ${MAX_TREND_BUCKETS} buckets` }],
    );
  }
}

/** The first instant of every bucket of the window, in order (checked against the size limit). */
export async function trendBucketStarts(db: Db, window: TrendWindow): Promise<Date[]> {
  await assertTrendSize(db, window);
  const { step } = BUCKETS[window.bucket];
  const rows = await db.$queryRaw<Array<{ start: Date }>>`
    WITH ${calendarBoundsSql(window)}
    SELECT local_start AT TIME ZONE ${window.timeZone} AS start
      FROM bounds, generate_series(first_local, stop_local, ${step}::interval) AS local_start
     WHERE local_start < stop_local
     ORDER BY local_start`;
  return rows.map((row) => row.start);
}

/**
 * Intl and PostgreSQL ship their own copies of the time zone database; in the rare case that a name
 * Intl knows is missing from the server's, the caller gets the same ValidationError as for a typo.
 */
export async function withTimeZoneErrors<T>(timeZone: string, query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (error) {
    if (error instanceof Error && /time zone .* not recognized/i.test(error.message)) {
      throw new ValidationError(
        `The database does not know the time zone "${timeZone}"; use another IANA name for the same place, or "UTC".`,
        [{ path: ["timeZone"], message: "unknown to the database" }],
      );
    }
    throw error;
  }
}
