// The factors of churn risk and the two shapes of a reason. A score stores its reasons as values (a
// factor, its share, and the facts it cites as dates and numbers: "last active on 2026-04-01"), because
// a score holds for days when nothing about the customer moves and a sentence such as "236 days ago"
// would go stale in the row; churn-reasons.ts builds the sentences when they are read, from the reader's
// clock. Alerts keep the rendered shape, with its sentence: an alert is a snapshot of its moment.
import { z } from "zod";

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
/**
 * The way each signal may move the risk when weights are learned: +1 only up as the value grows, −1
 * only down, 0 either way. A reason's sentence says what a signal did to this customer's risk, and an
 * account manager reads "rated satisfaction 5 of 5: that raises the risk" as false, whatever a sample's
 * noise taught the fit: a signal whose learned weight comes out against its direction is left out of
 * the model (weight 0, no reason) and the rest are fitted again. The purchase history's signals (the
 * purchase pattern, recency, frequency, tenure, spend, never having bought) stay free: each is a view of the same few dates
 * and amounts, and beside the others one of them rightly goes either way (on the generated multi-channel
 * base the purchase pattern's own weight is −0.36 next to frequency's and tenure's).
 */
export const CHURN_FEATURE_DIRECTIONS: Record<ChurnFeature, 1 | -1 | 0> = {
  PURCHASE_PATTERN: 0,
  RECENCY: 0,
  FREQUENCY: 0,
  TENURE: 0,
  SPEND: 0,
  NO_PURCHASES: 0,
  ENGAGEMENT_DROP: 1,
  SENTIMENT: -1,
  NPS: 1,
  CSAT: 1,
  CES: 1,
  UNANSWERED_MESSAGES: 1,
};

/** Every factor a stored reason may name: the features, and that no purchase model is fitted yet. */
export const CHURN_FACTORS = [...CHURN_FEATURES, "NO_PURCHASE_MODEL"] as const;
export type ChurnFactor = (typeof CHURN_FACTORS)[number];
export type ChurnFeature = (typeof CHURN_FEATURES)[number];

/** Contributions smaller than this are not worth a line in the reasons (unless a starting point). */
export const NEGLIGIBLE = 0.01;

/** Survey answers as strengths, from −0.5 (a promoter, a satisfied or easy answer) to 1 (the worst). */
export const NPS_STRENGTH = (score: number) =>
  score <= 6 ? 0.4 + (0.6 * (6 - score)) / 6 : score >= 9 ? -0.5 : 0;
export const CSAT_STRENGTH: Record<number, number> = { 1: 1, 2: 0.6, 3: 0, 4: -0.3, 5: -0.5 };
export const CES_STRENGTH: Record<number, number> = {
  1: -0.5,
  2: -0.35,
  3: -0.2,
  4: 0,
  5: 0.4,
  6: 0.7,
  7: 1,
};

/**
 * One factor behind a churn risk with its sentence, as an alert stores it (Alert.reasons) and as the
 * graph shows every reason; scores written before reasons were stored as values have this shape too.
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

/** A score's reasons with their sentences, largest effect first. */
export const churnReasonsSchema = z.array(churnReasonSchema);

/**
 * What a reason's sentence cites, as of the score: instants and days as ISO text, the rest as numbers.
 * Nothing here moves with the clock alone (no "days ago"), so a score left unwritten stays true; the
 * windows ("the last 30 days") end at the score's computedAt.
 */
export const reasonFactsSchema = z
  .object({
    /** Purchase days, and the last of them (YYYY-MM-DD). */
    purchases: z.number().int().nonnegative(),
    lastPurchaseOn: z.iso.date(),
    /**
     * The purchases the purchase model expects within the churn horizon, to two decimals as the
     * sentence shows them (scores stored before it was cited read it back from the chance of none,
     * then e^(−expected)).
     */
    expectedPurchases: z.number().nonnegative(),
    /** The churn horizon the purchase model's expectation covers, in days. */
    horizonDays: z.number().int().positive(),
    /** The customer's last activity and first fact (ISO instants). */
    lastActiveAt: z.iso.datetime({ offset: true }),
    firstActiveAt: z.iso.datetime({ offset: true }),
    /** The typical customer's value of the factor, in the factor's own unit (days, purchase days, money). */
    typical: z.number(),
    /** Money per purchase day, and its currency. */
    spend: z.number(),
    currency: z.string().length(3),
    /** Whether the weights were learned from this hub's history (else the documented defaults). */
    learned: z.boolean(),
    /** Interactions in the recent window, and how many were usual for as long before. */
    interactions: z.number().int().nonnegative(),
    usual: z.number().nonnegative(),
    /** The window the count covers, in days, ending at the score's computedAt. */
    windowDays: z.number().int().positive(),
    /** Messages counted (recent messages with a sentiment, or unanswered ones) and their mean sentiment. */
    messages: z.number().int().nonnegative(),
    sentiment: z.number(),
    /** A survey answer and its day (YYYY-MM-DD). */
    answer: z.number().int(),
    answeredOn: z.iso.date(),
    /** The reply window a message waited past, in hours. */
    replyWithinHours: z.number().positive(),
  })
  .partial()
  .strict();
export type ReasonFacts = z.infer<typeof reasonFactsSchema>;

/** One factor behind a churn risk as a score stores it: values, and no sentence. */
export const churnReasonValuesSchema = churnReasonSchema.omit({ explanation: true }).extend({
  facts: reasonFactsSchema,
});
export type ChurnReasonValues = z.infer<typeof churnReasonValuesSchema>;

/** Score.reasons and ScoreHistory.reasons: values, or sentences from before values were stored. */
export const storedScoreReasonsSchema = z.union([z.array(churnReasonValuesSchema), churnReasonsSchema]);
