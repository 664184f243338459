// A persona: a segment read with its typical figures — how many, what they are worth (median and
// mean lifetime value), how they feel (NPS over their answers), how likely they are to leave (mean
// churn risk) and where they talk to us (each channel's share of their interactions). Set-based: one
// statement over the members' set, whatever its size.
import type { Db } from "../../db/database.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type { CustomerFilter } from "../customers/customer-filter.ts";
import { type NpsMetrics, npsMetrics } from "../feedback/feedback-metrics.ts";
import { segmentMembersSql, type VisibleOwner } from "./segment-members.ts";

export interface ChannelShare {
  channel: string;
  /** The members' interactions on the channel. */
  interactions: number;
  /** Members with at least one interaction on it. */
  customers: number;
  /** interactions ÷ all the members' interactions, 0 to 1. */
  share: number;
}

export interface PersonaFigures {
  size: number;
  /** Members with a lifetime value in the currency: the count behind the median and mean. */
  valued: number;
  currency: string;
  medianLifetimeValue: Prisma.Decimal | null;
  meanLifetimeValue: Prisma.Decimal | null;
  /** Members with a score: the count behind the mean churn risk. */
  scored: number;
  meanChurnRisk: number | null;
  nps: NpsMetrics;
  /** Most used first. */
  channels: ChannelShare[];
}

interface FigureRow {
  size: number;
  valued: number;
  median_clv: string | null;
  mean_clv: string | null;
  scored: number;
  mean_risk: number | null;
  promoters: number;
  passives: number;
  detractors: number;
  channels: Array<{ channel: string; interactions: number; customers: number }>;
}

/**
 * The persona figures of the customers `filter` selects among those visible. Lifetime values are
 * those in `currency` (the scoring policy's): a median across currencies would mean nothing.
 * One statement: the members are selected once (MATERIALIZED) and every figure reads them, where a
 * statement per figure selected them again each time and cost three times a single query. Members
 * are distinct customers, so joins count each answer and interaction once; written as IN, the
 * planner guessed 200 members and probed the interactions one member at a time.
 */
export async function personaFigures(
  db: Db,
  filter: CustomerFilter,
  visibleOwner: VisibleOwner,
  currency: string,
): Promise<PersonaFigures> {
  const members = segmentMembersSql(filter, visibleOwner);
  const [figures] = await db.$queryRaw<FigureRow[]>`
    WITH members AS MATERIALIZED (${members}),
    scores AS (
      SELECT count(s."clv") FILTER (WHERE s."currency" = ${currency})::int AS valued,
             (percentile_cont(0.5) WITHIN GROUP (ORDER BY s."clv") FILTER (WHERE s."currency" = ${currency}))::numeric(19, 4)::text AS median_clv,
             (avg(s."clv") FILTER (WHERE s."currency" = ${currency}))::numeric(19, 4)::text AS mean_clv,
             count(*)::int AS scored,
             avg(s."churnRisk")::float8 AS mean_risk
        FROM members m JOIN "Score" s ON s."customerId" = m."id"
    ),
    answers AS (
      SELECT count(*) FILTER (WHERE f."score" >= 9)::int AS promoters,
             count(*) FILTER (WHERE f."score" BETWEEN 7 AND 8)::int AS passives,
             count(*) FILTER (WHERE f."score" <= 6)::int AS detractors
        FROM members m JOIN "Feedback" f ON f."customerId" = m."id"
       WHERE f."kind" = 'NPS'
    ),
    channels AS (
      SELECT i."channel"::text AS channel, count(*)::int AS interactions,
             count(DISTINCT i."customerId")::int AS customers
        FROM members m JOIN "Interaction" i ON i."customerId" = m."id"
       GROUP BY i."channel"
    )
    SELECT (SELECT count(*)::int FROM members) AS size, scores.*, answers.*,
           (SELECT COALESCE(json_agg(channels ORDER BY channels.interactions DESC, channels.channel), '[]')
              FROM channels) AS channels
      FROM scores, answers`;
  if (!figures) throw new Error("The persona query returned no row; an aggregate always returns one.");
  const total = figures.channels.reduce((sum, row) => sum + row.interactions, 0);
  return {
    size: figures.size,
    valued: figures.valued,
    currency,
    medianLifetimeValue: decimal(figures.median_clv),
    meanLifetimeValue: decimal(figures.mean_clv),
    scored: figures.scored,
    meanChurnRisk: figures.mean_risk,
    nps: npsMetrics(figures),
    channels: figures.channels.map((row) => ({ ...row, share: row.interactions / total })),
  };
}

const decimal = (text: string | null | undefined) => (text == null ? null : new Prisma.Decimal(text));
