// The rules that turn a customer's facts into churn risk: which signals count, how much, over which
// windows, and where the levels start. Configuration, not code: the defaults below are what a hub
// without a policy file uses, and CXHUB_SCORING_POLICY names a JSON file that overrides any of them.
// The README's "Scores" section documents every setting.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { StartupError } from "../errors.ts";
import { alertPolicyProblem, alertPolicySchema, resolveAlertPolicy } from "./alert-policy-settings.ts";
import { responseSpeedSettingsSchema } from "./response-speed-settings.ts";
import { scheduleSettingsSchema } from "./schedule-settings.ts";

const weight = z.number().min(0, "a weight is 0 (ignore the signal) or more").max(10);
const days = z.number().int().positive().max(3650);

/**
 * Every weight is in log-odds points: a factor of strength 1 with weight 1 multiplies the odds of
 * churning by e ≈ 2.7. Risk = sigmoid(sum of contributions), where the purchase factor contributes
 * logit(e^(−expected purchases within the horizon)) and a customer without purchases starts at 50%.
 */
export const scoringPolicySchema = z
  .object({
    /** Orders: interactions of these kinds are purchases; same-day purchases count as one. */
    purchaseKinds: z.array(z.string().min(1)).min(1).default(["order.placed"]),
    /** Spend is modelled in this currency; orders in others count as purchases without a value. */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "an ISO 4217 code such as USD")
      .default("USD"),
    /**
     * Churn risk is the chance that a customer lapses — no purchase, no inbound message, no survey
     * answer — within this many days.
     */
    churnHorizonDays: days.default(90),
    /**
     * The repeat-purchase model: MBG/NBD (a customer may drop out after any purchase, the first
     * included, so silent one-time buyers fade) or BG/NBD (the published original; one-time buyers
     * stay alive for certain).
     */
    purchaseModel: z.enum(["MBG", "BG"]).default("MBG"),
    /** expectedTransactions and clv cover this many months ahead. */
    forecastMonths: z.number().int().positive().max(120).default(12),
    /** Discount rate per year for CLV (0.1 = 10%). */
    annualDiscountRate: z.number().min(0).max(1).default(0.1),
    /** The lowest churn risk of each level; LOW is everything below medium. */
    levels: z
      .object({
        medium: z.number().gt(0).lt(1).default(0.4),
        high: z.number().gt(0).lt(1).default(0.6),
        critical: z.number().gt(0).lt(1).default(0.8),
      })
      .strict()
      .prefault({})
      .refine((l) => l.medium < l.high && l.high < l.critical, "must rise: medium < high < critical"),
    weights: z
      .object({
        /** Multiplies the purchase model's log-odds (1 = as the model says). */
        purchasePattern: weight.default(1),
        /** Activity in the recent window against the customer's own baseline (strength = the drop). */
        engagementDrop: weight.default(1.5),
        /** Average sentiment of recent inbound messages (−1 … 1; negative raises risk). */
        sentiment: weight.default(1.5),
        /** Latest NPS: a detractor (0–6) raises risk, a promoter (9–10) lowers it. */
        nps: weight.default(1.2),
        /** Latest CSAT (1–5): 1–2 raise risk, 4–5 lower it. */
        csat: weight.default(0.8),
        /** Latest CES (1 easy … 7 hard): 5–7 raise risk, 1–3 lower it. */
        ces: weight.default(0.8),
        /** Inbound messages left unanswered. */
        unansweredMessages: weight.default(1),
      })
      .strict()
      .prefault({}),
    windows: z
      .object({
        /** The recent window whose activity is compared with the baseline. */
        recentActivityDays: days.default(30),
        /** The baseline window before it. */
        baselineActivityDays: days.default(180),
        /** Fewer baseline interactions than this is too little history to call a drop. */
        minBaselineInteractions: z.number().int().min(1).default(3),
        sentimentDays: days.default(90),
        feedbackDays: days.default(180),
        unansweredDays: days.default(30),
        /** An inbound message is unanswered once it has waited this long with no reply. */
        replyWithinHours: z
          .number()
          .positive()
          .max(24 * 60)
          .default(48),
        /** This many unanswered messages or more is the full signal. */
        unansweredSaturation: z.number().int().min(1).default(3),
      })
      .strict()
      .prefault({}),
    /** When a churn risk raises an alert: thresholds, hysteresis, cool-down (src/alerts/alert-policy.ts). */
    alerts: alertPolicySchema.prefault({}),
    /** When scores age and the model is refitted: cron schedules and slices (src/jobs). */
    schedule: scheduleSettingsSchema.prefault({}),
    /** Response targets (SLAs) per channel, resolution by silence, business hours (src/domain/analytics). */
    responseSpeed: responseSpeedSettingsSchema.prefault({}),
  })
  .strict()
  .superRefine((policy, context) => {
    const problem = alertPolicyProblem(resolveAlertPolicy(policy.alerts, policy.levels));
    if (problem) context.addIssue({ code: "custom", ...problem });
  });

export type ScoringPolicy = z.infer<typeof scoringPolicySchema>;

export const DEFAULT_SCORING_POLICY: ScoringPolicy = scoringPolicySchema.parse({});

/** The policy in a JSON file, over the defaults; a StartupError says which setting is wrong and why. */
export async function loadScoringPolicy(file: string | undefined): Promise<ScoringPolicy> {
  if (!file) return DEFAULT_SCORING_POLICY;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new StartupError(
      `CXHUB_SCORING_POLICY names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StartupError(`The scoring policy ${file} is not valid JSON: ${(error as Error).message}.`);
  }
  const parsed = scoringPolicySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")} ` : "";
    throw new StartupError(`The scoring policy ${file}: ${where}${issue?.message ?? "is invalid"}.`);
  }
  return parsed.data;
}
