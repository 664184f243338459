// How outgoing webhooks are delivered: the retry schedule, the HTTP timeout, the jitter on retries,
// how long a rotated secret keeps signing, and whether endpoints may point at private addresses.
// Pure configuration, read from the environment by config.ts; src/webhooks applies it. The README's
// "Outgoing webhooks" section documents every setting.
import { z } from "zod";

export interface WebhookSettings {
  /**
   * The waits before the 2nd, 3rd, … attempt, in seconds; the first attempt is immediate. One more
   * failure after the last wait dead-letters the delivery.
   */
  retryDelaysSeconds: number[];
  /** How long one HTTP attempt may take, response included. */
  timeoutMs: number;
  /** Each wait is moved by up to this fraction either way, so that failed endpoints are not retried in lockstep. */
  jitter: number;
  /** How long the previous secret keeps signing after a rotation (both signatures are sent). */
  rotationGraceSeconds: number;
  /** Endpoints may point at loopback, private and link-local addresses (tests, on-premise receivers). */
  allowPrivateUrls: boolean;
}

/**
 * The Standard Webhooks specification's example schedule ("Deliverability and reliability"):
 * immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h: ten attempts over about
 * three days.
 */
export const STANDARD_RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400];

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  retryDelaysSeconds: STANDARD_RETRY_DELAYS_SECONDS,
  // The specification recommends between 15 and 30 seconds.
  timeoutMs: 15_000,
  jitter: 0.1,
  rotationGraceSeconds: 24 * 3600,
  allowPrivateUrls: false,
};

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A list of waits such as "5s,5m,30m,2h" (a bare number is seconds); empty or "none": no retries. */
export const retryDelaysSchema = z
  .string()
  .trim()
  .transform((text, context): number[] => {
    if (text === "" || text.toLowerCase() === "none") return [];
    const delays: number[] = [];
    for (const part of text.split(",")) {
      const match = /^(\d+)\s*([smhd]?)$/.exec(part.trim());
      const seconds = match ? Number(match[1]) * (UNITS[match[2] || "s"] ?? 1) : Number.NaN;
      if (!match || seconds > 7 * 86_400) {
        context.addIssue({
          code: "custom",
          message: `must be waits separated by commas, each a number with s, m, h or d (at most 7d), such as 5s,5m,30m,2h; "${part.trim()}" is not one`,
        });
        return z.NEVER;
      }
      delays.push(seconds);
    }
    if (delays.length > 20) {
      context.addIssue({ code: "custom", message: "must list at most 20 waits" });
      return z.NEVER;
    }
    return delays;
  });
