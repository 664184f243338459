// Reads what scoring needs to know about customers — their purchase history and the engagement,
// sentiment, survey and service signals of the other channels — in one set-based statement, for a
// few customers (after new facts) or for thousands at a time (a bulk rescore). Only facts at or
// before `asOf` count, so scores can be computed as of any moment (the bench scores CDNOW at week 39).
import type { Db } from "../db/database.ts";
import { directSql, driverValues } from "../db/direct-sql.ts";
import { PREPARED } from "../db/prepared-statements.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";

const DAY_MS = 86_400_000;

/** Purchases as the customer-base models see them: one transaction per UTC day with an order. */
export interface PurchaseDays {
  /** Distinct purchase days. */
  transactions: number;
  firstDay: Date;
  lastDay: Date;
  /** Summed value of the repeat transactions in the policy's currency, and how many had one. */
  repeatSpend: number | null;
  repeatTransactionsWithValue: number;
  /** Summed value of every purchase day in the currency, and how many days had one. */
  totalSpend: number | null;
  transactionsWithValue: number;
}

export interface SurveyAnswer {
  score: number;
  respondedAt: Date;
}

export interface CustomerSignals {
  customerId: string;
  ownerId: string | null;
  purchases: PurchaseDays | null;
  /**
   * Inbound interactions, purchases included (a purchase is activity), in the recent window and in the
   * baseline window before it.
   */
  recentInteractions: number;
  baselineInteractions: number;
  /** Mean sentiment of recent inbound messages; null when none carried one. */
  averageSentiment: number | null;
  sentimentMessages: number;
  latestNps: SurveyAnswer | null;
  latestCsat: SurveyAnswer | null;
  latestCes: SurveyAnswer | null;
  /** Inbound messages in a conversation that waited past the reply window with no outbound reply. */
  unansweredMessages: number;
  /** The customer's first fact of any kind, and their last activity: an inbound interaction or an answer. */
  firstActivityAt: Date | null;
  lastActivityAt: Date | null;
}

/** A row as the statement returns it: days since 1970-01-01 and milliseconds since the epoch for time. */
interface SignalRow extends Record<string, unknown> {
  id: string;
  owner_id: string | null;
  transactions: number | null;
  first_day: number | null;
  last_day: number | null;
  repeat_spend: number | null;
  repeat_valued: number | null;
  recent: number | null;
  baseline: number | null;
  sentiment: number | null;
  sentiment_messages: number | null;
  nps: number | null;
  nps_at: number | null;
  csat: number | null;
  csat_at: number | null;
  ces: number | null;
  ces_at: number | null;
  unanswered: number | null;
  total_spend: number | null;
  total_valued: number | null;
  first_activity: number | null;
  last_activity: number | null;
}

/**
 * Signals of the given live customers (merged-away ids are skipped), or of every live customer when
 * `customerIds` is omitted. Rows come back in customer id order.
 */
export async function readCustomerSignals(
  db: Db,
  options: { customerIds?: string[]; asOf: Date; policy: ScoringPolicy },
): Promise<CustomerSignals[]> {
  const { asOf, policy } = options;
  const w = policy.windows;
  const ago = (days: number) => new Date(asOf.getTime() - days * DAY_MS);
  const recentStart = ago(w.recentActivityDays);
  const baselineStart = ago(w.recentActivityDays + w.baselineActivityDays);
  const sentimentStart = ago(w.sentimentDays);
  const earliestActivity = new Date(Math.min(baselineStart.getTime(), sentimentStart.getTime()));
  const replyDeadline = new Date(asOf.getTime() - w.replyWithinHours * 3_600_000);
  const ids = options.customerIds ?? null;
  if (ids?.length === 0) return [];

  // Prepared (named): PostgreSQL keeps a generic plan per connection after five executions, and plans
  // no more. A generic plan knows nothing of the batch's size (it takes an array of ids for ten rows),
  // so the statement is built for that: every customer's facts are read by LATERAL subqueries of the
  // batch's row, never by CTEs joined back on the id. Joined CTEs gave a generic plan of nested loops
  // comparing each of the batch's customers with each of the others (Rows Removed by Join Filter:
  // 3,998,000 for 2,000 customers): 4.5 times the CPU of the plan made for the values (187 against
  // 41 ms a batch), and growing with the square of the batch. With LATERALs both plans are the same
  // per-customer index lookups.
  const statement = Prisma.sql`${Prisma.raw(PREPARED)}
    WITH target AS (
      -- The batch's ids found by one scan of the primary key's index with the array (= ANY), which
      -- returns them in id order: not "ids IS NULL OR id = ANY(ids)" (which compared every customer
      -- with every id of the batch) nor a join to the unnested ids (which PostgreSQL hashed, reading
      -- every customer for each batch): either way a batch's cost grew with the hub's size. With a
      -- LATERAL lookup per id (LIMIT 1) instead, the statement cost 42 ms of CPU a batch; with this, 37.
      -- The ids are looked up behind OFFSET 0, which keeps "mergedIntoId" IS NULL out of that scan:
      -- seen beside it, that condition lets the planner take one of the indexes on live customers
      -- alone (the list's orders, the slices' key), with the array as a condition on a column that
      -- does not lead the index, which PostgreSQL checks by reading the whole index for each id.
      -- Never-analyzed tables (the drain right after a first sync) made the generic plan do that:
      -- 2,000 customers' signals took 1.7 s, reading 286,000 index pages, against 0.1 to 0.2 s
      -- (test/scoring/customer-signals-plan.db.test.ts).
      SELECT c."id", c."ownerId" FROM ${
        ids
          ? Prisma.sql`(SELECT "id", "ownerId", "mergedIntoId" FROM "Customer" WHERE "id" = ANY(${ids}::uuid[]) OFFSET 0)`
          : Prisma.sql`"Customer"`
      } c
      WHERE c."mergedIntoId" IS NULL
    )
    SELECT t."id"::text AS id, t."ownerId"::text AS owner_id,
           p.transactions, ${days("p.first_day")} AS first_day, ${days("p.last_day")} AS last_day,
           p.repeat_spend, p.repeat_valued,
           a.recent, a.baseline, a.sentiment, a.sentiment_messages,
           fb.nps, ${epochMs("fb.nps_at")} AS nps_at, fb.csat, ${epochMs("fb.csat_at")} AS csat_at,
           fb.ces, ${epochMs("fb.ces_at")} AS ces_at,
           u.messages AS unanswered, p.total_spend, p.total_valued,
           -- First fact and last activity by index lookups per customer (Interaction and Feedback are
           -- indexed on (customerId, time)): a customer's whole history is never scanned for two numbers.
           ${epochMs(Prisma.sql`LEAST(
             (SELECT min(i."occurredAt") FROM "Interaction" i
               WHERE i."customerId" = t."id" AND i."occurredAt" <= ${asOf}),
             (SELECT min(f."respondedAt") FROM "Feedback" f
               WHERE f."customerId" = t."id" AND f."respondedAt" <= ${asOf}))`)} AS first_activity,
           ${epochMs(Prisma.sql`GREATEST(
             (SELECT i."occurredAt" FROM "Interaction" i
               WHERE i."customerId" = t."id" AND i."occurredAt" <= ${asOf}
                 AND (i."direction" = 'INBOUND' OR i."kind" = ANY(${policy.purchaseKinds}::text[]))
               ORDER BY i."occurredAt" DESC LIMIT 1),
             (SELECT max(f."respondedAt") FROM "Feedback" f
               WHERE f."customerId" = t."id" AND f."respondedAt" <= ${asOf}))`)} AS last_activity
    FROM target t
    -- Each LATERAL reads one customer's rows through the (customerId, ...) indexes: a batch then costs
    -- what its customers' facts cost, never a scan of the whole table, which the planner would
    -- otherwise pick, and which made a batch's cost grow with the hub's size. Each is an aggregate
    -- without GROUP BY: exactly one row per customer, so they are CROSS JOINs.
    CROSS JOIN LATERAL (
      SELECT ${purchaseTotalsSql}
      FROM (
        SELECT d.day, d.value, row_number() OVER (ORDER BY d.day) AS n
        FROM (${purchaseDaysOfSql(Prisma.sql`t."id"`, asOf, policy)}) d
      ) numbered_days
    ) p
    CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE i."occurredAt" > ${recentStart})::int AS recent,
             count(*) FILTER (WHERE i."occurredAt" <= ${recentStart} AND i."occurredAt" > ${baselineStart})::int AS baseline,
             avg(i."sentiment") FILTER (WHERE i."occurredAt" > ${sentimentStart})::float8 AS sentiment,
             count(i."sentiment") FILTER (WHERE i."occurredAt" > ${sentimentStart})::int AS sentiment_messages
      FROM "Interaction" i
      WHERE i."customerId" = t."id"
        AND (i."direction" = 'INBOUND' OR i."kind" = ANY(${policy.purchaseKinds}::text[]))
        AND i."occurredAt" > ${earliestActivity} AND i."occurredAt" <= ${asOf}
    ) a
    -- The latest answer of each kind, in one lookup of the customer's answers.
    CROSS JOIN LATERAL (
      SELECT ${latestAnswersSql}
      FROM (
        SELECT DISTINCT ON (f."kind") f."kind", f."score", f."respondedAt"
        FROM "Feedback" f
        WHERE f."customerId" = t."id" AND f."respondedAt" > ${ago(w.feedbackDays)} AND f."respondedAt" <= ${asOf}
        ORDER BY f."kind", f."respondedAt" DESC, f."id" DESC
      ) lf
    ) fb
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS messages
      FROM "Interaction" i
      WHERE i."customerId" = t."id" AND i."direction" = 'INBOUND' AND i."conversationId" IS NOT NULL
        AND i."occurredAt" > ${ago(w.unansweredDays)} AND i."occurredAt" <= ${replyDeadline}
        AND NOT EXISTS (
          SELECT 1 FROM "Interaction" reply
          WHERE reply."conversationId" = i."conversationId" AND reply."customerId" = i."customerId"
            AND reply."direction" = 'OUTBOUND'
            AND reply."occurredAt" > i."occurredAt" AND reply."occurredAt" <= ${asOf}
        )
    ) u
    ORDER BY t."id"
  `;
  // Straight to the driver (direct-sql.ts): through the Prisma client, mapping a batch's thousands of
  // rows value by value cost the hub more than the statement cost PostgreSQL. So every column is one
  // that both paths return alike: text, int and float8 (days and instants as numbers).
  const rows = await directSql(db).query<SignalRow>(statement.text, driverValues(statement.values));
  return rows.map(toSignals);
}

/** Over `lf`, at most one answer of each kind: the NPS, CSAT and CES answer's score and time. */
const latestAnswersSql = Prisma.raw(
  ["NPS", "CSAT", "CES"]
    .flatMap((kind) => [
      `max(lf."score") FILTER (WHERE lf."kind" = '${kind}') AS ${kind.toLowerCase()}`,
      `max(lf."respondedAt") FILTER (WHERE lf."kind" = '${kind}') AS ${kind.toLowerCase()}_at`,
    ])
    .join(",\n             "),
);

/** A date column as days since 1970-01-01 (int), null kept. */
const days = (column: string) => Prisma.raw(`(${column} - DATE '1970-01-01')`);
/** A timestamptz column or expression as milliseconds since the epoch (float8), null kept. */
const epochMs = (value: string | Prisma.Sql) =>
  Prisma.sql`floor(extract(epoch FROM ${typeof value === "string" ? Prisma.raw(value) : value}) * 1000)::float8`;

function answer(score: number | null, at: number | null): SurveyAnswer | null {
  return score === null || at === null ? null : { score, respondedAt: new Date(at) };
}

function instant(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

function toSignals(row: SignalRow): CustomerSignals {
  return {
    customerId: row.id,
    ownerId: row.owner_id,
    purchases:
      row.transactions && row.first_day !== null && row.last_day !== null
        ? {
            transactions: row.transactions,
            firstDay: new Date(row.first_day * DAY_MS),
            lastDay: new Date(row.last_day * DAY_MS),
            repeatSpend: row.repeat_spend,
            repeatTransactionsWithValue: row.repeat_valued ?? 0,
            totalSpend: row.total_spend,
            transactionsWithValue: row.total_valued ?? 0,
          }
        : null,
    recentInteractions: row.recent ?? 0,
    baselineInteractions: row.baseline ?? 0,
    averageSentiment: row.sentiment,
    sentimentMessages: row.sentiment_messages ?? 0,
    latestNps: answer(row.nps, row.nps_at),
    latestCsat: answer(row.csat, row.csat_at),
    latestCes: answer(row.ces, row.ces_at),
    unansweredMessages: row.unanswered ?? 0,
    firstActivityAt: instant(row.first_activity),
    lastActivityAt: instant(row.last_activity),
  };
}

/**
 * One customer's purchase days as of `asOf` (day, and the day's value in the policy's currency), read
 * through the (customerId, kind, occurredAt) index; `customerId` is the outer query's column.
 */
function purchaseDaysOfSql(customerId: Prisma.Sql, asOf: Date, policy: ScoringPolicy): Prisma.Sql {
  return Prisma.sql`
    SELECT (i."occurredAt" AT TIME ZONE 'UTC')::date AS day,
           sum(i."amount") FILTER (WHERE i."currency" = ${policy.currency}) AS value
    FROM "Interaction" i
    WHERE i."customerId" = ${customerId} AND i."kind" = ANY(${policy.purchaseKinds}::text[]) AND i."occurredAt" <= ${asOf}
    GROUP BY 1`;
}

/**
 * Over numbered purchase days (day, value, n from 1): the count, first and last day, and the summed
 * value and valued count of the days after the first and of all of them.
 */
const purchaseTotalsSql =
  Prisma.raw(`count(*)::int AS transactions, min(day) AS first_day, max(day) AS last_day,
       (sum(value) FILTER (WHERE n > 1))::float8 AS repeat_spend,
       (count(value) FILTER (WHERE n > 1))::int AS repeat_valued,
       sum(value)::float8 AS total_spend, count(value)::int AS total_valued`);

/**
 * The CTEs `purchase_days` (one row per customer and UTC day with a purchase, valued in the policy's
 * currency) and `purchases` (per customer: count, first and last day, and the summed value and
 * valued count of the days after the first), over the customers of a preceding CTE named `target`.
 */
export function purchaseDaysSql(asOf: Date, policy: ScoringPolicy): Prisma.Sql {
  return Prisma.sql`
    purchase_days AS (
      -- Per customer through the (customerId, kind, occurredAt) index (see readCustomerSignals).
      SELECT t."id" AS "customerId", d.day, d.value
      FROM target t CROSS JOIN LATERAL (${purchaseDaysOfSql(Prisma.sql`t."id"`, asOf, policy)}) d
    ),
    numbered_days AS (
      SELECT d.*, row_number() OVER (PARTITION BY d."customerId" ORDER BY d.day) AS n
      FROM purchase_days d
    ),
    -- One pass, no self-join: the plan stays linear even where statistics are missing (PGlite has no
    -- autovacuum, and a nested loop over CTEs would be quadratic).
    purchases AS (
      SELECT "customerId", ${purchaseTotalsSql}
      FROM numbered_days GROUP BY 1
    )`;
}
