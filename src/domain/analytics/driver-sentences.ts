// What a driver says in words: the touchpoint as "Customers who …", the outcome as "… to be
// detractors", and the sentence a CX lead reads beside the chart, with its interval and its count.
import type { Channel } from "../../generated/prisma/enums.ts";
import type { Interval } from "./driver-effects.ts";
import { type DriverOutcome, SENTIMENT_THRESHOLD } from "./touchpoint-features.ts";

const CHANNEL_WORDS: Record<Channel, string> = {
  EMAIL: "an email",
  ECOMMERCE: "an e-commerce",
  SOCIAL: "a social",
  SUPPORT: "a support",
  WEB: "a web",
  PHONE: "a phone",
  CHAT: "a chat",
  OTHER: "an other-channel",
};

/** The outcome after "as likely": "to be detractors". */
const OUTCOME_WORDS: Record<DriverOutcome, string> = {
  NPS_DETRACTOR: "to be detractors (NPS 0–6)",
  NPS_PROMOTER: "to be promoters (NPS 9–10)",
  CSAT_SATISFIED: "to be satisfied (CSAT 4–5)",
  HIGH_CHURN_RISK: "to be at high churn risk",
  LAPSED: "to lapse",
};

export function channelTouchpoint(channel: Channel): string {
  return `had ${CHANNEL_WORDS[channel]} interaction`;
}

export function kindTouchpoint(kind: string): string {
  return `had a “${kind}” interaction`;
}

export function stageTouchpoint(journey: string, stage: string): string {
  return `reached the stage “${stage}” of the journey “${journey}”`;
}

export function slowReplyTouchpoint(seconds: number): string {
  return `waited over ${duration(seconds)} for a first reply`;
}

export function sentimentTouchpoint(direction: "NEGATIVE" | "POSITIVE"): string {
  return direction === "NEGATIVE"
    ? `sounded negative (mean sentiment of their messages below −${SENTIMENT_THRESHOLD})`
    : `sounded positive (mean sentiment of their messages above ${SENTIMENT_THRESHOLD})`;
}

function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Two significant digits, never in exponent notation: 2.1, 3.0, 0.45, 12, 140. */
export function ratio(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "0";
  return value >= 100 ? String(Math.round(value)) : value.toPrecision(2);
}

/**
 * "Customers who waited over 4 h for a first reply are 2.1× as likely to be detractors (NPS 0–6)
 * (95% CI 1.6–2.8), 412 customers." An interval that holds 1 says so rather than claim an effect.
 */
export function driverSentence(
  touchpoint: string,
  outcome: DriverOutcome,
  riskRatio: Interval,
  customers: number,
): string {
  const interval = `95% CI ${ratio(riskRatio.lower)}–${ratio(riskRatio.upper)}`;
  const count = `${customers} customer${customers === 1 ? "" : "s"}`;
  const who = `Customers who ${touchpoint}`;
  if (riskRatio.lower > 1)
    return `${who} are ${ratio(riskRatio.estimate)}× as likely ${OUTCOME_WORDS[outcome]} (${interval}), ${count}.`;
  if (riskRatio.upper < 1) {
    const less = Math.round((1 - riskRatio.estimate) * 100);
    return `${who} are ${less}% less likely ${OUTCOME_WORDS[outcome]}: ${ratio(riskRatio.estimate)}× as likely (${interval}), ${count}.`;
  }
  return `${who} show no clear effect on how likely they are ${OUTCOME_WORDS[outcome]}: ${ratio(riskRatio.estimate)}× (${interval}, which includes no effect), ${count}.`;
}
