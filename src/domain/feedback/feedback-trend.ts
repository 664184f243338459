// One survey measure over time: a score per day, week or month in the caller's time zone, with
// empty periods present (0 responses, null score) so a chart's x-axis has no holes. Computed in SQL
// with date_trunc in the time zone and generate_series for the calendar.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { FeedbackKind } from "../../generated/prisma/enums.ts";
import { parseInput, ValidationError } from "../errors.ts";
import { assertWindow, feedbackFilterSchema, feedbackPredicate } from "./feedback-metrics.ts";

/** More buckets than this is a chart no one can read and a query no one should wait for. */
export const MAX_TREND_BUCKETS = 1000;

const BUCKETS = {
  DAY: { unit: "day", step: "1 day" },
  WEEK: { unit: "week", step: "1 week" },
  MONTH: { unit: "month", step: "1 month" },
} as const;

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

export const feedbackTrendSchema = feedbackFilterSchema.extend({
  kind: z.enum(FeedbackKind),
  bucket: z.enum(["DAY", "WEEK", "MONTH"]),
  from: z.date(),
  /** Exclusive. */
  to: z.date(),
  timeZone: timeZoneSchema.default("UTC"),
});
export type FeedbackTrendInput = z.input<typeof feedbackTrendSchema>;

export interface FeedbackTrendPoint {
  /** The bucket's first instant: local midnight (of the day, the ISO week's Monday, or the month's 1st). */
  bucketStart: Date;
  responses: number;
  /** NPS score (−100..100), CSAT % (0..100) or CES average (1..7), full precision; null when empty. */
  score: number | null;
}

/** The kind's formula over rows already narrowed to that kind; NULLIF keeps empty buckets null. */
const SCORE_SQL: Record<FeedbackKind, Prisma.Sql> = {
  NPS: Prisma.sql`100.0::float8 * (count(*) FILTER (WHERE f."score" >= 9) - count(*) FILTER (WHERE f."score" <= 6)) / NULLIF(count(*), 0)`,
  CSAT: Prisma.sql`100.0::float8 * count(*) FILTER (WHERE f."score" >= 4) / NULLIF(count(*), 0)`,
  CES: Prisma.sql`avg(f."score")::float8`,
};

/**
 * The measure per bucket from the bucket containing `from` to the one containing the instant before
 * `to`. The first and last buckets may be partial: only answers inside [from, to) are counted.
 */
export async function feedbackTrend(db: Db, input: FeedbackTrendInput): Promise<FeedbackTrendPoint[]> {
  const parsed = parseInput(feedbackTrendSchema, input, "The feedback trend");
  assertWindow(parsed.from, parsed.to);
  const { unit, step } = BUCKETS[parsed.bucket];
  const tz = parsed.timeZone;

  // The calendar is built in local time (timestamp without time zone) so that a day stays a calendar
  // day across daylight-saving changes, then each local start is turned back into an instant.
  // Dates travel as ISO strings with their "Z": a bare Date is sent without a zone by the driver
  // adapters and would be read in the session's time zone.
  const calendar = Prisma.sql`
    bounds AS (
      SELECT date_trunc(${unit}, ${parsed.from.toISOString()}::timestamptz AT TIME ZONE ${tz}) AS first_local,
             ${parsed.to.toISOString()}::timestamptz AT TIME ZONE ${tz} AS stop_local
    )`;

  // Count first, with the series capped one past the limit, so that an absurd range costs nothing.
  const [counted] = await withTimeZoneErrors(
    tz,
    db.$queryRaw<Array<{ buckets: number }>>`
      WITH ${calendar}
      SELECT count(*)::int AS buckets
        FROM bounds,
             generate_series(first_local,
                             LEAST(stop_local, first_local + ${step}::interval * ${MAX_TREND_BUCKETS + 1}),
                             ${step}::interval) AS local_start
       WHERE local_start < stop_local`,
  );
  const buckets = counted?.buckets ?? 0;
  if (buckets > MAX_TREND_BUCKETS) {
    throw new ValidationError(
      `The range from ${parsed.from.toISOString()} to ${parsed.to.toISOString()} holds more than ${MAX_TREND_BUCKETS} ${parsed.bucket} buckets; widen the bucket (DAY → WEEK → MONTH) or narrow the range.`,
      [{ path: ["bucket"], message: `more than ${MAX_TREND_BUCKETS} buckets` }],
    );
  }

  const where = feedbackPredicate(parsed);
  return db.$queryRaw<FeedbackTrendPoint[]>`
    WITH ${calendar},
    series AS (
      SELECT local_start
        FROM bounds, generate_series(first_local, stop_local, ${step}::interval) AS local_start
       WHERE local_start < stop_local
    ),
    answers AS (
      SELECT date_trunc(${unit}, f."respondedAt", ${tz}) AS bucket_start,
             count(*)::int AS responses,
             ${SCORE_SQL[parsed.kind]} AS score
        FROM "Feedback" f
       WHERE f."kind" = ${parsed.kind}::"FeedbackKind" AND ${where}
       GROUP BY 1
    )
    SELECT s.local_start AT TIME ZONE ${tz} AS "bucketStart",
           COALESCE(a.responses, 0)::int AS responses,
           a.score AS score
      FROM series s
      LEFT JOIN answers a ON a.bucket_start = s.local_start AT TIME ZONE ${tz}
     ORDER BY s.local_start`;
}

/**
 * Intl and PostgreSQL ship their own copies of the time zone database; in the rare case that a name
 * Intl knows is missing from the server's, the caller gets the same ValidationError as for a typo.
 */
async function withTimeZoneErrors<T>(timeZone: string, query: Promise<T>): Promise<T> {
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
