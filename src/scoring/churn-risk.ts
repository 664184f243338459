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
import type { CustomerSignals, SurveyAnswer } from "./customer-signals.ts";

/** The factors the model weighs, in the order of a feature row. */
export const CHURN_FEATURES = [
  "PURCHASE_PATTERN",
  "RECENCY",
  "FREQUENCY",
  "TENURE",
  "SPEND",
  "NO_PURCHASES",
  "ENGAGEMENT_DROP",
  "SENTIMENT",
  "NPS",
  "CSAT",
  "CES",
  "UNANSWERED_MESSAGES",
] as const;
/** Every factor a stored reason may name: the features, and that no purchase model is fitted yet. */
export const CHURN_FACTORS = [...CHURN_FEATURES, "NO_PURCHASE_MODEL"] as const;
export type ChurnFactor = (typeof CHURN_FACTORS)[number];
export type ChurnFeature = (typeof CHURN_FEATURES)[number];

/** Features measured against the typical customer; the others are 0 when absent and centred at 0. */
export const CENTERED_FEATURES: ReadonlySet<ChurnFeature> = new Set([
  "PURCHASE_PATTERN",
  "RECENCY",
  "FREQUENCY",
  "TENURE",
  "SPEND",
]);

/**
 * One factor behind a churn risk, as stored in Score.reasons, ScoreHistory.reasons and Alert.reasons
 * and shown to account managers; the schema reads them back from those columns.
 */
export const churnReasonSchema = z.object({
  factor: z.enum(CHURN_FACTORS),
  /** The measured value: a probability, a number of days, purchases, money, a drop, a sentiment, an answer or a count. */
  value: z.number(),
  /** Log-odds points added to the risk (negative: it lowers the risk). */
  contribution: z.number(),
  /** This factor's share of what the listed reasons moved: |contribution| / Σ |contributions|. */
  weight: z.number().min(0).max(1),
  explanation: z.string(),
});
export type ChurnReason = z.infer<typeof churnReasonSchema>;

/** A score's reasons, largest effect first, as stored. */
export const churnReasonsSchema = z.array(churnReasonSchema);

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
}

export interface ChurnAssessment {
  churnRisk: number;
  level: ChurnRiskLevel;
  /** Largest effect first. */
  reasons: ChurnReason[];
  /** 0–100, higher is healthier: 100 × (1 − churn risk), rounded. */
  health: number;
}

/** A customer's feature values; null where a feature does not apply (it then moves nothing). */
export type ChurnFeatureValues = Record<ChurnFeature, number | null>;

const DAY_MS = 86_400_000;
/** Keeps logit finite for the purchase model's certainties. */
const PROBABILITY_FLOOR = 1e-4;
/** Contributions smaller than this are not worth a line in the reasons. */
const NEGLIGIBLE = 0.01;

const NPS_STRENGTH = (score: number) => (score <= 6 ? 0.4 + (0.6 * (6 - score)) / 6 : score >= 9 ? -0.5 : 0);
const CSAT_STRENGTH: Record<number, number> = { 1: 1, 2: 0.6, 3: 0, 4: -0.3, 5: -0.5 };
const CES_STRENGTH: Record<number, number> = { 1: -0.5, 2: -0.35, 3: -0.2, 4: 0, 5: 0.4, 6: 0.7, 7: 1 };

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
    PURCHASE_PATTERN: outlook ? logit(clampProbability(Math.exp(-outlook.expectedPurchases))) : null,
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
  return Object.fromEntries(
    CHURN_FEATURES.map((feature) => {
      const value = values[feature];
      const { weight, center, lower, upper } = weights.features[feature];
      // An absent signal moves nothing: null, or 0 for a signal that is not measured from a center.
      const absent = value === null || (value === 0 && !CENTERED_FEATURES.has(feature));
      return [feature, absent ? 0 : weight * (withinLearnedRange(value, lower, upper) - center)];
    }),
  ) as Record<ChurnFeature, number>;
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
  const contributions = churnContributions(values, weights);
  const total = CHURN_FEATURES.reduce((sum, feature) => sum + contributions[feature], weights.baseLogOdds);
  const churnRisk = sigmoid(total);
  const context: SentenceContext = { signals, outlook, policy, asOf, weights, values };
  const drafts: Draft[] = CHURN_FEATURES.flatMap((feature) => {
    const contribution = contributions[feature];
    if (Math.abs(contribution) < NEGLIGIBLE && !isStartingPoint(feature, values, weights)) return [];
    return [
      {
        factor: feature,
        value: shownValue(feature, context),
        contribution,
        explanation: sentence(feature, contribution, context),
      },
    ];
  });
  if (signals.purchases && !outlook) drafts.push(noPurchaseModel(signals));
  const moved = drafts.reduce((sum, draft) => sum + Math.abs(draft.contribution), 0);
  const reasons = drafts
    .map((draft) => ({ ...draft, weight: moved > 0 ? Math.abs(draft.contribution) / moved : 0 }))
    .sort((left, right) => right.weight - left.weight);
  return {
    churnRisk,
    level: churnRiskLevel(churnRisk, policy),
    reasons,
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

type Draft = Omit<ChurnReason, "weight">;

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

interface SentenceContext {
  signals: CustomerSignals;
  outlook: PurchaseOutlook | null;
  policy: ScoringPolicy;
  asOf: Date;
  weights: ChurnWeights;
  values: ChurnFeatureValues;
}

/** What a reason shows as its value: the measurement in its own unit, not the model's transform. */
function shownValue(feature: ChurnFeature, { signals, outlook, values, asOf }: SentenceContext): number {
  switch (feature) {
    case "PURCHASE_PATTERN":
      return outlook ? Math.exp(-outlook.expectedPurchases) : 0;
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

function sentence(feature: ChurnFeature, contribution: number, context: SentenceContext): string {
  const { signals, outlook, policy, asOf, weights } = context;
  const effect = contribution > 0 ? "raises the risk" : "lowers the risk";
  const typical = (f: ChurnFeature) => Math.max(0, Math.expm1(weights.features[f].center));
  const learned = weights.source === "LEARNED";
  const w = policy.windows;
  switch (feature) {
    case "PURCHASE_PATTERN": {
      const o = outlook as PurchaseOutlook;
      const none = Math.exp(-o.expectedPurchases);
      const orders = o.transactions === 1 ? "One purchase" : `${o.transactions} purchases`;
      // "3 purchases, most recently yesterday": "the last yesterday" read as a misprint.
      const last = o.transactions === 1 ? "" : ", most recently";
      const moves = Math.abs(contribution) < NEGLIGIBLE ? "" : `; that ${effect}`;
      return `${orders}${last} ${ago(daysBetween(o.lastDay, asOf))}: the purchase model expects ${o.expectedPurchases.toFixed(2)} purchases in the next ${policy.churnHorizonDays} days, ${chance(none)} of none${moves}.`;
    }
    case "RECENCY": {
      const days = daysBetween(signals.lastActivityAt as Date, asOf);
      const longer = (context.values.RECENCY ?? 0) > weights.features.RECENCY.center;
      return `Last active ${ago(days)} (a purchase, a message or an answer), ${longer ? "longer ago" : "more recently"} than the typical customer here (about ${count(Math.round(typical("RECENCY")), "day")}): that ${effect}.`;
    }
    case "FREQUENCY": {
      const days = signals.purchases?.transactions ?? 0;
      return `Bought on ${count(days, "separate day")}, where the typical buyer here bought on about ${round1(typical("FREQUENCY") + 1)}: that ${effect}.`;
    }
    case "TENURE": {
      const days = daysBetween(signals.firstActivityAt as Date, asOf);
      return `A customer for ${count(days, "day")}, where the typical customer here has been one for about ${count(Math.round(typical("TENURE")), "day")}: that ${effect}.`;
    }
    case "SPEND": {
      const spend = Math.expm1(context.values.SPEND ?? 0);
      return `Spends about ${money(spend, policy.currency)} per purchase day, where the typical buyer here spends about ${money(typical("SPEND"), policy.currency)}: that ${effect}.`;
    }
    case "NO_PURCHASES":
      if (!learned)
        return "No purchases yet, so the score starts from 50% and only the other signals move it.";
      return `Has not bought anything yet; on this hub's history, customers without a purchase ${contribution > 0 ? "lapse more often" : "lapse less often"} than buyers: that ${effect}.`;
    case "ENGAGEMENT_DROP": {
      const expected = (signals.baselineInteractions * w.recentActivityDays) / w.baselineActivityDays;
      const drop = context.values.ENGAGEMENT_DROP ?? 0;
      return `${count(signals.recentInteractions, "interaction")} (purchases included) in the last ${w.recentActivityDays} days where about ${round1(expected)} were usual before: activity is down ${percent(drop)}, which ${effect}.`;
    }
    case "SENTIMENT": {
      const average = signals.averageSentiment ?? 0;
      const tone = average < 0 ? "negative" : "positive";
      return `${count(signals.sentimentMessages, "recent message")} from the customer read ${tone} on average (sentiment ${average.toFixed(2)} on a scale from −1 to 1, last ${w.sentimentDays} days): that ${effect}.`;
    }
    case "NPS": {
      const answer = signals.latestNps as SurveyAnswer;
      const kind = answer.score <= 6 ? "a detractor" : "a promoter";
      return `Answered ${answer.score} to the NPS survey on ${isoDate(answer.respondedAt)}, ${kind}: that ${effect}.`;
    }
    case "CSAT": {
      const answer = signals.latestCsat as SurveyAnswer;
      const verdict = (CSAT_STRENGTH[answer.score] ?? 0) > 0 ? "dissatisfied" : "satisfied";
      return `Rated satisfaction ${answer.score} of 5 on ${isoDate(answer.respondedAt)}, ${verdict}: that ${effect}.`;
    }
    case "CES": {
      const answer = signals.latestCes as SurveyAnswer;
      const verdict = (CES_STRENGTH[answer.score] ?? 0) > 0 ? "hard work" : "easy";
      return `Rated the effort ${answer.score} of 7 (1 easy, 7 very hard) on ${isoDate(answer.respondedAt)}, ${verdict}: that ${effect}.`;
    }
    case "UNANSWERED_MESSAGES": {
      const waiting = signals.unansweredMessages;
      return `${count(waiting, "message")} from the customer in the last ${w.unansweredDays} days ${waiting === 1 ? "has" : "have"} waited more than ${w.replyWithinHours} hours without a reply: that ${effect}.`;
    }
  }
}

function noPurchaseModel(signals: CustomerSignals): Draft {
  return {
    factor: "NO_PURCHASE_MODEL",
    value: signals.purchases?.transactions ?? 0,
    contribution: 0,
    explanation:
      "No purchase model has been fitted yet, so the purchase pattern is not scored: an admin can run refitScoreModel.",
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

function daysBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));
}

function ago(days: number): string {
  if (days === 0) return "today";
  return days === 1 ? "yesterday" : `${days} days ago`;
}

/** "a 66% chance", "an 8% chance", "an 11% chance", "an 80% chance". */
function chance(fraction: number): string {
  return `${articleForNumber(Math.round(fraction * 100))} ${percent(fraction)} chance`;
}

/**
 * The article before a whole number as it is read aloud: "an" before eight…, eleven and eighteen
 * (8, 80–89, 800–899, 11, 18, 11,000, 18,000,000), "a" before every other (a 1%, a 100%).
 */
export function articleForNumber(value: number): "a" | "an" {
  const digits = String(Math.abs(Math.trunc(value)));
  if (digits.startsWith("8")) return "an";
  // Eleven and eighteen begin the number only when they lead a group of three digits.
  const leadsWithTwoDigits = digits.length % 3 === 2;
  return leadsWithTwoDigits && (digits.startsWith("11") || digits.startsWith("18")) ? "an" : "a";
}

const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;
const round1 = (value: number) => (Math.round(value * 10) / 10).toString();
const isoDate = (date: Date) => date.toISOString().slice(0, 10);
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
/** Formatters by currency: building an Intl.NumberFormat costs far more than using one. */
const moneyFormats = new Map<string, Intl.NumberFormat>();
const money = (amount: number, currency: string) => {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat("en", { style: "currency", currency, maximumFractionDigits: 0 });
    moneyFormats.set(currency, format);
  }
  return format.format(amount);
};
