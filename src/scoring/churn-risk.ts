// Churn risk: the probability that a customer lapses — makes no purchase and reaches out on no channel —
// within the policy's churn horizon, with the reasons an account manager reads. A logistic model,
// additive in log-odds, so each factor's share of the score is its own contribution:
//   risk = sigmoid( base + Σ weight_i · (value_i − center_i) )
// where `base` is the log-odds of the hub's typical customer (every value at its center) and a factor
// moves the risk by how far this customer is from typical on it. The weights are learned from the hub's
// own history by a time-split backtest (backtest.ts); a hub with too little history uses the default
// weights below, and the model says so.
import { z } from "zod";
import type { ChurnRiskLevel } from "../generated/prisma/enums.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import {
  CES_STRENGTH,
  CHURN_FEATURES,
  type ChurnFeature,
  type ChurnReason,
  type ChurnReasonValues,
  CSAT_STRENGTH,
  NEGLIGIBLE,
  NPS_STRENGTH,
  type ReasonFacts,
} from "./churn-factors.ts";
import { daysBetween, explainReasons, isoDate } from "./churn-reasons.ts";
import type { CustomerSignals, SurveyAnswer } from "./customer-signals.ts";

export {
  CHURN_FACTORS,
  CHURN_FEATURES,
  type ChurnFactor,
  type ChurnFeature,
  type ChurnReason,
  type ChurnReasonValues,
  churnReasonSchema,
  churnReasonsSchema,
} from "./churn-factors.ts";
export { articleForNumber } from "./churn-reasons.ts";

/** Features measured against the typical customer; the others are 0 when absent and centred at 0. */
export const CENTERED_FEATURES: ReadonlySet<ChurnFeature> = new Set([
  "PURCHASE_PATTERN",
  "RECENCY",
  "FREQUENCY",
  "TENURE",
  "SPEND",
]);

/** One feature's weight, as stored. */
const churnFeatureWeightSchema = z.object({
  weight: z.number(),
  center: z.number(),
  /**
   * The range the weight was learned on (the 1st to the 99th percentile of the history). A value
   * beyond it counts as its edge: a weight learned where a signal barely varied must not extrapolate
   * to a customer far outside what the history showed. Absent for default weights (no limit).
   */
  lower: z.number().optional(),
  upper: z.number().optional(),
});

/** The churn model's weights, as stored with each fitted model (ScoreModel.churnModel). */
export const churnWeightsSchema = z.object({
  /** LEARNED from this hub's history, or the documented DEFAULT weights when it had too little. */
  source: z.enum(["LEARNED", "DEFAULT"]),
  /** The churn horizon the weights were learned for; other horizons fall back to the defaults. */
  horizonDays: z.number().int().positive(),
  /** Log-odds of lapsing of the typical customer, every feature at its center. */
  baseLogOdds: z.number(),
  features: z.object(
    Object.fromEntries(CHURN_FEATURES.map((feature) => [feature, churnFeatureWeightSchema])) as Record<
      ChurnFeature,
      typeof churnFeatureWeightSchema
    >,
  ),
});
export type ChurnWeights = z.infer<typeof churnWeightsSchema>;

/**
 * The weights of a hub with too little history to learn from: the purchase model's chance of no
 * purchase as it stands (weight purchasePattern on its log-odds), a customer without purchases
 * starting from 50%, and the policy's weights for the other channels' signals (README, "Scores").
 */
export function defaultChurnWeights(policy: ScoringPolicy): ChurnWeights {
  // Rescoring asks once per customer: built once per policy.
  const cached = defaultWeightsByPolicy.get(policy);
  if (cached) return cached;
  const built = buildDefaultWeights(policy);
  defaultWeightsByPolicy.set(policy, built);
  return built;
}

const defaultWeightsByPolicy = new WeakMap<ScoringPolicy, ChurnWeights>();

function buildDefaultWeights(policy: ScoringPolicy): ChurnWeights {
  const w = policy.weights;
  const feature = (weight: number) => ({ weight, center: 0 });
  return {
    source: "DEFAULT",
    horizonDays: policy.churnHorizonDays,
    baseLogOdds: 0,
    features: {
      PURCHASE_PATTERN: feature(w.purchasePattern),
      RECENCY: feature(0),
      FREQUENCY: feature(0),
      TENURE: feature(0),
      SPEND: feature(0),
      NO_PURCHASES: feature(0),
      ENGAGEMENT_DROP: feature(w.engagementDrop),
      SENTIMENT: feature(-w.sentiment),
      NPS: feature(w.nps),
      CSAT: feature(w.csat),
      CES: feature(w.ces),
      UNANSWERED_MESSAGES: feature(w.unansweredMessages),
    },
  };
}

/** The weights to score with: the model's own when they were learned for the policy's horizon. */
export function weightsFor(stored: ChurnWeights | null, policy: ScoringPolicy): ChurnWeights {
  return stored && stored.horizonDays === policy.churnHorizonDays ? stored : defaultChurnWeights(policy);
}

/** What the purchase model says about a customer who has bought something. */
export interface PurchaseOutlook {
  transactions: number;
  lastDay: Date;
  probabilityAlive: number;
  /** Purchases the model expects within the policy's churn horizon. */
  expectedPurchases: number;
  /** The model's chance of no purchase within the churn horizon: the purchase signal of churn risk. */
  probabilityOfNoPurchase: number;
}

export interface ChurnAssessment {
  churnRisk: number;
  level: ChurnRiskLevel;
  /** The reasons as a score stores them (values, no sentences), largest effect first. */
  reasonValues: ChurnReasonValues[];
  /** The same reasons with their sentences as of the assessment's moment (built when first read). */
  readonly reasons: ChurnReason[];
  /** 0–100, higher is healthier: 100 × (1 − churn risk), rounded. */
  health: number;
}

/** A customer's feature values; null where a feature does not apply (it then moves nothing). */
export type ChurnFeatureValues = Record<ChurnFeature, number | null>;

/** Keeps logit finite for the purchase model's certainties. */
const PROBABILITY_FLOOR = 1e-4;

/**
 * The model's inputs for one customer as of `asOf`. Days and counts enter as log(1 + n): a week's
 * difference matters more at 10 days than at 300. Survey answers enter as strengths from −0.5
 * (a promoter, a satisfied or easy answer) to 1 (the worst answer).
 */
export function churnFeatureValues(
  signals: CustomerSignals,
  outlook: PurchaseOutlook | null,
  policy: ScoringPolicy,
  asOf: Date,
): ChurnFeatureValues {
  const purchases = signals.purchases;
  const w = policy.windows;
  const engaged = signals.baselineInteractions >= w.minBaselineInteractions;
  const expected = (signals.baselineInteractions * w.recentActivityDays) / w.baselineActivityDays;
  const spend =
    purchases && purchases.totalSpend !== null && purchases.transactionsWithValue > 0
      ? purchases.totalSpend / purchases.transactionsWithValue
      : null;
  return {
    PURCHASE_PATTERN: outlook ? logit(clampProbability(outlook.probabilityOfNoPurchase)) : null,
    RECENCY: signals.lastActivityAt ? Math.log1p(daysBetween(signals.lastActivityAt, asOf)) : null,
    FREQUENCY: purchases ? Math.log1p(purchases.transactions - 1) : null,
    TENURE: signals.firstActivityAt ? Math.log1p(daysBetween(signals.firstActivityAt, asOf)) : null,
    SPEND: spend !== null && spend >= 0 ? Math.log1p(spend) : null,
    NO_PURCHASES: purchases ? 0 : 1,
    ENGAGEMENT_DROP: engaged ? Math.max(0, 1 - signals.recentInteractions / expected) : 0,
    SENTIMENT: signals.sentimentMessages > 0 ? (signals.averageSentiment ?? 0) : 0,
    NPS: signals.latestNps ? NPS_STRENGTH(signals.latestNps.score) : 0,
    CSAT: signals.latestCsat ? (CSAT_STRENGTH[signals.latestCsat.score] ?? 0) : 0,
    CES: signals.latestCes ? (CES_STRENGTH[signals.latestCes.score] ?? 0) : 0,
    UNANSWERED_MESSAGES:
      Math.min(signals.unansweredMessages, w.unansweredSaturation) / w.unansweredSaturation,
  };
}

/**
 * The contribution of each feature in log-odds: weight × (value − center), 0 where it does not apply,
 * with the value held within the range the weight was learned on.
 */
export function churnContributions(
  values: ChurnFeatureValues,
  weights: ChurnWeights,
): Record<ChurnFeature, number> {
  // A loop, not Object.fromEntries over pairs: this runs for every customer of a rescore.
  const contributions = {} as Record<ChurnFeature, number>;
  for (const feature of CHURN_FEATURES) contributions[feature] = contributionOf(feature, values, weights);
  return contributions;
}

function contributionOf(feature: ChurnFeature, values: ChurnFeatureValues, weights: ChurnWeights): number {
  const value = values[feature];
  const { weight, center, lower, upper } = weights.features[feature];
  // An absent signal moves nothing: null, or 0 for a signal that is not measured from a center.
  const absent = value === null || (value === 0 && !CENTERED_FEATURES.has(feature));
  return absent ? 0 : weight * (withinLearnedRange(value, lower, upper) - center);
}

/** A value held within [lower, upper]; either bound may be absent. */
export function withinLearnedRange(value: number, lower?: number, upper?: number): number {
  if (lower !== undefined && value < lower) return lower;
  if (upper !== undefined && value > upper) return upper;
  return value;
}

export function assessChurnRisk(
  signals: CustomerSignals,
  outlook: PurchaseOutlook | null,
  weights: ChurnWeights,
  policy: ScoringPolicy,
  asOf: Date,
): ChurnAssessment {
  const values = churnFeatureValues(signals, outlook, policy, asOf);
  // Plain loops over the features, no intermediate arrays or closures: a rescore assesses every
  // customer, and their allocations were most of its garbage. The sums run in the features' order.
  const contributions = churnContributions(values, weights);
  let total = weights.baseLogOdds;
  for (const feature of CHURN_FEATURES) total += contributions[feature];
  const churnRisk = sigmoid(total);
  const context: FactContext = { signals, outlook, policy, asOf, weights, values };
  const listed: ChurnFeature[] = [];
  let moved = 0;
  for (const feature of CHURN_FEATURES) {
    const contribution = contributions[feature];
    if (Math.abs(contribution) < NEGLIGIBLE && !isStartingPoint(feature, values, weights)) continue;
    listed.push(feature);
    moved += Math.abs(contribution);
  }
  const reasonValues: ChurnReasonValues[] = [];
  for (const feature of listed) {
    const contribution = contributions[feature];
    reasonValues.push({
      factor: feature,
      value: shownValue(feature, context),
      contribution,
      facts: facts(feature, context),
      weight: moved > 0 ? Math.abs(contribution) / moved : 0,
    });
  }
  // Without a purchase model a buyer's purchases are listed too; it moves nothing (weight 0).
  if (signals.purchases && !outlook) reasonValues.push({ ...noPurchaseModel(signals), weight: 0 });
  reasonValues.sort((left, right) => right.weight - left.weight);
  let explained: ChurnReason[] | undefined;
  return {
    churnRisk,
    level: churnRiskLevel(churnRisk, policy),
    reasonValues,
    // Sentences cost more than the score; most scores are never shown, so they are built when read.
    get reasons() {
      explained ??= explainReasons(reasonValues, { now: asOf, computedAt: asOf });
      return explained;
    },
    health: Math.round(100 * (1 - churnRisk)),
  };
}

export function churnRiskLevel(risk: number, policy: ScoringPolicy): ChurnRiskLevel {
  const { medium, high, critical } = policy.levels;
  if (risk >= critical) return "CRITICAL";
  if (risk >= high) return "HIGH";
  if (risk >= medium) return "MEDIUM";
  return "LOW";
}

type Draft = Omit<ChurnReasonValues, "weight">;

/**
 * Under the default weights a score starts from the purchase model's outlook, or from 50% without
 * purchases: that starting point is always listed, even when it moves nothing, so every score says
 * where it started. Learned weights start from the typical customer, which `typicalRisk` states.
 */
function isStartingPoint(feature: ChurnFeature, values: ChurnFeatureValues, weights: ChurnWeights): boolean {
  if (weights.source !== "DEFAULT") return false;
  if (feature === "PURCHASE_PATTERN") return values.PURCHASE_PATTERN !== null;
  return feature === "NO_PURCHASES" && values.NO_PURCHASES === 1;
}

interface FactContext {
  signals: CustomerSignals;
  outlook: PurchaseOutlook | null;
  policy: ScoringPolicy;
  asOf: Date;
  weights: ChurnWeights;
  values: ChurnFeatureValues;
}

/** What a reason shows as its value: the measurement in its own unit, not the model's transform. */
function shownValue(feature: ChurnFeature, { signals, outlook, values, asOf }: FactContext): number {
  switch (feature) {
    case "PURCHASE_PATTERN":
      return outlook?.probabilityOfNoPurchase ?? 0;
    case "RECENCY":
      return signals.lastActivityAt ? daysBetween(signals.lastActivityAt, asOf) : 0;
    case "FREQUENCY":
      return signals.purchases?.transactions ?? 0;
    case "TENURE":
      return signals.firstActivityAt ? daysBetween(signals.firstActivityAt, asOf) : 0;
    case "SPEND":
      return Math.expm1(values.SPEND ?? 0);
    case "NO_PURCHASES":
      return 0;
    case "ENGAGEMENT_DROP":
      return values.ENGAGEMENT_DROP ?? 0;
    case "SENTIMENT":
      return signals.averageSentiment ?? 0;
    case "NPS":
      return signals.latestNps?.score ?? 0;
    case "CSAT":
      return signals.latestCsat?.score ?? 0;
    case "CES":
      return signals.latestCes?.score ?? 0;
    case "UNANSWERED_MESSAGES":
      return signals.unansweredMessages;
  }
}

/** What a reason's sentence cites (churn-factors.ts): dates and numbers, never days to now. */
function facts(feature: ChurnFeature, context: FactContext): ReasonFacts {
  const { signals, outlook, policy, weights } = context;
  const w = policy.windows;
  switch (feature) {
    case "PURCHASE_PATTERN": {
      const o = outlook as PurchaseOutlook;
      return {
        purchases: o.transactions,
        // As the sentence shows it: a row whose sentence would not change need not be rewritten.
        expectedPurchases: Math.round(o.expectedPurchases * 100) / 100,
        lastPurchaseOn: isoDate(o.lastDay),
        horizonDays: policy.churnHorizonDays,
      };
    }
    case "RECENCY":
      return {
        lastActiveAt: (signals.lastActivityAt as Date).toISOString(),
        typical: typicalOf("RECENCY", weights),
      };
    case "FREQUENCY":
      return {
        purchases: signals.purchases?.transactions ?? 0,
        typical: typicalOf("FREQUENCY", weights) + 1,
      };
    case "TENURE":
      return {
        firstActiveAt: (signals.firstActivityAt as Date).toISOString(),
        typical: typicalOf("TENURE", weights),
      };
    case "SPEND":
      return {
        spend: Math.expm1(context.values.SPEND ?? 0),
        typical: typicalOf("SPEND", weights),
        currency: policy.currency,
      };
    case "NO_PURCHASES":
      return { learned: weights.source === "LEARNED" };
    case "ENGAGEMENT_DROP":
      return {
        interactions: signals.recentInteractions,
        usual: (signals.baselineInteractions * w.recentActivityDays) / w.baselineActivityDays,
        windowDays: w.recentActivityDays,
      };
    case "SENTIMENT":
      return {
        messages: signals.sentimentMessages,
        sentiment: signals.averageSentiment ?? 0,
        windowDays: w.sentimentDays,
      };
    case "NPS":
      return answerFacts(signals.latestNps);
    case "CSAT":
      return answerFacts(signals.latestCsat);
    case "CES":
      return answerFacts(signals.latestCes);
    case "UNANSWERED_MESSAGES":
      return {
        messages: signals.unansweredMessages,
        windowDays: w.unansweredDays,
        replyWithinHours: w.replyWithinHours,
      };
  }
}

/** The typical customer's measurement of a feature (its center, back in the feature's own unit). */
function typicalOf(feature: ChurnFeature, weights: ChurnWeights): number {
  return Math.max(0, Math.expm1(weights.features[feature].center));
}

function answerFacts(answer: SurveyAnswer | null): ReasonFacts {
  return answer ? { answer: answer.score, answeredOn: isoDate(answer.respondedAt) } : {};
}

function noPurchaseModel(signals: CustomerSignals): Draft {
  return {
    factor: "NO_PURCHASE_MODEL",
    value: signals.purchases?.transactions ?? 0,
    contribution: 0,
    facts: {},
  };
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function logit(p: number): number {
  return Math.log(p / (1 - p));
}

function clampProbability(p: number): number {
  return Math.min(1 - PROBABILITY_FLOOR, Math.max(PROBABILITY_FLOOR, p));
}
