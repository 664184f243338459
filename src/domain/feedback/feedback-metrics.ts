// Survey metrics over a slice of feedback — NPS, CSAT and CES with the standard formulas, and the
// share of good ratings among two-point (good/bad) ratings — computed
// in SQL so that the numbers are the same whether a slice holds ten answers or ten million.
// The filter and its SQL predicate are exported for the trend module, which slices the same way.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { Channel } from "../../generated/prisma/enums.ts";
import { parseInput, ValidationError } from "../errors.ts";

/** Which answers to count. `to` is exclusive; `customerIds: []` selects no one (so every metric is null). */
export const feedbackFilterSchema = z.object({
  from: z.date().optional(),
  to: z.date().optional(),
  channel: z.enum(Channel).optional(),
  /** Only customers owned by this principal (an account manager's book). */
  ownerId: z.uuid().optional(),
  customerIds: z.array(z.uuid()).max(10_000).optional(),
  /** Only the customers this query selects (`SELECT id …`): a segment's members, computed in the same statement. */
  customersIn: z.custom<Prisma.Sql>((value) => value instanceof Prisma.Sql).optional(),
});
export type FeedbackFilterInput = z.input<typeof feedbackFilterSchema>;
export type FeedbackFilter = z.output<typeof feedbackFilterSchema>;

export interface NpsMetrics {
  /** %promoters − %detractors, from −100 to 100; null when no one answered. */
  score: number | null;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  promoterPercent: number | null;
  passivePercent: number | null;
  detractorPercent: number | null;
}

export interface CsatMetrics {
  /** The percentage of answers that are 4 or 5; null when no one answered. */
  score: number | null;
  responses: number;
  satisfied: number;
}

export interface CesMetrics {
  /** The mean answer (1 = effortless … 7 = very hard); null when no one answered. */
  average: number | null;
  responses: number;
  /** Every score from 1 to 7, in order, with a count of 0 where no one gave it. */
  distribution: Array<{ score: number; count: number }>;
}

/** Two-point satisfaction ratings (Zendesk's good/bad). */
export interface GoodBadMetrics {
  /** good / (good + bad) as a percentage, 0 to 100; null when no one rated. */
  score: number | null;
  responses: number;
  good: number;
  bad: number;
}

export interface FeedbackMetrics {
  nps: NpsMetrics;
  csat: CsatMetrics;
  ces: CesMetrics;
  goodBad: GoodBadMetrics;
}

/** Refuses an empty or inverted window, which would otherwise silently return nothing. */
export function assertWindow(from: Date | undefined, to: Date | undefined): void {
  if (from && to && from.getTime() >= to.getTime()) {
    throw new ValidationError(
      `The window is empty: "from" (${from.toISOString()}) must be before "to" (${to.toISOString()}, exclusive).`,
      [{ path: ["to"], message: "must be after from" }],
    );
  }
}

/**
 * The filter as an SQL predicate over `"Feedback"` aliased `f`. Every value is a bound parameter.
 * The owner is matched through a subquery rather than a join so that callers can put the predicate
 * into any join position (the trend module uses it inside a LEFT JOIN).
 */
export function feedbackPredicate(filter: FeedbackFilter): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`TRUE`];
  // ISO strings keep their "Z"; the driver adapters send a bare Date without a zone, which the server
  // would read in its session time zone.
  if (filter.from) conditions.push(Prisma.sql`f."respondedAt" >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) conditions.push(Prisma.sql`f."respondedAt" < ${filter.to.toISOString()}::timestamptz`);
  if (filter.channel) conditions.push(Prisma.sql`f."channel" = ${filter.channel}::"Channel"`);
  if (filter.ownerId) {
    conditions.push(
      Prisma.sql`f."customerId" IN (SELECT c."id" FROM "Customer" c WHERE c."ownerId" = ${filter.ownerId}::uuid)`,
    );
  }
  if (filter.customerIds) {
    // Prisma.join refuses an empty list; an empty list of customers simply matches nothing.
    conditions.push(
      filter.customerIds.length === 0
        ? Prisma.sql`FALSE`
        : Prisma.sql`f."customerId" IN (${Prisma.join(filter.customerIds.map((id) => Prisma.sql`${id}::uuid`))})`,
    );
  }
  if (filter.customersIn) conditions.push(Prisma.sql`f."customerId" IN (${filter.customersIn})`);
  return Prisma.join(conditions, " AND ");
}

interface SummaryRow {
  promoters: number;
  passives: number;
  detractors: number;
  csat_responses: number;
  satisfied: number;
  csat_score: number | null;
  ces_responses: number;
  ces_average: number | null;
  good_bad_responses: number;
  good: number;
  good_bad_score: number | null;
}

/**
 * NPS from its counts: the score and each share on the 0–100 scale, null when no one answered.
 */
export function npsMetrics(counts: { promoters: number; passives: number; detractors: number }): NpsMetrics {
  const { promoters, passives, detractors } = counts;
  const responses = promoters + passives + detractors;
  const percent = (part: number) => (responses === 0 ? null : (100 * part) / responses);
  return {
    score: responses === 0 ? null : (100 * (promoters - detractors)) / responses,
    responses,
    promoters,
    passives,
    detractors,
    promoterPercent: percent(promoters),
    passivePercent: percent(passives),
    detractorPercent: percent(detractors),
  };
}

/**
 * NPS, CSAT, CES and the good share of good/bad ratings over the answers the filter selects.
 *
 * Percentages (promoterPercent, passivePercent, detractorPercent, the NPS score and the CSAT score)
 * are on a 0–100 scale with full float precision — 2/3 of answers is 66.666…, not 67 — because
 * rounding is a display concern that the API applies; counts sit beside them so nothing is lost.
 * Every score and percentage is null, never 0, when no answer of its kind matched.
 */
export async function feedbackMetrics(db: Db, filter: FeedbackFilterInput = {}): Promise<FeedbackMetrics> {
  const parsed = parseInput(feedbackFilterSchema, filter, "The feedback filter");
  assertWindow(parsed.from, parsed.to);
  const where = feedbackPredicate(parsed);

  // One scan for every count; NULLIF turns "no answers" into a null score instead of a division by zero.
  const [summary] = await db.$queryRaw<SummaryRow[]>`
    WITH counts AS (
      SELECT
        count(*) FILTER (WHERE f."kind" = 'NPS' AND f."score" >= 9)::int AS promoters,
        count(*) FILTER (WHERE f."kind" = 'NPS' AND f."score" BETWEEN 7 AND 8)::int AS passives,
        count(*) FILTER (WHERE f."kind" = 'NPS' AND f."score" <= 6)::int AS detractors,
        count(*) FILTER (WHERE f."kind" = 'CSAT')::int AS csat_responses,
        count(*) FILTER (WHERE f."kind" = 'CSAT' AND f."score" >= 4)::int AS satisfied,
        count(*) FILTER (WHERE f."kind" = 'CES')::int AS ces_responses,
        (avg(f."score") FILTER (WHERE f."kind" = 'CES'))::float8 AS ces_average,
        count(*) FILTER (WHERE f."kind" = 'GOOD_BAD')::int AS good_bad_responses,
        count(*) FILTER (WHERE f."kind" = 'GOOD_BAD' AND f."score" = 1)::int AS good
      FROM "Feedback" f
      WHERE ${where}
    )
    SELECT *,
      100.0::float8 * satisfied / NULLIF(csat_responses, 0) AS csat_score,
      100.0::float8 * good / NULLIF(good_bad_responses, 0) AS good_bad_score
    FROM counts`;
  if (!summary)
    throw new Error("The feedback summary query returned no row; an aggregate always returns one.");

  // generate_series supplies the seven possible answers so that scores no one gave still appear.
  const distribution = await db.$queryRaw<Array<{ score: number; count: number }>>`
    SELECT s.score::int AS score, count(f."id")::int AS count
      FROM generate_series(1, 7) AS s(score)
      LEFT JOIN "Feedback" f ON f."kind" = 'CES' AND f."score" = s.score AND ${where}
     GROUP BY s.score
     ORDER BY s.score`;

  return {
    nps: npsMetrics(summary),
    csat: { score: summary.csat_score, responses: summary.csat_responses, satisfied: summary.satisfied },
    ces: { average: summary.ces_average, responses: summary.ces_responses, distribution },
    goodBad: {
      score: summary.good_bad_score,
      responses: summary.good_bad_responses,
      good: summary.good,
      bad: summary.good_bad_responses - summary.good,
    },
  };
}
