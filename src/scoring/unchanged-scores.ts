// Whether a freshly computed score agrees with the stored one closely enough that the stored row may
// stand (a scheduled run writes only the scores that moved). The comparison is always with the STORED
// row, never with the previous run's fresh score: slow drift accumulates against it and is written
// once it passes the tolerance. What must always be written is written: a new level, a new model,
// new purchase facts, reasons that cite other facts, and any crossing of a line the alert policy acts
// on (a level's threshold, or the threshold less the hysteresis where an open alert resolves).
import type { Db } from "../db/database.ts";
import { directSql } from "../db/direct-sql.ts";
import type { ChurnRiskLevel } from "../generated/prisma/enums.ts";
import { ALERT_LEVELS, resolveAlertPolicy } from "../policy/alert-policy-settings.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import type { ChurnReason, ChurnReasonValues } from "./churn-factors.ts";
import { reasonsAgree } from "./churn-reasons.ts";
import type { ScoreRow } from "./score-writes.ts";

/**
 * How far a fresh score may be from the stored one and the row stand: churn risk and P(alive) in
 * absolute terms, lifetime value and expected purchases relative to their size, reasons' shares and
 * values in absolute terms. The same step that enters a score in the history.
 */
export const SKIP_TOLERANCE = 0.005;

/** The stored columns a fresh score is compared with. */
export interface StoredScore {
  churnRisk: number;
  level: ChurnRiskLevel;
  /** As stored: values, or sentences from before values were stored (then the row is rewritten). */
  reasons: (ChurnReasonValues | ChurnReason)[];
  probabilityAlive: number | null;
  expectedTransactions: number | null;
  clv: string | null;
  currency: string | null;
  modelVersion: string;
  modelId: string | null;
  forecastMonths: number | null;
  repeatTransactions: number | null;
  firstPurchaseOn: string | null;
  lastPurchaseOn: string | null;
  averageRepeatSpend: string | null;
}

/** The customers' stored scores, by customer; one statement, money and days as text. */
export async function readStoredScores(db: Db, customerIds: string[]): Promise<Map<string, StoredScore>> {
  // Straight to the driver (direct-sql.ts): every column is text, int or float8, alike on both paths.
  const rows = await directSql(db).query<
    Omit<StoredScore, "reasons"> & { customerId: string; reasons: string }
  >(
    `SELECT "customerId"::text AS "customerId", "churnRisk", "churnRiskLevel"::text AS level,
            reasons::text AS reasons, "probabilityAlive", "expectedTransactions", clv::text AS clv, currency,
            "modelVersion", "modelId"::text AS "modelId", "forecastMonths", "repeatTransactions",
            "firstPurchaseOn"::text AS "firstPurchaseOn", "lastPurchaseOn"::text AS "lastPurchaseOn",
            "averageRepeatSpend"::text AS "averageRepeatSpend"
       FROM "Score" WHERE "customerId" = ANY($1::uuid[])`,
    [customerIds],
  );
  // Reasons as text, parsed here: the driver's JSON mapping of thousands of rows cost more.
  return new Map(rows.map((row) => [row.customerId, { ...row, reasons: parseReasons(row.reasons) }]));
}

function parseReasons(text: string): StoredScore["reasons"] {
  const parsed: unknown = JSON.parse(text);
  // A value of another shape never agrees (reasonsAgree reads `facts`): the row is rewritten.
  return Array.isArray(parsed) ? (parsed as StoredScore["reasons"]) : [];
}

/** Whether `stored` may stand for the fresh `row` (see the top of this module). */
export function scoreHolds(
  stored: StoredScore,
  row: ScoreRow,
  model: { modelVersion: string; modelId: string | null },
  policy: ScoringPolicy,
): boolean {
  return (
    stored.level === row.level &&
    stored.modelVersion === model.modelVersion &&
    stored.modelId === model.modelId &&
    Math.abs(stored.churnRisk - row.churnRisk) < SKIP_TOLERANCE &&
    !crossesAlertLine(stored.churnRisk, row.churnRisk, policy) &&
    near(stored.probabilityAlive, row.probabilityAlive, SKIP_TOLERANCE) &&
    relativelyNear(numberOrNull(stored.clv), numberOrNull(row.clv)) &&
    relativelyNear(stored.expectedTransactions, row.expectedTransactions) &&
    stored.currency === row.currency &&
    stored.forecastMonths === row.forecastMonths &&
    stored.repeatTransactions === row.repeatTransactions &&
    stored.firstPurchaseOn === row.firstPurchaseOn &&
    stored.lastPurchaseOn === row.lastPurchaseOn &&
    sameMoney(stored.averageRepeatSpend, row.averageRepeatSpend) &&
    reasonsAgree(stored.reasons, row.reasons, SKIP_TOLERANCE)
  );
}

/**
 * The lines where the alert policy acts (src/alerts/alert-policy.ts), as it resolves them: each alert
 * level's threshold (`alerts.thresholds`, which may differ from the scoring levels; a raise) and that
 * threshold less the hysteresis (an open alert resolves). A score that crosses one is written, so an
 * alert never cites a score that was not stored. The scoring levels' own lines are covered by the
 * level comparison.
 */
function crossesAlertLine(before: number, after: number, policy: ScoringPolicy): boolean {
  for (const line of alertLines(policy)) if (before < line !== after < line) return true;
  return false;
}

/** The policy's alert lines, found once per policy: a scheduled run asks for every customer. */
function alertLines(policy: ScoringPolicy): number[] {
  let lines = alertLinesByPolicy.get(policy);
  if (!lines) {
    const { thresholds, hysteresis } = resolveAlertPolicy(policy.alerts, policy.levels);
    lines = ALERT_LEVELS.flatMap((level) => [thresholds[level], thresholds[level] - hysteresis]);
    alertLinesByPolicy.set(policy, lines);
  }
  return lines;
}

const alertLinesByPolicy = new WeakMap<ScoringPolicy, number[]>();

function near(left: number | null, right: number | null, tolerance: number): boolean {
  if (left === null || right === null) return left === right;
  return Math.abs(left - right) < tolerance;
}

function relativelyNear(left: number | null, right: number | null): boolean {
  if (left === null || right === null) return left === right;
  return Math.abs(left - right) < SKIP_TOLERANCE * Math.max(Math.abs(left), Math.abs(right), 1);
}

function numberOrNull(text: string | null): number | null {
  return text === null ? null : Number(text);
}

function sameMoney(left: string | null, right: string | null): boolean {
  if (left === null || right === null) return left === right;
  return Number(left) === Number(right);
}
