// Reading Meta's throttling for the context's fetch (the SDK's RateLimitHook). Graph does not answer
// 429: a throttled call gets HTTP 400/403 with an error code (4, 17, 32, 613, or 800xx for Business
// Use Case limits), and the usage headers say how long to stay away. Source: Graph API "Rate Limits"
// (https://developers.facebook.com/docs/graph-api/overview/rate-limiting/).
import type { RateLimitDecision } from "cx-hub/sdk";
import { type GraphErrorBody, readGraphError } from "./client.ts";

/**
 * 4 app limit, 17 user limit, 32 Pages API limit, 341 application limit, 613 custom limit, and the
 * Business Use Case codes (80001 Pages with a Page token, 80002 Instagram, …).
 */
const THROTTLE_CODES = new Set([
  4, 17, 32, 341, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014,
]);
/** Code 4 with this subcode is Instagram's spam restriction on publishing, not a rate limit. */
const NOT_THROTTLING = new Set(["4/2207051"]);
/** Codes 1 and 2: "temporary issue due to downtime. Wait and retry the operation." */
const TRANSIENT_CODES = new Set([1, 2]);

/**
 * How long to wait when Meta throttles without saying for how long. Platform limits are counted
 * over a rolling hour, and "continuing to make calls will continue to increase your call count".
 */
export const DEFAULT_THROTTLE_WAIT_MS = 5 * 60_000;
/** How long to wait before retrying a transient error (codes 1, 2, is_transient). */
export const TRANSIENT_WAIT_MS = 10_000;

/** A usage header's JSON, or undefined. */
function jsonHeader(headers: Headers, name: string): unknown {
  const raw = headers.get(name);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The usage objects in X-App-Usage (one object) and X-Business-Use-Case-Usage (arrays per business). */
function usageEntries(headers: Headers): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  const app = jsonHeader(headers, "x-app-usage");
  if (app && typeof app === "object" && !Array.isArray(app)) entries.push(app as Record<string, unknown>);
  const buc = jsonHeader(headers, "x-business-use-case-usage");
  if (buc && typeof buc === "object") {
    for (const list of Object.values(buc as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      for (const entry of list) {
        if (entry && typeof entry === "object") entries.push(entry as Record<string, unknown>);
      }
    }
  }
  return entries;
}

/**
 * The longest `estimated_time_to_regain_access` (minutes) in the usage headers, in ms; undefined
 * when none says. Meta documents it in X-Business-Use-Case-Usage; it is read from X-App-Usage too.
 */
export function regainAccessMs(headers: Headers): number | undefined {
  let minutes: number | undefined;
  for (const entry of usageEntries(headers)) {
    const value = entry.estimated_time_to_regain_access;
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) {
      minutes = Math.max(minutes ?? 0, value);
    }
  }
  return minutes === undefined ? undefined : minutes * 60_000;
}

/** True when a usage percentage (call_count, total_cputime, total_time) has reached 100. */
export function usageExhausted(headers: Headers): boolean {
  return usageEntries(headers).some((entry) =>
    ["call_count", "total_cputime", "total_time"].some((key) => {
      const value = entry[key];
      return typeof value === "number" && value >= 100;
    }),
  );
}

export function isThrottle(error: GraphErrorBody): boolean {
  if (error.code === undefined || !THROTTLE_CODES.has(error.code)) return false;
  return !NOT_THROTTLING.has(`${error.code}/${error.error_subcode}`);
}

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * The hook: a throttled answer is retried after the time Meta estimates (or 5 minutes when it gives
 * none); a success whose headers say the limit is reached pauses the next call; anything else is
 * left to the SDK's rules (5xx and network errors retried with backoff, other 4xx returned).
 */
export async function metaRateLimit(response: Response): Promise<RateLimitDecision | undefined> {
  if (response.ok) {
    const told = regainAccessMs(response.headers);
    if (told !== undefined && told > 0) {
      return {
        retry: false,
        waitMs: told,
        reason: `Meta's usage headers estimate ${minutes(told)} to regain access`,
      };
    }
    if (usageExhausted(response.headers)) {
      return {
        retry: false,
        waitMs: DEFAULT_THROTTLE_WAIT_MS,
        reason: "Meta's usage headers say the rate limit is reached",
      };
    }
    return undefined;
  }
  if (response.status >= 500 || response.status === 408 || response.status === 429) return undefined;
  const error = await readGraphError(response.clone());
  if (!error) return undefined;
  const code = `#${error.code}${error.error_subcode !== undefined ? `/${error.error_subcode}` : ""}`;
  // Graph's messages usually start with their code ("(#32) Page request limit reached").
  const label = error.message?.startsWith("(#") ? error.message : `(${code}) ${error.message ?? ""}`.trim();
  if (isThrottle(error)) {
    const told = regainAccessMs(response.headers);
    const waitMs = told !== undefined && told > 0 ? told : DEFAULT_THROTTLE_WAIT_MS;
    const why = told !== undefined && told > 0 ? "estimated_time_to_regain_access" : "no estimate given";
    return {
      retry: true,
      waitMs,
      reason: `Graph API throttled the call ${label}; waiting ${minutes(waitMs)} (${why})`,
    };
  }
  if ((error.code !== undefined && TRANSIENT_CODES.has(error.code)) || error.is_transient === true) {
    return {
      retry: true,
      waitMs: TRANSIENT_WAIT_MS,
      reason: `Graph API reported a temporary error ${label}`,
    };
  }
  return undefined;
}
