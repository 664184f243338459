// What the hub does with a fact dated in the future: it refuses it. Interactions and survey answers
// are things that happened; one dated next year is a wrong date (a source's clock, a typo, a scheduled
// item sent as if it had happened), and stored it would count as the customer's latest activity until
// then, keeping their churn risk low and their recency "today" for years. A few minutes ahead is
// accepted: the clocks of a source and the hub differ by that much.
import { ValidationError } from "../errors.ts";

/** How far ahead of the hub's clock a fact may be dated and still be stored. */
export const FUTURE_FACT_TOLERANCE_MS = 5 * 60_000;

/** Throws a ValidationError at `field` when `at` is later than `now` plus the tolerance. */
export function refuseFutureFact(what: string, field: string, at: Date, now: Date): void {
  if (at.getTime() <= now.getTime() + FUTURE_FACT_TOLERANCE_MS) return;
  const message = `is in the future (${at.toISOString()}, and the hub's clock says ${now.toISOString()}): the hub stores what has happened, so send it once it has, or correct the source's clock. Up to 5 minutes ahead is accepted`;
  throw new ValidationError(`${what} is invalid at ${field}: ${message}.`, [
    { path: [field], message: `${message}.` },
  ]);
}
