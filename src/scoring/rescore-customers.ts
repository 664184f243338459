// Rescoring: signals in (one statement per batch), scores computed in memory with the fitted model,
// scores out (one statement per batch that upserts the current scores, appends history where a score
// moved, and reports each customer's previous and new risk). The same path serves one customer
// after a new fact and every customer after a refit: set-based either way, never a refit. Scoring
// knows nothing of alerts: `onScored` runs in each batch's transaction with the batch's changes, and
// the write pipeline (src/pipeline) decides alerts there, so scores and alerts commit together.
//
// A scheduled run (`skipUnchanged`) writes only the scores that moved: a customer whose fresh score
// agrees with the STORED one within SKIP_TOLERANCE (unchanged-scores.ts) keeps their row, so slow drift
// accumulates against the stored row and is written once it passes the tolerance. The run itself
// records the instant it scored everyone as of (rescore-runs.ts), which is when such a row holds.
import type { Db } from "../db/database.ts";
import { inTransaction } from "../db/transaction.ts";
import { uuidv7 } from "../db/uuid-v7.ts";
import { currencyMinorUnits } from "../domain/money.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { ChurnRiskLevel } from "../generated/prisma/enums.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import { averageRepeatSpend } from "./buyer-histories.ts";
import { assessChurnRisk, type ChurnAssessment, type ChurnReason, weightsFor } from "./churn-risk.ts";
import { type CustomerSignals, readCustomerSignals } from "./customer-signals.ts";
import { ExpectationMemo } from "./models/bg-nbd.ts";
import { purchaseHistoryAt } from "./models/purchase-summary.ts";
import {
  expectedPurchasesWithin,
  forecastPurchases,
  type PurchaseForecast,
  probabilityOfNoPurchaseWithin,
} from "./purchase-forecast.ts";
import { currentScoreModel, type FittedScoreModel } from "./score-model.ts";
import { type PreviousScore, type ScoreRow, writeScoreRows } from "./score-writes.ts";
import { readStoredScores, scoreHolds } from "./unchanged-scores.ts";

/** The version of the rules in churn-risk.ts; with the model's, it is stamped on every score. */
export const SCORING_RULES_VERSION = "churn-v2";
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
  /** With their sentences as of `computedAt` (built when first read: only alerts read them). */
  readonly reasons: ChurnReason[];
  computedAt: Date;
  /**
   * False when the stored score was left as it was because the fresh one agrees with it (skipUnchanged):
   * the alert policy still sees the fresh risk, but nothing about the stored score changed. Absent: written.
   */
  written?: boolean;
}

export interface RescoreOptions {
  policy: ScoringPolicy;
  /** Customers to rescore; every live customer when omitted. */
  customerIds?: string[];
  /** The moment the scores describe (the caller's clock); facts after it are ignored. */
  asOf: Date;
  /** The model to use; the newest fitted model when omitted (none: purchases go unscored). */
  model?: FittedScoreModel | null;
  /**
   * Leave a stored score unwritten when the fresh one agrees with it (unchanged-scores.ts): for
   * scheduled runs, which record the instant they scored everyone as of (rescore-runs.ts).
   */
  skipUnchanged?: boolean;
  /** Runs in each batch's transaction, after its scores are written, with their changes. */
  onScored?: (tx: Prisma.TransactionClient, changes: ScoreChange[]) => Promise<void>;
  /**
   * False: the result's `changes` stays empty (`rescored` still counts them), so that a slice of
   * thousands does not hold every customer's assessment until it ends; `onScored` sees each batch's.
   * Default true.
   */
  keepChanges?: boolean;
  /**
   * The BG/NBD expectations remembered (bg-nbd.ts); a new memo for this call when omitted. A scheduled
   * run's slices share one, so each computes only the (x, T) the earlier slices had not met.
   */
  memo?: ExpectationMemo;
}

export interface RescoreResult {
  rescored: number;
  modelVersion: string;
  changes: ScoreChange[];
}

export function scoreModelVersion(model: FittedScoreModel | null): string {
  return `${SCORING_RULES_VERSION}/${model?.version ?? "no-purchase-model"}`;
}

/**
 * Computes scores from signals: pure, so tests and the bench can call it without a database. Give the
 * same `memo` to every customer of a rescore: customers who share x and age share the model's costly
 * expectations (bg-nbd.ts), and the scores are the same numbers with it or without.
 */
export function computeScore(
  signals: CustomerSignals,
  model: FittedScoreModel | null,
  policy: ScoringPolicy,
  asOf: Date,
  memo?: ExpectationMemo,
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
    ? forecastPurchases(
        model,
        history,
        repeatSpend,
        { horizonMonths: policy.forecastMonths, annualDiscountRate: policy.annualDiscountRate },
        memo,
      )
    : null;
  const outlook =
    model && forecast
      ? {
          transactions: purchases.transactions,
          lastDay: purchases.lastDay,
          probabilityAlive: forecast.probabilityAlive,
          expectedPurchases: expectedPurchasesWithin(model, history, policy.churnHorizonDays, memo),
          probabilityOfNoPurchase: probabilityOfNoPurchaseWithin(model, history, policy.churnHorizonDays),
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
  let rescored = 0;
  const memo = options.memo ?? new ExpectationMemo();
  for (let start = 0; start < ids.length; start += RESCORE_BATCH_SIZE) {
    const batch = ids.slice(start, start + RESCORE_BATCH_SIZE);
    const signals = await readCustomerSignals(db, { customerIds: batch, asOf, policy: options.policy });
    const scores = signals.map((customer) => computeScore(customer, model, options.policy, asOf, memo));
    await inTransaction(db, async (tx) => {
      const context = { model, modelVersion, asOf, currency: options.policy.currency };
      const written = options.skipUnchanged
        ? await writeMovedScores(tx, scores, context, options.policy)
        : await writeScores(tx, scores, context);
      rescored += written.length;
      if (options.keepChanges !== false) changes.push(...written);
      await options.onScored?.(tx, written);
    });
  }
  return { rescored, modelVersion, changes };
}

async function liveCustomerIds(db: Db): Promise<string[]> {
  const rows = await db.customer.findMany({
    where: { mergedIntoId: null },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  return rows.map((row) => row.id);
}

/** A computed score as a row to write; its history id is drawn when it is written (withHistoryId). */
function scoreRow(s: ComputedScore, currency: string): ScoreRow {
  // A lifetime value is an estimate: kept to the currency's usual decimals, not to four.
  const lifetimeValue = s.forecast?.lifetimeValue;
  const clv = lifetimeValue == null ? null : lifetimeValue.toFixed(currencyMinorUnits(currency));
  return {
    customerId: s.customerId,
    churnRisk: s.assessment.churnRisk,
    level: s.assessment.level,
    reasons: s.assessment.reasonValues,
    probabilityAlive: s.forecast?.probabilityAlive ?? null,
    expectedTransactions: s.forecast?.expectedTransactions ?? null,
    clv,
    currency: s.forecast?.lifetimeValue != null ? currency : null,
    health: s.assessment.health,
    forecastMonths: s.forecast ? s.forecast.horizonMonths : null,
    repeatTransactions: s.purchases?.repeatTransactions ?? null,
    firstPurchaseOn: day(s.purchases?.firstDay),
    lastPurchaseOn: day(s.purchases?.lastDay),
    averageRepeatSpend: money(s.purchases?.averageRepeatSpend),
    historyId: "",
  };
}

function money(value: number | null | undefined): string | null {
  return value == null ? null : value.toFixed(4);
}

/** A purchase day (UTC midnight) as YYYY-MM-DD; remembered, as a run's customers share few days. */
function day(value: Date | undefined): string | null {
  if (!value) return null;
  const time = value.getTime();
  let text = dayTexts.get(time);
  if (text === undefined) {
    text = value.toISOString().slice(0, 10);
    if (dayTexts.size >= 100_000) dayTexts.clear();
    dayTexts.set(time, text);
  }
  return text;
}

const dayTexts = new Map<number, string>();

/** The rows with their history ids: drawn only for the rows written (a scheduled run writes few). */
function withHistoryIds(rows: ScoreRow[]): ScoreRow[] {
  for (const row of rows) row.historyId = uuidv7();
  return rows;
}

interface WriteContext {
  model: FittedScoreModel | null;
  modelVersion: string;
  asOf: Date;
  currency: string;
}

/** Writes every score (a rescore after new facts, a refit): the stored values become the previous ones. */
async function writeScores(db: Db, scores: ComputedScore[], context: WriteContext): Promise<ScoreChange[]> {
  if (scores.length === 0) return [];
  const rows = withHistoryIds(scores.map((score) => scoreRow(score, context.currency)));
  const previous = await writeScoreRows(db, rows, { modelId: context.model?.id ?? null, ...context });
  return scores.map((score) =>
    scoreChange(score, previous.get(score.customerId) ?? undefined, context.asOf, true),
  );
}

/**
 * Writes only the scores that moved (a scheduled run): a score that agrees with the stored one within
 * the tolerance is left as it is, unless the fresh risk crosses a line the alert policy acts on.
 * Every customer's change still goes to `onScored`, with the fresh risk, so alerts decide as always.
 */
async function writeMovedScores(
  db: Db,
  scores: ComputedScore[],
  context: WriteContext,
  policy: ScoringPolicy,
): Promise<ScoreChange[]> {
  if (scores.length === 0) return [];
  const stored = await readStoredScores(
    db,
    scores.map((score) => score.customerId),
  );
  const rows = scores.map((score) => scoreRow(score, context.currency));
  const moved = rows.filter((row) => {
    const before = stored.get(row.customerId);
    return (
      !before ||
      !scoreHolds(
        before,
        row,
        { modelVersion: context.modelVersion, modelId: context.model?.id ?? null },
        policy,
      )
    );
  });
  const previous = await writeScoreRows(db, withHistoryIds(moved), {
    modelId: context.model?.id ?? null,
    ...context,
  });
  return scores.map((score) => {
    if (previous.has(score.customerId)) {
      return scoreChange(score, previous.get(score.customerId) ?? undefined, context.asOf, true);
    }
    const kept = stored.get(score.customerId);
    return scoreChange(score, kept && { risk: kept.churnRisk, level: kept.level }, context.asOf, false);
  });
}

function scoreChange(
  score: ComputedScore,
  previous: PreviousScore | undefined,
  computedAt: Date,
  written: boolean,
): ScoreChange {
  const { assessment } = score;
  return {
    customerId: score.customerId,
    ownerId: score.ownerId,
    previousRisk: previous?.risk ?? null,
    previousLevel: previous?.level ?? null,
    churnRisk: assessment.churnRisk,
    level: assessment.level,
    // The sentences are built only if an alert reads them.
    get reasons() {
      return assessment.reasons;
    },
    computedAt,
    written,
  };
}
