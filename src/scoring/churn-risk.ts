// Churn risk: the purchase model's outlook combined with the signals of the other channels, with the
// reasons an account manager reads. Additive in log-odds, so each factor's share of the score is
// its contribution, and a factor can be explained on its own:
//   risk = sigmoid( logit(e^(−E)) · w_purchase + Σ w_i · strength_i )
// where E is the number of purchases the model expects within the churn horizon and e^(−E) the
// chance of none if they came as a Poisson stream. A customer without purchases starts from 50%
// (log-odds 0) and only the other signals move them.
import { z } from "zod";
import type { ChurnRiskLevel } from "../generated/prisma/enums.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import type { CustomerSignals, SurveyAnswer } from "./customer-signals.ts";

export const CHURN_FACTORS = [
  "PURCHASE_PATTERN",
  "NO_PURCHASES",
  "NO_PURCHASE_MODEL",
  "ENGAGEMENT_DROP",
  "SENTIMENT",
  "NPS",
  "CSAT",
  "CES",
  "UNANSWERED_MESSAGES",
] as const;
export type ChurnFactor = (typeof CHURN_FACTORS)[number];

/**
 * One factor behind a churn risk, as stored in Score.reasons, ScoreHistory.reasons and Alert.reasons
 * and shown to account managers; the schema reads them back from those columns.
 */
export const churnReasonSchema = z.object({
  factor: z.enum(CHURN_FACTORS),
  /** The measured value: a probability, a drop, a sentiment, a survey answer or a count. */
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

const DAY_MS = 86_400_000;
/** Keeps logit finite for the purchase model's certainties. */
const PROBABILITY_FLOOR = 1e-4;
/** Contributions smaller than this are not worth a line in the reasons. */
const NEGLIGIBLE = 0.01;

type Draft = Omit<ChurnReason, "weight">;

export function assessChurnRisk(
  signals: CustomerSignals,
  outlook: PurchaseOutlook | null,
  policy: ScoringPolicy,
  asOf: Date,
): ChurnAssessment {
  const drafts: Draft[] = [
    purchaseFactor(signals, outlook, policy, asOf),
    engagementFactor(signals, policy),
    sentimentFactor(signals, policy),
    npsFactor(signals.latestNps, policy),
    csatFactor(signals.latestCsat, policy),
    cesFactor(signals.latestCes, policy),
    unansweredFactor(signals, policy),
  ].filter((draft): draft is Draft => draft !== null);

  const total = drafts.reduce((sum, draft) => sum + draft.contribution, 0);
  const churnRisk = sigmoid(total);
  // Shares of what the listed reasons moved, so that the weights an account manager reads add up to 1.
  const listed = drafts.filter(
    (draft) => Math.abs(draft.contribution) >= NEGLIGIBLE || isStartingPoint(draft.factor),
  );
  const moved = listed.reduce((sum, draft) => sum + Math.abs(draft.contribution), 0);
  const reasons = listed
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

function isStartingPoint(factor: ChurnFactor): boolean {
  return factor === "NO_PURCHASES" || factor === "NO_PURCHASE_MODEL" || factor === "PURCHASE_PATTERN";
}

function purchaseFactor(
  signals: CustomerSignals,
  outlook: PurchaseOutlook | null,
  policy: ScoringPolicy,
  asOf: Date,
): Draft {
  const purchases = signals.purchases;
  if (!purchases) {
    return {
      factor: "NO_PURCHASES",
      value: 0,
      contribution: 0,
      explanation: "No purchases yet, so the score starts from 50% and only the other signals move it.",
    };
  }
  if (!outlook) {
    return {
      factor: "NO_PURCHASE_MODEL",
      value: purchases.transactions,
      contribution: 0,
      explanation:
        "No purchase model has been fitted yet, so the purchases are not scored: an admin can run refitScoreModel.",
    };
  }
  const none = Math.exp(-outlook.expectedPurchases);
  const p = clampProbability(none);
  const daysSince = wholeDaysBetween(outlook.lastDay, asOf);
  const orders = outlook.transactions === 1 ? "One purchase" : `${outlook.transactions} purchases`;
  const last = outlook.transactions === 1 ? "" : ", the last";
  return {
    factor: "PURCHASE_PATTERN",
    value: none,
    contribution: policy.weights.purchasePattern * Math.log(p / (1 - p)),
    explanation: `${orders}${last} ${ago(daysSince)}: the purchase model expects ${outlook.expectedPurchases.toFixed(2)} purchases in the next ${policy.churnHorizonDays} days, about a ${percent(none)} chance of none.`,
  };
}

function engagementFactor(signals: CustomerSignals, policy: ScoringPolicy): Draft | null {
  const w = policy.windows;
  if (signals.baselineInteractions < w.minBaselineInteractions) return null;
  const expected = (signals.baselineInteractions * w.recentActivityDays) / w.baselineActivityDays;
  const drop = Math.max(0, 1 - signals.recentInteractions / expected);
  if (drop === 0) return null;
  return {
    factor: "ENGAGEMENT_DROP",
    value: drop,
    contribution: policy.weights.engagementDrop * drop,
    explanation: `${count(signals.recentInteractions, "interaction")} in the last ${w.recentActivityDays} days where about ${round1(expected)} were usual before: activity is down ${percent(drop)}.`,
  };
}

function sentimentFactor(signals: CustomerSignals, policy: ScoringPolicy): Draft | null {
  const average = signals.averageSentiment;
  if (average === null || signals.sentimentMessages === 0) return null;
  const tone = average < 0 ? "negative" : "positive";
  return {
    factor: "SENTIMENT",
    value: average,
    contribution: -policy.weights.sentiment * average,
    explanation: `${count(signals.sentimentMessages, "recent message")} from the customer read ${tone} on average (sentiment ${average.toFixed(2)} on a scale from −1 to 1, last ${policy.windows.sentimentDays} days).`,
  };
}

function npsFactor(answer: SurveyAnswer | null, policy: ScoringPolicy): Draft | null {
  if (!answer) return null;
  const { score } = answer;
  // Detractors from 0.4 (a 6) to 1 (a 0); passives neutral; promoters lower the risk.
  const strength = score <= 6 ? 0.4 + (0.6 * (6 - score)) / 6 : score >= 9 ? -0.5 : 0;
  if (strength === 0) return null;
  const kind = score <= 6 ? "a detractor" : "a promoter";
  return {
    factor: "NPS",
    value: score,
    contribution: policy.weights.nps * strength,
    explanation: `Answered ${score} to the NPS survey on ${isoDate(answer.respondedAt)}: ${kind}.`,
  };
}

const CSAT_STRENGTH: Record<number, number> = { 1: 1, 2: 0.6, 3: 0, 4: -0.3, 5: -0.5 };
const CES_STRENGTH: Record<number, number> = { 1: -0.5, 2: -0.35, 3: -0.2, 4: 0, 5: 0.4, 6: 0.7, 7: 1 };

function csatFactor(answer: SurveyAnswer | null, policy: ScoringPolicy): Draft | null {
  const strength = answer ? (CSAT_STRENGTH[answer.score] ?? 0) : 0;
  if (!answer || strength === 0) return null;
  const verdict = strength > 0 ? "dissatisfied" : "satisfied";
  return {
    factor: "CSAT",
    value: answer.score,
    contribution: policy.weights.csat * strength,
    explanation: `Rated satisfaction ${answer.score} of 5 on ${isoDate(answer.respondedAt)}: ${verdict}.`,
  };
}

function cesFactor(answer: SurveyAnswer | null, policy: ScoringPolicy): Draft | null {
  const strength = answer ? (CES_STRENGTH[answer.score] ?? 0) : 0;
  if (!answer || strength === 0) return null;
  const verdict = strength > 0 ? "hard work" : "easy";
  return {
    factor: "CES",
    value: answer.score,
    contribution: policy.weights.ces * strength,
    explanation: `Rated the effort ${answer.score} of 7 (1 easy, 7 very hard) on ${isoDate(answer.respondedAt)}: it was ${verdict}.`,
  };
}

function unansweredFactor(signals: CustomerSignals, policy: ScoringPolicy): Draft | null {
  const waiting = signals.unansweredMessages;
  if (waiting === 0) return null;
  const w = policy.windows;
  const strength = Math.min(waiting, w.unansweredSaturation) / w.unansweredSaturation;
  return {
    factor: "UNANSWERED_MESSAGES",
    value: waiting,
    contribution: policy.weights.unansweredMessages * strength,
    explanation: `${count(waiting, "message")} from the customer in the last ${w.unansweredDays} days ${waiting === 1 ? "has" : "have"} waited more than ${w.replyWithinHours} hours without a reply.`,
  };
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function clampProbability(p: number): number {
  return Math.min(1 - PROBABILITY_FLOOR, Math.max(PROBABILITY_FLOOR, p));
}

function wholeDaysBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));
}

function ago(days: number): string {
  if (days === 0) return "today";
  return days === 1 ? "yesterday" : `${days} days ago`;
}

const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;
const round1 = (value: number) => (Math.round(value * 10) / 10).toString();
const isoDate = (date: Date) => date.toISOString().slice(0, 10);
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
