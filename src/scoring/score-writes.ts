// The statement that writes scores: a batch of rows upserted into Score, a ScoreHistory row appended
// where a score moved, and each customer's previous risk and level returned, all in one statement.
// Which rows to write is the caller's choice (rescore-customers.ts): all of them, or the moved ones.
import type { Db } from "../db/database.ts";
import { directSql, driverValues } from "../db/direct-sql.ts";
import { PREPARED } from "../db/prepared-statements.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ChurnRiskLevel } from "../generated/prisma/enums.ts";
import type { ChurnReasonValues } from "./churn-factors.ts";

/** A score enters the history when its level changes, its model changes, or it moves this much. */
export const HISTORY_MIN_CHANGE = 0.005;

/** A score as written: money as decimal text, days as YYYY-MM-DD, reasons as values. */
export interface ScoreRow {
  customerId: string;
  churnRisk: number;
  level: ChurnRiskLevel;
  reasons: ChurnReasonValues[];
  probabilityAlive: number | null;
  expectedTransactions: number | null;
  clv: string | null;
  currency: string | null;
  health: number;
  forecastMonths: number | null;
  repeatTransactions: number | null;
  firstPurchaseOn: string | null;
  lastPurchaseOn: string | null;
  averageRepeatSpend: string | null;
  historyId: string;
}

/** A customer's stored risk and level before a write. */
export interface PreviousScore {
  risk: number;
  level: ChurnRiskLevel;
}

/** The columns a rescore writes, besides the customer's id (the key). */
const SCORE_COLUMN_NAMES = [
  "churnRisk",
  "churnRiskLevel",
  "reasons",
  "probabilityAlive",
  "expectedTransactions",
  "clv",
  "currency",
  "health",
  "modelVersion",
  "modelId",
  "forecastMonths",
  "repeatTransactions",
  "firstPurchaseOn",
  "lastPurchaseOn",
  "averageRepeatSpend",
  "computedAt",
];
const SCORE_COLUMNS = Prisma.raw(SCORE_COLUMN_NAMES.map((name) => `"${name}"`).join(", "));
const scoreColumns = (from: string) =>
  Prisma.raw(SCORE_COLUMN_NAMES.map((name) => `${from}."${name}"`).join(", "));

interface WrittenRow extends Record<string, unknown> {
  customer_id: string;
  previous_risk: number | null;
  previous_level: ChurnRiskLevel | null;
}

/**
 * Writes the rows as of `asOf`; returns each written customer's previous score (null: their first).
 */
export async function writeScoreRows(
  db: Db,
  input: ScoreRow[],
  context: { modelId: string | null; modelVersion: string; asOf: Date },
): Promise<Map<string, PreviousScore | null>> {
  if (input.length === 0) return new Map();
  const ids = input.map((row) => row.customerId);
  // The batch goes as one JSON document, not one array per column: building and binding fifteen
  // arrays of thousands of values cost the client more than the statement cost the database.
  // Prepared (planned once per connection, prepared-statements.ts): planning cost more than running it.
  // Straight to the driver (direct-sql.ts), whose values for these columns (uuid, float8, text) are
  // Prisma's: through the Prisma client the statement cost a write's rescoring more CPU in the hub.
  const statement = Prisma.sql`${Prisma.raw(PREPARED)}
    WITH input AS (
      SELECT t."customerId", t."churnRisk", t.level::"ChurnRiskLevel" AS "churnRiskLevel", t.reasons,
             t."probabilityAlive", t."expectedTransactions", t.clv, t.currency, t.health,
             ${context.modelVersion}::text AS "modelVersion", ${context.modelId}::uuid AS "modelId",
             t."forecastMonths", t."repeatTransactions", t."firstPurchaseOn", t."lastPurchaseOn",
             t."averageRepeatSpend", ${context.asOf}::timestamptz AS "computedAt", t."historyId" AS history_id
      FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS t("customerId" uuid, "churnRisk" float8,
             level text, reasons jsonb, "probabilityAlive" float8, "expectedTransactions" float8, clv numeric,
             currency text, health int, "forecastMonths" int, "repeatTransactions" int, "firstPurchaseOn" date,
             "lastPurchaseOn" date, "averageRepeatSpend" numeric, "historyId" uuid)
    ),
    -- The batch's scores, each looked up by its key (OFFSET 0 keeps the lookup a probe of the
    -- primary key under any plan). Joined to the input alone, each of its rows was matched against a
    -- hash of the whole input, once per score; as "= ANY" of the batch's ids, the plans made for the
    -- values (a connection's first five executions) read the whole table, twice, for each batch: the
    -- drain after a first sync read every score the hub held so far, per batch of 2,000.
    previous AS (
      SELECT s."customerId", s."churnRisk", s."churnRiskLevel", s."modelVersion"
      FROM unnest(${ids}::uuid[]) AS wanted("customerId")
      CROSS JOIN LATERAL (
        SELECT "customerId", "churnRisk", "churnRiskLevel", "modelVersion" FROM "Score"
         WHERE "customerId" = wanted."customerId" OFFSET 0) s
    ),
    -- Existing scores are updated in place and only new ones inserted: an upsert of every row cost a
    -- speculative insertion each, and nearly every customer has a score already. A score a concurrent
    -- transaction inserted meanwhile is still updated (ON CONFLICT). The scores to update are those
    -- read, none on a first sync: an array the plan cannot see, which the primary key serves once the
    -- table is analyzed (a small table never analyzed may still be read once).
    updated AS (
      UPDATE "Score" s SET (${SCORE_COLUMNS}) = (${scoreColumns("i")})
      FROM input i WHERE s."customerId" = i."customerId"
        AND s."customerId" = ANY(ARRAY(SELECT p."customerId" FROM previous p))
      RETURNING 1
    ),
    inserted AS (
      INSERT INTO "Score" ("customerId", ${SCORE_COLUMNS})
      SELECT i."customerId", ${scoreColumns("i")} FROM input i
      WHERE NOT EXISTS (SELECT 1 FROM previous p WHERE p."customerId" = i."customerId")
      ON CONFLICT ("customerId") DO UPDATE SET (${SCORE_COLUMNS}) = (${scoreColumns("EXCLUDED")})
      RETURNING 1
    ),
    history AS (
      INSERT INTO "ScoreHistory" ("id", "customerId", "churnRisk", "churnRiskLevel", "reasons",
        "probabilityAlive", "expectedTransactions", "clv", "currency", "health", "modelVersion", "computedAt")
      SELECT i.history_id, i."customerId", i."churnRisk", i."churnRiskLevel", i.reasons,
        i."probabilityAlive", i."expectedTransactions", i.clv, i.currency, i.health, i."modelVersion",
        i."computedAt"
      FROM input i LEFT JOIN previous p USING ("customerId")
      WHERE p."customerId" IS NULL
         OR p."churnRiskLevel" <> i."churnRiskLevel"
         OR p."modelVersion" <> ${context.modelVersion}
         OR abs(p."churnRisk" - i."churnRisk") >= ${HISTORY_MIN_CHANGE}
      RETURNING 1
    )
    SELECT i."customerId" AS customer_id, p."churnRisk" AS previous_risk,
           p."churnRiskLevel"::text AS previous_level
    FROM input i LEFT JOIN previous p USING ("customerId")
  `;
  const rows = await directSql(db).query<WrittenRow>(statement.text, driverValues(statement.values));
  return new Map(
    rows.map((row) => [
      row.customer_id,
      row.previous_risk === null || row.previous_level === null
        ? null
        : { risk: row.previous_risk, level: row.previous_level },
    ]),
  );
}
