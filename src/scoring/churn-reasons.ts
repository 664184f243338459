// A churn reason's sentence, built when it is read from the values a score stored (churn-factors.ts),
// and whether a freshly computed score's reasons still say what the stored ones say. Days are counted
// from the reader's clock ("last active 240 days ago" stays true however long the row is not
// rewritten); a window is "the last 30 days" on the day the score was computed and "the 30 days to
// <that day>" after it, which is what was counted.
import {
  CES_STRENGTH,
  type ChurnReason,
  type ChurnReasonValues,
  CSAT_STRENGTH,
  NEGLIGIBLE,
  type ReasonFacts,
} from "./churn-factors.ts";

const DAY_MS = 86_400_000;

/** When the reasons are read: the reader's clock, and the instant the score was computed as of. */
export interface ReadingTime {
  now: Date;
  computedAt: Date;
}

/** The reasons with their sentences, as of the reader's clock; days cited count to `now`. */
export function explainReasons(reasons: readonly ChurnReasonValues[], time: ReadingTime): ChurnReason[] {
  return reasons.map((reason) => ({
    factor: reason.factor,
    value: shownValue(reason, time.now),
    contribution: reason.contribution,
    weight: reason.weight,
    explanation: sentence(reason, time),
  }));
}

/** The factors whose value is a count of days to now: recomputed on read from the date they cite. */
function shownValue(reason: ChurnReasonValues, now: Date): number {
  const { facts } = reason;
  if (reason.factor === "RECENCY" && facts.lastActiveAt)
    return daysBetween(new Date(facts.lastActiveAt), now);
  if (reason.factor === "TENURE" && facts.firstActiveAt)
    return daysBetween(new Date(facts.firstActiveAt), now);
  return reason.value;
}

/**
 * Whether `fresh` reasons say what `stored` ones say, so that the stored row may stand: the same
 * factors citing the same facts, each moving the risk the same way (and listed for the same cause),
 * with shares and values within `tolerance`. Days to now are not compared: they are built on read.
 */
export function reasonsAgree(
  stored: readonly (ChurnReasonValues | ChurnReason)[],
  fresh: readonly ChurnReasonValues[],
  tolerance: number,
): boolean {
  if (stored.length !== fresh.length) return false;
  const byFactor = new Map<string, ChurnReasonValues | ChurnReason>(stored.map((r) => [r.factor, r]));
  for (const reason of fresh) {
    const before = byFactor.get(reason.factor);
    // A reason stored with its sentence (before values were stored) is rewritten as values.
    if (!before || !("facts" in before)) return false;
    if (Math.sign(before.contribution) !== Math.sign(reason.contribution)) return false;
    if (Math.abs(before.contribution) < NEGLIGIBLE !== Math.abs(reason.contribution) < NEGLIGIBLE)
      return false;
    if (Math.abs(before.weight - reason.weight) >= tolerance) return false;
    const daysToNow = reason.factor === "RECENCY" || reason.factor === "TENURE";
    if (!daysToNow && Math.abs(before.value - reason.value) >= tolerance) return false;
    if (!sameFacts(before.facts, reason.facts)) return false;
  }
  return true;
}

function sameFacts(left: ReasonFacts, right: ReasonFacts): boolean {
  const keys = Object.keys(left) as (keyof ReasonFacts)[];
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => left[key] === right[key]);
}

function sentence(reason: ChurnReasonValues, { now, computedAt }: ReadingTime): string {
  const { facts, contribution } = reason;
  const effect = contribution > 0 ? "raises the risk" : "lowers the risk";
  const window = (days: number | undefined) =>
    isoDate(now) === isoDate(computedAt)
      ? `the last ${days} days`
      : `the ${days} days to ${isoDate(computedAt)}`;
  switch (reason.factor) {
    case "PURCHASE_PATTERN": {
      const purchases = facts.purchases ?? 0;
      // The value is the model's chance of no purchase. Scores stored before the expectation was cited
      // stored e^(−expected) as that chance: the expectation is read back from it.
      const none = reason.value;
      const expected = facts.expectedPurchases ?? -Math.log(Math.max(none, Number.MIN_VALUE));
      const orders = purchases === 1 ? "One purchase" : `${purchases} purchases`;
      // "3 purchases, most recently yesterday": "the last yesterday" read as a misprint.
      const last = purchases === 1 ? "" : ", most recently";
      const moves = Math.abs(contribution) < NEGLIGIBLE ? "" : `; that ${effect}`;
      const lastDay = new Date(`${facts.lastPurchaseOn}T00:00:00Z`);
      return `${orders}${last} ${ago(daysBetween(lastDay, now))}: the purchase model expects ${expected.toFixed(2)} purchases in the next ${facts.horizonDays} days, ${chance(none)} of none${moves}.`;
    }
    case "RECENCY": {
      const days = daysBetween(new Date(facts.lastActiveAt ?? now), now);
      const typical = facts.typical ?? 0;
      return `Last active ${ago(days)} (a purchase, a message or an answer), ${days > typical ? "longer ago" : "more recently"} than the typical customer here (about ${count(Math.round(typical), "day")}): that ${effect}.`;
    }
    case "FREQUENCY":
      return `Bought on ${count(facts.purchases ?? 0, "separate day")}, where the typical buyer here bought on about ${round1(facts.typical ?? 1)}: that ${effect}.`;
    case "TENURE": {
      const days = daysBetween(new Date(facts.firstActiveAt ?? now), now);
      return `A customer for ${count(days, "day")}, where the typical customer here has been one for about ${count(Math.round(facts.typical ?? 0), "day")}: that ${effect}.`;
    }
    case "SPEND": {
      const currency = facts.currency ?? "USD";
      return `Spends about ${money(facts.spend ?? 0, currency)} per purchase day, where the typical buyer here spends about ${money(facts.typical ?? 0, currency)}: that ${effect}.`;
    }
    case "NO_PURCHASES":
      if (!facts.learned)
        return "No purchases yet, so the score starts from 50% and only the other signals move it.";
      return `Has not bought anything yet; on this hub's history, customers without a purchase ${contribution > 0 ? "lapse more often" : "lapse less often"} than buyers: that ${effect}.`;
    case "ENGAGEMENT_DROP":
      return `${count(facts.interactions ?? 0, "interaction")} (purchases included) in ${window(facts.windowDays)} where about ${round1(facts.usual ?? 0)} were usual before: activity is down ${percent(reason.value)}, which ${effect}.`;
    case "SENTIMENT": {
      const average = facts.sentiment ?? 0;
      const tone = average < 0 ? "negative" : "positive";
      return `${count(facts.messages ?? 0, "recent message")} from the customer read ${tone} on average (sentiment ${average.toFixed(2)} on a scale from −1 to 1, ${window(facts.windowDays).replace(/^the /, "")}): that ${effect}.`;
    }
    case "NPS": {
      const answer = facts.answer ?? 0;
      const kind = answer <= 6 ? "a detractor" : "a promoter";
      return `Answered ${answer} to the NPS survey on ${facts.answeredOn}, ${kind}: that ${effect}.`;
    }
    case "CSAT": {
      const answer = facts.answer ?? 0;
      const verdict = (CSAT_STRENGTH[answer] ?? 0) > 0 ? "dissatisfied" : "satisfied";
      return `Rated satisfaction ${answer} of 5 on ${facts.answeredOn}, ${verdict}: that ${effect}.`;
    }
    case "CES": {
      const answer = facts.answer ?? 0;
      const verdict = (CES_STRENGTH[answer] ?? 0) > 0 ? "hard work" : "easy";
      return `Rated the effort ${answer} of 7 (1 easy, 7 very hard) on ${facts.answeredOn}, ${verdict}: that ${effect}.`;
    }
    case "UNANSWERED_MESSAGES": {
      const waiting = facts.messages ?? 0;
      return `${count(waiting, "message")} from the customer in ${window(facts.windowDays)} ${waiting === 1 ? "has" : "have"} waited more than ${facts.replyWithinHours} hours without a reply: that ${effect}.`;
    }
    case "NO_PURCHASE_MODEL":
      return "No purchase model has been fitted yet, so the purchase pattern is not scored: an admin can run refitScoreModel.";
  }
}

export function daysBetween(from: Date, to: Date): number {
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
export const isoDate = (date: Date) => date.toISOString().slice(0, 10);
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
