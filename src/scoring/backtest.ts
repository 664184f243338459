// Learning the churn model's weights from the hub's own history, with a time-split backtest: go back one
// churn horizon from the fit's end (the cutoff), fit the purchase model on the purchases up to the cutoff,
// read every customer's signals as of the cutoff, and look at what each then did: a customer lapsed if
// they made no purchase and reached out on no channel in the horizon after the cutoff. A logistic
// regression on those features against that outcome gives the weights; the figures the fit stores (AUC,
// Brier score, calibration, lift) come from 5-fold out-of-fold predictions, so they describe customers
// the weights were not fitted to, beside the same figures for days since the last purchase alone.
// A hub whose history is shorter than the horizon, or with too few customers or lapses to learn from,
// keeps the documented default weights (churn-risk.ts), and the backtest says why.
import { z } from "zod";
import type { Db } from "../db/database.ts";
import {
  crossValidatedPredictions,
  fitLogisticRegression,
  type LogisticFit,
} from "../domain/statistics/logistic-regression.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ChurnRiskLevel } from "../generated/prisma/enums.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import { MIN_BUYERS_TO_FIT, MIN_REPEAT_BUYERS_TO_FIT } from "./buyer-histories.ts";
import { CHURN_FEATURE_DIRECTIONS } from "./churn-factors.ts";
import {
  CENTERED_FEATURES,
  CHURN_FEATURES,
  type ChurnFeature,
  type ChurnFeatureValues,
  type ChurnWeights,
  churnFeatureValues,
  churnRiskLevel,
  defaultChurnWeights,
  type PurchaseOutlook,
  withinLearnedRange,
} from "./churn-risk.ts";
import { type CustomerSignals, readCustomerSignals } from "./customer-signals.ts";
import { type PredictionQuality, predictionQuality } from "./models/backtest-metrics.ts";
import {
  type BgNbdParameters,
  expectedTransactions,
  fitBgNbd,
  probabilityAlive,
  probabilityOfNoPurchase,
} from "./models/bg-nbd.ts";
import { purchaseHistoryAt } from "./models/purchase-summary.ts";

const DAY_MS = 86_400_000;
/** Below these, the weights would follow noise: the defaults are used instead. */
export const MIN_BACKTEST_CUSTOMERS = 200;
export const MIN_BACKTEST_OUTCOMES = 30;
/** A signal seen for fewer customers than this keeps its default weight instead of a learned one. */
export const MIN_FEATURE_OBSERVATIONS = 30;
/** Customers read for a backtest at most (evenly spread over the customer ids): enough to learn a dozen weights. */
export const MAX_BACKTEST_CUSTOMERS = 200_000;
const SIGNAL_BATCH = 5_000;
const FOLDS = 5;

export interface LevelOutcome {
  level: ChurnRiskLevel;
  /** Share of the backtest's customers the out-of-fold predictions put at this level. */
  share: number;
  customers: number;
  /** Share of them who lapsed; null when the level is empty. */
  lapsed: number | null;
}

export interface Backtest {
  cutoff: Date;
  end: Date;
  horizonDays: number;
  /** LEARNED: the weights come from this backtest; DEFAULT: they do not, and `note` says why. */
  weightsSource: ChurnWeights["source"];
  note: string;
  /** Out-of-fold figures of the churn model; null when nothing could be measured. */
  model: PredictionQuality | null;
  /** The same figures for days since the last purchase alone (days since the last activity without one). */
  recencyBaseline: PredictionQuality | null;
  levels: LevelOutcome[];
}

const qualitySchema = z.object({
  customers: z.number(),
  positives: z.number(),
  auc: z.number(),
  brierScore: z.number(),
  expectedCalibrationError: z.number(),
  calibration: z.array(
    z.object({
      lower: z.number(),
      upper: z.number(),
      customers: z.number(),
      predicted: z.number().nullable(),
      observed: z.number().nullable(),
    }),
  ),
  liftTopDecile: z.number(),
});

/** Reads a backtest back from ScoreModel.backtest. */
export const backtestSchema = z.object({
  cutoff: z.coerce.date(),
  end: z.coerce.date(),
  horizonDays: z.number(),
  weightsSource: z.enum(["LEARNED", "DEFAULT"]),
  note: z.string(),
  model: qualitySchema.nullable(),
  recencyBaseline: qualitySchema.nullable(),
  levels: z.array(
    z.object({
      level: z.enum(["LOW", "MEDIUM", "HIGH", "CRITICAL"]),
      share: z.number(),
      customers: z.number(),
      lapsed: z.number().nullable(),
    }),
  ),
}) satisfies z.ZodType<Backtest, unknown>;

export interface LearnedChurnModel {
  weights: ChurnWeights;
  backtest: Backtest;
}

/** Runs the backtest that ends at `end` and returns the weights to score with and the figures. */
export async function learnChurnModel(
  db: Db,
  options: {
    policy: ScoringPolicy;
    end: Date;
    /**
     * Learn from purchases alone, as a hub with only an order history would: what the other channels
     * add is the difference (the bench and the tests measure it). Not for scoring.
     */
    purchasesOnly?: boolean;
  },
): Promise<LearnedChurnModel> {
  const { policy, end } = options;
  const horizonDays = policy.churnHorizonDays;
  const cutoff = new Date(end.getTime() - horizonDays * DAY_MS);
  const fallback = (note: string, model: PredictionQuality | null = null): LearnedChurnModel => ({
    weights: defaultChurnWeights(policy),
    backtest: {
      cutoff,
      end,
      horizonDays,
      weightsSource: "DEFAULT",
      note,
      model,
      recencyBaseline: null,
      levels: [],
    },
  });

  const read = await signalsAt(db, cutoff, policy);
  const purchaseModel = fitPurchaseModelAt(read, cutoff, policy);
  const customers = options.purchasesOnly ? read.flatMap(purchasesOnlyView) : read;
  if (customers.length < MIN_BACKTEST_CUSTOMERS) {
    return fallback(
      `Too little history to learn from: ${customers.length} customer(s) had any activity by ${isoDate(cutoff)}, one churn horizon (${horizonDays} days) before ${isoDate(end)}; learning needs ${MIN_BACKTEST_CUSTOMERS}. Scores use the default weights.`,
    );
  }
  const active = await activeBetween(db, cutoff, end, policy);
  const lapsed = customers.map((customer) => !active.has(customer.customerId));
  const lapses = lapsed.filter(Boolean).length;
  if (Math.min(lapses, customers.length - lapses) < MIN_BACKTEST_OUTCOMES) {
    return fallback(
      `Too few outcomes to learn from: of ${customers.length} customers active by ${isoDate(cutoff)}, ${lapses} lapsed within ${horizonDays} days and ${customers.length - lapses} did not; learning needs ${MIN_BACKTEST_OUTCOMES} of each. Scores use the default weights.`,
    );
  }

  const measured = customers.map((customer) =>
    churnFeatureValues(customer, outlookAt(customer, purchaseModel, cutoff, horizonDays), policy, cutoff),
  );
  // The model learns, and later scores, each measured signal within the range most of the history
  // showed: a handful of outliers must not set a weight, and a weight must not extrapolate.
  const ranges = learnedRanges(measured);
  const values = measured.map((value) => heldWithin(value, ranges));
  const centers = featureCenters(values);
  // A signal the history barely shows (a hub that never ran a survey) cannot be learned: it is left
  // out of the fit and keeps its default weight, so an answer that arrives later still counts.
  const learnable = CHURN_FEATURES.map(
    (feature) => observations(values, feature) >= MIN_FEATURE_OBSERVATIONS,
  );
  const { rows, fit, leftOut } = fitWithinDirections(values, lapsed, learnable, centers);
  const unlearned = CHURN_FEATURES.filter((_, j) => !learnable[j]);
  const defaults = defaultChurnWeights(policy).features;
  const features = Object.fromEntries(
    CHURN_FEATURES.map((feature, j) => [
      feature,
      learnable[j]
        ? { weight: fit.coefficients[j] as number, center: centers[feature], ...ranges[feature] }
        : { weight: defaults[feature].weight, center: 0 },
    ]),
  ) as ChurnWeights["features"];
  const weights: ChurnWeights = {
    source: "LEARNED",
    horizonDays,
    baseLogOdds: CHURN_FEATURES.reduce(
      (sum, feature, j) => sum + (learnable[j] ? (fit.coefficients[j] as number) * centers[feature] : 0),
      fit.intercept,
    ),
    features,
  };

  const predictions = crossValidatedPredictions(rows, lapsed, FOLDS);
  const recencyRows = customers.map((customer) => [Math.log1p(daysSinceLastPurchase(customer, cutoff))]);
  const recencyPredictions = crossValidatedPredictions(recencyRows, lapsed, FOLDS);
  const model = predictionQuality(predictions, lapsed);
  return {
    weights,
    backtest: {
      cutoff,
      end,
      horizonDays,
      weightsSource: "LEARNED",
      note: `Weights learned from ${customers.length} customers active by ${isoDate(cutoff)}, of whom ${percent(lapses / customers.length)} lapsed within the next ${horizonDays} days. Figures are out-of-fold (${FOLDS}-fold cross-validation).${leftOut.length > 0 ? ` Left out (weight 0), as their learned weights came out against what they mean: ${leftOut.join(", ")}.` : ""}${unlearned.length > 0 ? ` Too rarely seen here to learn, so at their default weights: ${unlearned.join(", ")}.` : ""}`,
      model,
      recencyBaseline: predictionQuality(recencyPredictions, lapsed),
      levels: levelOutcomes(predictions, lapsed, policy),
    },
  };
}

/**
 * The churn model's fit with every signal's weight in its direction (CHURN_FEATURE_DIRECTIONS): a
 * signal whose weight comes out against it is left out (a constant column, so weight 0) and the rest
 * fitted again, one at a time, until none is against. Greedy: a signal once left out is not tried again
 * after a later one goes (each refit only ever drops, so at most one fit per directed signal more). Returns the rows as fitted, which the backtest's
 * cross-validation then uses, so its figures are those of the model the scores use.
 */
function fitWithinDirections(
  values: readonly ChurnFeatureValues[],
  lapsed: readonly boolean[],
  learnable: readonly boolean[],
  centers: Record<ChurnFeature, number>,
): { rows: number[][]; fit: LogisticFit; leftOut: ChurnFeature[] } {
  const included = [...learnable];
  for (;;) {
    const rows = values.map((value) =>
      CHURN_FEATURES.map((feature, j) => (included[j] ? (value[feature] ?? centers[feature]) : 0)),
    );
    const fit = fitLogisticRegression(rows, lapsed);
    // The one most clearly against (by its Wald z) goes first, then the rest are fitted again:
    // signals overlap (recency and the purchase pattern, say), and leaving one out can set another right.
    const k = CHURN_FEATURES.length + 1;
    let worst = -1;
    let worstZ = 0;
    CHURN_FEATURES.forEach((feature, j) => {
      const coefficient = fit.coefficients[j] as number;
      if (!included[j] || CHURN_FEATURE_DIRECTIONS[feature] * coefficient >= 0) return;
      const variance = fit.covariance[(j + 1) * k + (j + 1)] as number;
      const z = Math.abs(coefficient) / Math.sqrt(Math.max(variance, Number.MIN_VALUE));
      if (z > worstZ || worst === -1) {
        worst = j;
        worstZ = z;
      }
    });
    const against = worst === -1 ? 0 : 1;
    if (worst !== -1) included[worst] = false;
    if (against === 0) {
      const leftOut = CHURN_FEATURES.filter((_, j) => learnable[j] && !included[j]);
      return { rows, fit, leftOut };
    }
  }
}

/** The purchase model as it would have been fitted at the cutoff; null with too few buyers then. */
function fitPurchaseModelAt(
  customers: readonly CustomerSignals[],
  cutoff: Date,
  policy: ScoringPolicy,
): BgNbdParameters | null {
  // The signals already hold each buyer's purchase days as of the cutoff: no second read of the orders.
  const histories = customers.flatMap((customer) =>
    customer.purchases ? [purchaseHistoryAt(customer.purchases, cutoff)] : [],
  );
  const repeaters = histories.filter((history) => history.frequency > 0).length;
  if (histories.length < MIN_BUYERS_TO_FIT || repeaters < MIN_REPEAT_BUYERS_TO_FIT) return null;
  return fitBgNbd(histories, { variant: policy.purchaseModel }).parameters;
}

function outlookAt(
  customer: CustomerSignals,
  model: BgNbdParameters | null,
  asOf: Date,
  horizonDays: number,
): PurchaseOutlook | null {
  const purchases = customer.purchases;
  if (!purchases || !model) return null;
  const history = purchaseHistoryAt(purchases, asOf);
  return {
    transactions: purchases.transactions,
    lastDay: purchases.lastDay,
    probabilityAlive: probabilityAlive(model, history),
    expectedPurchases: expectedTransactions(model, history, horizonDays / 7),
    probabilityOfNoPurchase: probabilityOfNoPurchase(model, history, horizonDays / 7),
  };
}

/** Signals as of the cutoff of the live customers who had any activity by then, sampled when there are many. */
async function signalsAt(db: Db, asOf: Date, policy: ScoringPolicy): Promise<CustomerSignals[]> {
  const rows = await db.$queryRaw<Array<{ id: string }>>(Prisma.sql`
    SELECT c."id" FROM "Customer" c
    WHERE c."mergedIntoId" IS NULL
      AND (EXISTS (SELECT 1 FROM "Interaction" i WHERE i."customerId" = c."id" AND i."occurredAt" <= ${asOf})
           OR EXISTS (SELECT 1 FROM "Feedback" f WHERE f."customerId" = c."id" AND f."respondedAt" <= ${asOf}))
    ORDER BY c."id"`);
  const step = Math.max(1, rows.length / MAX_BACKTEST_CUSTOMERS);
  const ids: string[] = [];
  for (let k = 0; Math.floor(k) < rows.length; k += step)
    ids.push((rows[Math.floor(k)] as { id: string }).id);
  const signals: CustomerSignals[] = [];
  for (let start = 0; start < ids.length; start += SIGNAL_BATCH) {
    const batch = ids.slice(start, start + SIGNAL_BATCH);
    signals.push(...(await readCustomerSignals(db, { customerIds: batch, asOf, policy })));
  }
  return signals.filter((customer) => customer.firstActivityAt !== null);
}

/** What a customer's signals would be with an order history alone; nothing without purchases. */
function purchasesOnlyView(customer: CustomerSignals): CustomerSignals[] {
  const purchases = customer.purchases;
  if (!purchases) return [];
  return [
    {
      ...customer,
      recentInteractions: 0,
      baselineInteractions: 0,
      averageSentiment: null,
      sentimentMessages: 0,
      latestNps: null,
      latestCsat: null,
      latestCes: null,
      unansweredMessages: 0,
      firstActivityAt: purchases.firstDay,
      lastActivityAt: purchases.lastDay,
    },
  ];
}

/** Customers who bought or reached out (an inbound interaction or an answer) in (from, to]. */
async function activeBetween(db: Db, from: Date, to: Date, policy: ScoringPolicy): Promise<Set<string>> {
  const rows = await db.$queryRaw<Array<{ id: string }>>(Prisma.sql`
    SELECT DISTINCT i."customerId" AS id FROM "Interaction" i
    WHERE i."occurredAt" > ${from} AND i."occurredAt" <= ${to}
      AND (i."direction" = 'INBOUND' OR i."kind" = ANY(${policy.purchaseKinds}::text[]))
    UNION
    SELECT DISTINCT f."customerId" FROM "Feedback" f WHERE f."respondedAt" > ${from} AND f."respondedAt" <= ${to}`);
  return new Set(rows.map((row) => row.id));
}

/** Customers for whom a feature says something: centred ones where they apply, the others where not 0. */
function observations(
  values: ReadonlyArray<Record<ChurnFeature, number | null>>,
  feature: ChurnFeature,
): number {
  const centered = CENTERED_FEATURES.has(feature);
  let n = 0;
  for (const value of values) {
    const v = value[feature];
    if (v !== null && (centered || v !== 0)) n++;
  }
  return n;
}

/** Share of the history left beyond each end of a measured signal's learned range. */
const RANGE_TAIL = 0.01;

type LearnedRanges = Partial<Record<ChurnFeature, { lower: number; upper: number }>>;

/**
 * The 1st to the 99th percentile of each centred feature (the measured ones: days, purchases, money,
 * the purchase model's odds); the others are bounded by construction.
 */
function learnedRanges(values: ReadonlyArray<Record<ChurnFeature, number | null>>): LearnedRanges {
  const ranges: LearnedRanges = {};
  for (const feature of CENTERED_FEATURES) {
    const sorted = values
      .map((value) => value[feature])
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
    if (!sorted.length) continue;
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
    ranges[feature] = { lower: at(RANGE_TAIL), upper: at(1 - RANGE_TAIL) };
  }
  return ranges;
}

function heldWithin(value: ChurnFeatureValues, ranges: LearnedRanges): ChurnFeatureValues {
  const held = { ...value };
  for (const feature of CENTERED_FEATURES) {
    const v = value[feature];
    const range = ranges[feature];
    if (v !== null && range) held[feature] = withinLearnedRange(v, range.lower, range.upper);
  }
  return held;
}

/** The typical customer: the mean of each centred feature where it applies; 0 for the others. */
function featureCenters(
  values: ReadonlyArray<Record<ChurnFeature, number | null>>,
): Record<ChurnFeature, number> {
  return Object.fromEntries(
    CHURN_FEATURES.map((feature) => {
      if (!CENTERED_FEATURES.has(feature)) return [feature, 0];
      let sum = 0;
      let n = 0;
      for (const value of values) {
        const v = value[feature];
        if (v !== null) {
          sum += v;
          n++;
        }
      }
      return [feature, n ? sum / n : 0];
    }),
  ) as Record<ChurnFeature, number>;
}

function daysSinceLastPurchase(customer: CustomerSignals, asOf: Date): number {
  const last = customer.purchases?.lastDay ?? customer.lastActivityAt ?? customer.firstActivityAt;
  return last ? Math.max(0, (asOf.getTime() - last.getTime()) / DAY_MS) : 0;
}

function levelOutcomes(predictions: number[], lapsed: boolean[], policy: ScoringPolicy): LevelOutcome[] {
  const levels: ChurnRiskLevel[] = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];
  return levels.map((level) => {
    let customers = 0;
    let lapses = 0;
    predictions.forEach((p, i) => {
      if (churnRiskLevel(p, policy) !== level) return;
      customers++;
      if (lapsed[i]) lapses++;
    });
    return {
      level,
      customers,
      share: customers / predictions.length,
      lapsed: customers ? lapses / customers : null,
    };
  });
}

const isoDate = (date: Date) => date.toISOString().slice(0, 10);
const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;
