// When a failed delivery is tried again: the configured schedule's next wait (CXHUB_WEBHOOK_RETRY_DELAYS,
// the specification's example by default), moved by up to the jitter either way so that endpoints
// that failed together are not retried in lockstep, and never sooner than the receiver's Retry-After
// asks (capped at a day). Past the schedule's end there is no next attempt: the delivery is dead.
import type { WebhookSettings } from "../policy/webhook-settings.ts";

const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

/** Seconds until the next attempt after attempt `number` failed; null when the schedule is spent. */
export function nextWait(
  deps: { settings: Pick<WebhookSettings, "retryDelaysSeconds" | "jitter">; random?: () => number },
  number: number,
  retryAfterSeconds: number | null,
): number | null {
  const delay = deps.settings.retryDelaysSeconds[number - 1];
  if (delay === undefined) return null;
  const random = deps.random ?? Math.random;
  const jittered = delay * (1 + deps.settings.jitter * (2 * random() - 1));
  return Math.max(jittered, Math.min(retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS));
}

/** Retry-After as seconds from `now`: a number of seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, (date - now.getTime()) / 1000);
}
