// The key-touchpoint analysis's data, in one SQL statement: each customer in scope with their outcome
// and the set of touchpoints they had before it, grouped by (set, outcome) with a count, so what
// leaves the database is a few hundred patterns, not a row per customer or per interaction.
//
// - The outcome and its moment (the cutoff): a survey outcome is the customer's latest answer of its
//   kind in the period, and only touchpoints before that answer count; a churn outcome is judged at the
//   period's end (HIGH_CHURN_RISK: the current score's level; LAPSED: no purchase, inbound message or
//   survey answer within the churn horizon after the period, the rule the churn backtest learns from).
// - The touchpoints, each a feature key: `CHANNEL:<channel>` and `KIND:<kind>` for every interaction
//   from the period's start to the cutoff; `STAGE:<stage id>` for every journey stage entered before
//   the cutoff (a stage reached before the period still describes where the customer stands);
//   `SLOW_FIRST_REPLY` for an opening whose first reply took longer than the threshold, or that had
//   waited longer than that by the cutoff (openings as conversation-cycles.ts defines them);
//   `SENTIMENT:NEGATIVE` / `SENTIMENT:POSITIVE` when the mean sentiment of the customer's own messages
//   is below −0.25 / above 0.25.
// The population is every live customer the scope admits (owner, channel); a segment will be one more
// condition on the customer in `inScope` below.
import type { Db } from "../../db/database.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type { Channel } from "../../generated/prisma/enums.ts";
import { conversationCyclesSql } from "./conversation-cycles.ts";

export const TOUCHPOINT_FAMILIES = [
  "CHANNEL",
  "INTERACTION_KIND",
  "JOURNEY_STAGE",
  "RESPONSE_DELAY",
  "SENTIMENT",
] as const;
export type TouchpointFamily = (typeof TOUCHPOINT_FAMILIES)[number];

export const DRIVER_OUTCOMES = [
  "NPS_DETRACTOR",
  "NPS_PROMOTER",
  "CSAT_SATISFIED",
  "HIGH_CHURN_RISK",
  "LAPSED",
] as const;
export type DriverOutcome = (typeof DRIVER_OUTCOMES)[number];

/** Mean sentiment beyond these reads as negative or positive. */
export const SENTIMENT_THRESHOLD = 0.25;

export interface FeatureQuery {
  outcome: DriverOutcome;
  /** Touchpoints from this moment on; the survey answers judged are also from it. */
  from?: Date;
  /** Survey answers before this moment; the churn outcomes are judged here (the cutoff). */
  to: Date;
  ownerId?: string;
  /** Only customers with a touchpoint on this channel before their cutoff. */
  channel?: Channel;
  /** Only these customers (`SELECT id` of a segment's members). */
  customersIn?: Prisma.Sql;
  families: readonly TouchpointFamily[];
  slowReplySeconds: number;
  /** The request's "now". */
  asOf: Date;
  /** From the scoring policy: what a purchase is and how long a lapse lasts. */
  purchaseKinds: readonly string[];
  churnHorizonDays: number;
  resolveAfterQuietHours: number | null;
}

export interface PatternRow {
  features: string[];
  positive: boolean;
  customers: number;
}

const iso = (date: Date) => Prisma.sql`${date.toISOString()}::timestamptz`;

/** The customers the analysis may count: live, and in the viewer's and the filter's scope. */
function inScope(query: FeatureQuery, customer: Prisma.Sql): Prisma.Sql {
  const conditions = [Prisma.sql`${customer}."mergedIntoId" IS NULL`];
  if (query.ownerId) conditions.push(Prisma.sql`${customer}."ownerId" = ${query.ownerId}::uuid`);
  if (query.customersIn) conditions.push(Prisma.sql`${customer}."id" IN (${query.customersIn})`);
  return Prisma.join(conditions, " AND ");
}

/** One row per customer in scope: customer_id, positive, cutoff_at. */
function outcomesSql(query: FeatureQuery): Prisma.Sql {
  const from = query.from ? Prisma.sql`AND f."respondedAt" >= ${iso(query.from)}` : Prisma.empty;
  const survey = (kind: "NPS" | "CSAT", positive: Prisma.Sql) => Prisma.sql`
    SELECT DISTINCT ON (f."customerId") f."customerId" AS customer_id, ${positive} AS positive,
           f."respondedAt" AS cutoff_at
      FROM "Feedback" f JOIN "Customer" c ON c."id" = f."customerId"
     WHERE f."kind" = ${kind}::"FeedbackKind" AND f."respondedAt" < ${iso(query.to)} ${from}
       AND ${inScope(query, Prisma.sql`c`)}
     ORDER BY f."customerId", f."respondedAt" DESC, f."id" DESC`;
  // The churn outcomes cover the customers with a touchpoint in the period.
  const touchedInPeriod = Prisma.sql`EXISTS (
      SELECT 1 FROM "Interaction" i WHERE i."customerId" = c."id" AND i."occurredAt" < ${iso(query.to)}
        ${query.from ? Prisma.sql`AND i."occurredAt" >= ${iso(query.from)}` : Prisma.empty})`;
  switch (query.outcome) {
    case "NPS_DETRACTOR":
      return survey("NPS", Prisma.sql`f."score" <= 6`);
    case "NPS_PROMOTER":
      return survey("NPS", Prisma.sql`f."score" >= 9`);
    case "CSAT_SATISFIED":
      return survey("CSAT", Prisma.sql`f."score" >= 4`);
    case "HIGH_CHURN_RISK":
      return Prisma.sql`
        SELECT c."id" AS customer_id, s."churnRiskLevel" IN ('HIGH', 'CRITICAL') AS positive,
               ${iso(query.to)} AS cutoff_at
          FROM "Customer" c JOIN "Score" s ON s."customerId" = c."id"
         WHERE ${inScope(query, Prisma.sql`c`)} AND ${touchedInPeriod}`;
    case "LAPSED": {
      const end = new Date(query.to.getTime() + query.churnHorizonDays * 86_400_000);
      return Prisma.sql`
        SELECT c."id" AS customer_id,
               NOT EXISTS (
                 SELECT 1 FROM "Interaction" i
                  WHERE i."customerId" = c."id" AND i."occurredAt" >= ${iso(query.to)} AND i."occurredAt" < ${iso(end)}
                    AND (i."direction" = 'INBOUND' OR i."kind" = ANY(${[...query.purchaseKinds]}::text[])))
               AND NOT EXISTS (
                 SELECT 1 FROM "Feedback" f
                  WHERE f."customerId" = c."id" AND f."respondedAt" >= ${iso(query.to)} AND f."respondedAt" < ${iso(end)})
               AS positive,
               ${iso(query.to)} AS cutoff_at
          FROM "Customer" c
         WHERE ${inScope(query, Prisma.sql`c`)} AND ${touchedInPeriod}`;
    }
  }
}

/**
 * `customer_id, feature` rows of the families asked for, each already before its customer's cutoff
 * (read from the tables through their customer indexes).
 */
function featuresSql(query: FeatureQuery): Prisma.Sql[] {
  const wanted = new Set(query.families);
  const parts: Prisma.Sql[] = [];
  if (wanted.has("CHANNEL")) parts.push(Prisma.sql`SELECT customer_id, 'CHANNEL:' || channel FROM touched`);
  if (wanted.has("INTERACTION_KIND"))
    parts.push(Prisma.sql`SELECT customer_id, 'KIND:' || kind FROM touched`);
  if (wanted.has("SENTIMENT")) {
    parts.push(Prisma.sql`
      SELECT customer_id, CASE WHEN avg(sentiment) < ${-SENTIMENT_THRESHOLD} THEN 'SENTIMENT:NEGATIVE'
                               ELSE 'SENTIMENT:POSITIVE' END
        FROM touched WHERE direction = 'INBOUND' AND sentiment IS NOT NULL
       GROUP BY customer_id
      HAVING abs(avg(sentiment)) > ${SENTIMENT_THRESHOLD}`);
  }
  if (wanted.has("JOURNEY_STAGE")) {
    parts.push(Prisma.sql`
      SELECT o.customer_id, 'STAGE:' || t."toStageId"
        FROM scoped o
        JOIN "JourneyProgress" p ON p."customerId" = o.customer_id
        JOIN "JourneyTransition" t ON t."progressId" = p."id" AND t."occurredAt" < o.cutoff_at`);
  }
  return parts;
}

/**
 * The moment each customer's first wait passed the slow-reply threshold: the opening's start plus the
 * threshold, for every opening whose first reply came later than that or not at all. Kept apart from
 * the customers' cutoffs and compared with them after grouping: joining two derived relations is what
 * the planner cannot estimate (conversation-cycles.ts).
 */
function slowWaitsSql(query: FeatureQuery): Prisma.Sql {
  const slow = Prisma.sql`make_interval(secs => ${query.slowReplySeconds})`;
  return Prisma.sql`
    SELECT customer_id, opened_at + ${slow} AS slow_at FROM openings
     WHERE first_response_at IS NULL OR first_response_at - opened_at > ${slow}`;
}

/** The patterns: each distinct (sorted set of feature keys, outcome) with its number of customers. */
export async function readTouchpointPatterns(db: Db, query: FeatureQuery): Promise<PatternRow[]> {
  const features = featuresSql(query);
  const delays = query.families.includes("RESPONSE_DELAY");
  const channel = query.channel
    ? Prisma.sql`WHERE EXISTS (
        SELECT 1 FROM "Interaction" x
         WHERE x."customerId" = o.customer_id AND x."channel" = ${query.channel}::"Channel"
           AND x."occurredAt" < o.cutoff_at
           ${query.from ? Prisma.sql`AND x."occurredAt" >= ${iso(query.from)}` : Prisma.empty})`
    : Prisma.empty;
  const cycles = delays
    ? Prisma.sql`${conversationCyclesSql({
        from: query.from,
        to: query.to,
        ownerId: query.ownerId,
        asOf: query.asOf,
        resolveAfterQuietHours: query.resolveAfterQuietHours,
        schedule: null,
      })},`
    : Prisma.empty;
  // Every customer's rows (their outcome, their features, their slow waits) meet in one GROUP BY, not
  // in joins: rows of customers outside the scope have no outcome and are dropped by HAVING.
  const tagged = [
    Prisma.sql`SELECT customer_id, positive, cutoff_at, NULL::text AS feature, NULL::timestamptz AS slow_at FROM scoped`,
    ...features.map(
      (part) => Prisma.sql`SELECT customer_id, NULL::boolean, NULL::timestamptz, feature, NULL::timestamptz
                             FROM (${part}) AS f (customer_id, feature)`,
    ),
    ...(delays
      ? [
          Prisma.sql`SELECT customer_id, NULL::boolean, NULL::timestamptz, NULL::text, slow_at FROM (${slowWaitsSql(query)}) AS w`,
        ]
      : []),
  ];
  return db.$queryRaw<PatternRow[]>`
    WITH ${cycles}
    outcomes AS (${outcomesSql(query)}),
    scoped AS (SELECT o.* FROM outcomes o ${channel}),
    touched AS (
      SELECT o.customer_id, i."channel", i."kind", i."direction", i."sentiment"
        FROM scoped o
        JOIN "Interaction" i ON i."customerId" = o.customer_id AND i."occurredAt" < o.cutoff_at
             ${query.from ? Prisma.sql`AND i."occurredAt" >= ${iso(query.from)}` : Prisma.empty}
    ),
    tagged AS (${Prisma.join(tagged, " UNION ALL ")}),
    per_customer AS (
      SELECT customer_id, bool_or(positive) AS positive,
             COALESCE(array_agg(DISTINCT feature ORDER BY feature) FILTER (WHERE feature IS NOT NULL), '{}'::text[])
             -- The slow reply goes last: every array stays in one order, so equal sets group together.
             || CASE WHEN min(slow_at) < max(cutoff_at) THEN ARRAY['SLOW_FIRST_REPLY'] ELSE '{}'::text[] END
               AS features
        FROM tagged
       GROUP BY customer_id
      HAVING bool_or(positive) IS NOT NULL
    )
    SELECT features, positive, count(*)::int AS customers
      FROM per_customer
     GROUP BY features, positive
     ORDER BY customers DESC, features, positive`;
}

/** Display names of the journey stages among the keys: stage id → (journey name, stage name). */
export async function stageNames(
  db: Db,
  stageIds: readonly string[],
): Promise<Map<string, { journey: string; stage: string }>> {
  if (stageIds.length === 0) return new Map();
  const rows = await db.$queryRaw<Array<{ id: string; journey: string; stage: string }>>`
    SELECT s."id"::text AS id, j."name" AS journey, s."name" AS stage
      FROM "JourneyStage" s JOIN "Journey" j ON j."id" = s."journeyId"
     WHERE s."id" = ANY(${[...stageIds]}::uuid[])`;
  return new Map(rows.map((row) => [row.id, { journey: row.journey, stage: row.stage }]));
}
