// One survey measure over time: a score per day, week or month in the caller's time zone, with
// empty periods present (0 responses, null score) so a chart's x-axis has no holes. Computed in SQL
// with date_trunc in the time zone and generate_series for the calendar.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { FeedbackKind } from "../../generated/prisma/enums.ts";
import { parseInput } from "../errors.ts";
import {
  assertTrendSize,
  BUCKETS,
  calendarBoundsSql,
  timeZoneSchema,
  withTimeZoneErrors,
} from "../trend-calendar.ts";
import { assertWindow, feedbackFilterSchema, feedbackPredicate } from "./feedback-metrics.ts";

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
  /** NPS score (−100..100), CSAT % (0..100), CES average (1..7) or good % (0..100), full precision; null when empty. */
  score: number | null;
}

/** The kind's formula over rows already narrowed to that kind; NULLIF keeps empty buckets null. */
const SCORE_SQL: Record<FeedbackKind, Prisma.Sql> = {
  NPS: Prisma.sql`100.0::float8 * (count(*) FILTER (WHERE f."score" >= 9) - count(*) FILTER (WHERE f."score" <= 6)) / NULLIF(count(*), 0)`,
  CSAT: Prisma.sql`100.0::float8 * count(*) FILTER (WHERE f."score" >= 4) / NULLIF(count(*), 0)`,
  CES: Prisma.sql`avg(f."score")::float8`,
  GOOD_BAD: Prisma.sql`100.0::float8 * count(*) FILTER (WHERE f."score" = 1) / NULLIF(count(*), 0)`,
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

  const calendar = calendarBoundsSql(parsed);
  await assertTrendSize(db, parsed);

  const where = feedbackPredicate(parsed);
  return withTimeZoneErrors(
    tz,
    db.$queryRaw<FeedbackTrendPoint[]>`
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
     ORDER BY s.local_start`,
  );
}
