// The alert policy's settings: the `alerts` section of the policy file (CXHUB_SCORING_POLICY),
// validated with zod, and the policy in force once its thresholds are resolved against the scoring
// levels. Pure configuration, so that the scoring policy can embed it without importing alerts;
// src/alerts/alert-policy.ts holds the rule that applies it.
import { z } from "zod";

const risk = z.number().gt(0, "a threshold lies between 0 and 1").lt(1, "a threshold lies between 0 and 1");

export const alertPolicySchema = z
  .object({
    /** The lowest churn risk of each alert level; each defaults to the scoring level of the same name. */
    thresholds: z.object({ high: risk.optional(), critical: risk.optional() }).strict().prefault({}),
    /** How far below a level's threshold the risk must fall before crossing it again counts. */
    hysteresis: z
      .number()
      .min(0, "the hysteresis is 0 (none) or more")
      .max(0.5, "the hysteresis is at most 0.5")
      .default(0.05),
    /** After an alert at a level, crossings into it or below within this many minutes raise nothing. */
    coolDownMinutes: z
      .number()
      .int("the cool-down is a whole number of minutes")
      .min(0, "the cool-down is 0 (none) or more minutes")
      .max(60 * 24 * 90, "the cool-down is at most 90 days")
      .default(24 * 60),
    /** Whether a customer's first score raises an alert when it is already HIGH or CRITICAL. */
    alertOnFirstScore: z.boolean().default(false),
    /** More alerts than this for one owner from one transaction are published as one digest. */
    digestAbove: z
      .number()
      .int("digestAbove is a whole number of alerts")
      .min(1, "digestAbove is at least 1 (a digest lists more alerts than this)")
      .max(1_000_000, "digestAbove is at most 1,000,000")
      .default(10),
  })
  .strict();

export type AlertPolicySettings = z.infer<typeof alertPolicySchema>;

/** The levels that alert, lowest first. */
export const ALERT_LEVELS = ["HIGH", "CRITICAL"] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/** The policy in force, with the thresholds resolved against the scoring levels. */
export interface AlertPolicy {
  thresholds: Record<AlertLevel, number>;
  hysteresis: number;
  coolDownMinutes: number;
  alertOnFirstScore: boolean;
  /** One transaction raising more than this many alerts for one owner publishes them as one digest. */
  digestAbove: number;
}

export function resolveAlertPolicy(
  settings: AlertPolicySettings,
  levels: { high: number; critical: number },
): AlertPolicy {
  return {
    thresholds: {
      HIGH: settings.thresholds.high ?? levels.high,
      CRITICAL: settings.thresholds.critical ?? levels.critical,
    },
    hysteresis: settings.hysteresis,
    coolDownMinutes: settings.coolDownMinutes,
    alertOnFirstScore: settings.alertOnFirstScore,
    digestAbove: settings.digestAbove,
  };
}

/** What a resolved policy must satisfy; the message names the setting to change. */
export function alertPolicyProblem(policy: AlertPolicy): { path: string[]; message: string } | null {
  if (policy.thresholds.HIGH >= policy.thresholds.CRITICAL) {
    return {
      path: ["alerts", "thresholds"],
      message: `must rise: the high threshold (${policy.thresholds.HIGH}) below the critical one (${policy.thresholds.CRITICAL})`,
    };
  }
  if (policy.thresholds.HIGH - policy.hysteresis <= 0) {
    return {
      path: ["alerts", "hysteresis"],
      message: `must be smaller than the high threshold (${policy.thresholds.HIGH}), or no risk could ever fall far enough to re-arm it`,
    };
  }
  return null;
}
