// Rescoring: signals in (one statement per batch), scores computed in memory with the fitted model,
// scores out (one statement per batch that upserts the current scores, appends history where a score
// moved, and reports each customer's previous and new risk). The same path serves one customer
// after a new fact and every customer after a refit: set-based either way, never a refit. Scoring
// knows nothing of alerts: `onScored` runs in each batch's transaction with the batch's changes, and
// the write pipeline (src/pipeline) decides alerts there, so scores and alerts commit together.
import { v7 as uuidv7 } from "uuid";
import type { Db } from "../db/database.ts";
import { inTransaction } from "../db/transaction.ts";
import { currencyMinorUnits } from "../domain/money.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ChurnRiskLevel } from "../generated/prisma/enums.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import { averageRepeatSpend } from "./buyer-histories.ts";
import { assessChurnRisk, type ChurnAssessment, type ChurnReason, weightsFor } from "./churn-risk.ts";
import { type CustomerSignals, readCustomerSignals } from "./customer-signals.ts";
import { purchaseHistoryAt } from "./models/purchase-summary.ts";
import { expectedPurchasesWithin, forecastPurchases, type PurchaseForecast } from "./purchase-forecast.ts";
import { currentScoreModel, type FittedScoreModel } from "./score-model.ts";

/** The version of the rules in churn-risk.ts; with the model's, it is stamped on every score. */
export const SCORING_RULES_VERSION = "churn-v2";
/** A score enters the history when its level changes, its model changes, or it moves this much. */
export const HISTORY_MIN_CHANGE = 0.005;
/** Customers per statement in a bulk rescore: bounded memory and bind parameters. */
export const RESCORE_BATCH_SIZE = 2000;

export interface ComputedScore {
  customerId: string;
  ownerId: string | null;
  assessment: ChurnAssessment;
  forecast: PurchaseForecast | null;
  purchases: {
    repeatTransactions: number;
    firstDay: Date;
    lastDay: Date;
    averageRepeatSpend: number | null;
  } | null;
}

/** A customer's score before and after a rescore; the alert policy reads these. */
export interface ScoreChange {
  customerId: string;
  ownerId: string | null;
  previousRisk: number | null;
  previousLevel: ChurnRiskLevel | null;
  churnRisk: number;
  level: ChurnRiskLevel;
  reasons: ChurnReason[];
  computedAt: Date;
}

export interface RescoreOptions {
  policy: ScoringPolicy;
  /** Customers to rescore; every live customer when omitted. */
  customerIds?: string[];
  /** The moment the scores describe (the caller's clock); facts after it are ignored. */
  asOf: Date;
  /** The model to use; the newest fitted model when omitted (none: purchases go unscored). */
  model?: FittedScoreModel | null;
  /** Runs in each batch's transaction, after its scores are written, with their changes. */
  onScored?: (tx: Prisma.TransactionClient, changes: ScoreChange[]) => Promise<void>;
}

export interface RescoreResult {
  rescored: number;
  modelVersion: string;
  changes: ScoreChange[];
}

export function scoreModelVersion(model: FittedScoreModel | null): string {
  return `${SCORING_RULES_VERSION}/${model?.version ?? "no-purchase-model"}`;
}

/** Computes scores from signals: pure, so tests and the bench can call it without a database. */
export function computeScore(
  signals: CustomerSignals,
  model: FittedScoreModel | null,
  policy: ScoringPolicy,
  asOf: Date,
): ComputedScore {
  const purchases = signals.purchases;
  const weights = weightsFor(model?.churnWeights ?? null, policy);
  if (!purchases) {
    return {
      customerId: signals.customerId,
      ownerId: signals.ownerId,
      assessment: assessChurnRisk(signals, null, weights, policy, asOf),
      forecast: null,
      purchases: null,
    };
  }
  const history = purchaseHistoryAt(purchases, asOf);
  const repeatSpend = averageRepeatSpend(
    history.frequency,
    purchases.repeatSpend,
    purchases.repeatTransactionsWithValue,
  );
  const forecast = model
    ? forecastPurchases(model, history, repeatSpend, {
        horizonMonths: policy.forecastMonths,
        annualDiscountRate: policy.annualDiscountRate,
      })
    : null;
  const outlook =
    model && forecast
      ? {
          transactions: purchases.transactions,
          lastDay: purchases.lastDay,
          probabilityAlive: forecast.probabilityAlive,
          expectedPurchases: expectedPurchasesWithin(model, history, policy.churnHorizonDays),
        }
      : null;
  return {
    customerId: signals.customerId,
    ownerId: signals.ownerId,
    assessment: assessChurnRisk(signals, outlook, weights, policy, asOf),
    forecast,
    purchases: {
      repeatTransactions: history.frequency,
      firstDay: purchases.firstDay,
      lastDay: purchases.lastDay,
      averageRepeatSpend: repeatSpend,
    },
  };
}

/** Rescores customers with the current (or given) model; runs in the caller's transaction if any. */
export async function rescoreCustomers(db: Db, options: RescoreOptions): Promise<RescoreResult> {
  const { asOf } = options;
  const model = options.model === undefined ? await currentScoreModel(db) : options.model;
  const modelVersion = scoreModelVersion(model);
  const ids = options.customerIds ? [...new Set(options.customerIds)].sort() : await liveCustomerIds(db);
  const changes: ScoreChange[] = [];
  for (let start = 0; start < ids.length; start += RESCORE_BATCH_SIZE) {
    const batch = ids.slice(start, start + RESCORE_BATCH_SIZE);
    const signals = await readCustomerSignals(db, { customerIds: batch, asOf, policy: options.policy });
    const scores = signals.map((customer) => computeScore(customer, model, options.policy, asOf));
    await inTransaction(db, async (tx) => {
      const written = await writeScores(tx, scores, {
        model,
        modelVersion,
        asOf,
        currency: options.policy.currency,
      });
      changes.push(...written);
      await options.onScored?.(tx, written);
    });
  }
  return { rescored: changes.length, modelVersion, changes };
}

async function liveCustomerIds(db: Db): Promise<string[]> {
  const rows = await db.customer.findMany({
    where: { mergedIntoId: null },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  return rows.map((row) => row.id);
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

interface WrittenRow {
  customer_id: string;
  previous_risk: number | null;
  previous_level: ChurnRiskLevel | null;
}

async function writeScores(
  db: Db,
  scores: ComputedScore[],
  context: { model: FittedScoreModel | null; modelVersion: string; asOf: Date; currency: string },
): Promise<ScoreChange[]> {
  if (scores.length === 0) return [];
  const money = (value: number | null | undefined) => (value == null ? null : value.toFixed(4));
  // A lifetime value is an estimate: kept to the currency's usual decimals, not to four.
  const estimate = (value: number | null | undefined) =>
    value == null ? null : value.toFixed(currencyMinorUnits(context.currency));
  const day = (value: Date | undefined) => value?.toISOString().slice(0, 10) ?? null;
  // The batch goes as one JSON document, not one array per column: building and binding fifteen
  // arrays of thousands of values cost the client more than the statement cost the database.
  const input = scores.map((s) => ({
    customerId: s.customerId,
    churnRisk: s.assessment.churnRisk,
    level: s.assessment.level,
    reasons: s.assessment.reasons,
    probabilityAlive: s.forecast?.probabilityAlive ?? null,
    expectedTransactions: s.forecast?.expectedTransactions ?? null,
    clv: estimate(s.forecast?.lifetimeValue),
    currency: s.forecast?.lifetimeValue != null ? context.currency : null,
    health: s.assessment.health,
    forecastMonths: s.forecast ? s.forecast.horizonMonths : null,
    repeatTransactions: s.purchases?.repeatTransactions ?? null,
    firstPurchaseOn: day(s.purchases?.firstDay),
    lastPurchaseOn: day(s.purchases?.lastDay),
    averageRepeatSpend: money(s.purchases?.averageRepeatSpend),
    historyId: uuidv7(),
  }));
  const ids = scores.map((s) => s.customerId);
  const rows = await db.$queryRaw<WrittenRow[]>(Prisma.sql`
    WITH input AS (
      SELECT t."customerId", t."churnRisk", t.level::"ChurnRiskLevel" AS "churnRiskLevel", t.reasons,
             t."probabilityAlive", t."expectedTransactions", t.clv, t.currency, t.health,
             ${context.modelVersion}::text AS "modelVersion", ${context.model?.id ?? null}::uuid AS "modelId",
             t."forecastMonths", t."repeatTransactions", t."firstPurchaseOn", t."lastPurchaseOn",
             t."averageRepeatSpend", ${context.asOf}::timestamptz AS "computedAt", t."historyId" AS history_id
      FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS t("customerId" uuid, "churnRisk" float8,
             level text, reasons jsonb, "probabilityAlive" float8, "expectedTransactions" float8, clv numeric,
             currency text, health int, "forecastMonths" int, "repeatTransactions" int, "firstPurchaseOn" date,
             "lastPurchaseOn" date, "averageRepeatSpend" numeric, "historyId" uuid)
    ),
    -- The batch's scores by their primary key (= ANY is estimated at one row an id): joined to the
    -- input alone, each of its rows was matched against a hash of the whole input, once per score.
    previous AS (
      SELECT s."customerId", s."churnRisk", s."churnRiskLevel", s."modelVersion"
      FROM "Score" s WHERE s."customerId" = ANY(${ids}::uuid[])
    ),
    -- Existing scores are updated in place and only new ones inserted: an upsert of every row cost a
    -- speculative insertion each, and nearly every customer has a score already. A score a concurrent
    -- transaction inserted meanwhile is still updated (ON CONFLICT).
    updated AS (
      UPDATE "Score" s SET (${SCORE_COLUMNS}) = (${scoreColumns("i")})
      FROM input i WHERE s."customerId" = i."customerId" AND s."customerId" = ANY(${ids}::uuid[])
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
  `);
  const previousById = new Map(rows.map((row) => [row.customer_id, row]));
  return scores.map((score) => {
    const previous = previousById.get(score.customerId);
    return {
      customerId: score.customerId,
      ownerId: score.ownerId,
      previousRisk: previous?.previous_risk ?? null,
      previousLevel: previous?.previous_level ?? null,
      churnRisk: score.assessment.churnRisk,
      level: score.assessment.level,
      reasons: score.assessment.reasons,
      computedAt: context.asOf,
    };
  });
}
