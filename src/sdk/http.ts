// The `fetch` a connector gets: the standard fetch, plus a timeout per attempt tied to the run's abort
// signal, retries of network errors, 429 and 5xx with exponential backoff and full jitter, waits the
// provider asks for (Retry-After, rate-limit reset headers, or a plugin's own reading of a throttled
// response), pacing when a rate-limit window is used up, and one clear error when it gives up.
// Non-retryable answers (400, 401, 404, …) come back as the Response, as fetch returns them.
import type { ConnectorLogger } from "./logger.ts";
import { silentLogger } from "./logger.ts";

export interface RetryOptions {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The ceiling of the first backoff; it doubles with every attempt (full jitter picks below it). */
  baseDelayMs: number;
  /** The ceiling of any one backoff. */
  maxDelayMs: number;
  /** The longest wait a provider may ask for (Retry-After, a reset time); asking more gives up. */
  maxWaitMs: number;
}

export interface HttpOptions extends RetryOptions {
  /** Per attempt; the run's abort signal stops every attempt and every wait at once. */
  timeoutMs: number;
  /** Reads provider-specific throttling that the status and headers do not show. */
  rateLimit?: RateLimitHook;
}

export const DEFAULT_HTTP_OPTIONS: Readonly<HttpOptions> = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxWaitMs: 15 * 60_000,
  timeoutMs: 30_000,
};

/**
 * A plugin's reading of a response, for throttling the status and headers do not tell: Shopify's
 * GraphQL Admin API answers 200 with `errors[].extensions.code: "THROTTLED"` and its query-cost budget in
 * `extensions.cost.throttleStatus`. Return `{ retry: true, waitMs }` to retry the request after a
 * wait, `{ retry: false, waitMs }` to accept the response but pause before the next request, or
 * nothing to let the standard rules decide. Read the body from `response.clone()`.
 */
export type RateLimitHook = (
  response: Response,
  request: { method: string; url: string },
) => RateLimitDecision | undefined | Promise<RateLimitDecision | undefined>;

export interface RateLimitDecision {
  retry: boolean;
  waitMs: number;
  /** Says why in logs and errors ("query cost budget exhausted"). */
  reason?: string;
}

/** fetch's init, plus per-call overrides. */
export interface ConnectorFetchInit extends RequestInit {
  timeoutMs?: number;
  /** false: one attempt only. */
  retry?: Partial<RetryOptions> | false;
  /**
   * Retry this request on 5xx and network errors even though its method is POST or PATCH: right for
   * reads sent as POST, such as GraphQL queries. Without it, such requests are retried only on 429.
   */
  idempotent?: boolean;
}

export type ConnectorFetch = (input: string | URL | Request, init?: ConnectorFetchInit) => Promise<Response>;

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** One wait the fetch decided on, for logs and tests. */
export interface PlannedWait {
  ms: number;
  reason: string;
  attempt: number;
  url: string;
}

export interface CreateFetchOptions {
  /** The run's signal: aborting it stops the current attempt and any wait. */
  signal?: AbortSignal;
  http?: Partial<HttpOptions>;
  logger?: ConnectorLogger;
  /** Injectable for tests: how to wait, what "random" and "now" are, the underlying fetch. */
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
  fetch?: typeof fetch;
  onWait?: (wait: PlannedWait) => void;
}

/** Thrown when the fetch gives up: it says what was asked, what came back and how often it tried. */
export class HttpError extends Error {
  override name = "HttpError";
  readonly method: string;
  /** The URL without credentials and with secret-looking query values masked. */
  readonly url: string;
  /** The last status, when the provider answered at all. */
  readonly status: number | undefined;
  readonly attempts: number;
  constructor(message: string, details: { method: string; url: string; status?: number; attempts: number }) {
    super(message);
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.attempts = details.attempts;
  }
}

/**
 * Returns the response when it is a success (2xx), or throws an HttpError naming the request, the
 * status and the start of the body. For the answers `fetch` hands back rather than retrying (4xx).
 */
export async function expectOk(
  response: Response,
  request: { method?: string; url: string | URL },
): Promise<Response> {
  if (response.ok) return response;
  const method = (request.method ?? "GET").toUpperCase();
  const url = redactUrl(String(request.url));
  const body = (await response.text().catch(() => "")).slice(0, 300);
  throw new HttpError(
    `${method} ${url} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}${body ? `: ${body}` : ""}`,
    { method, url, status: response.status, attempts: 1 },
  );
}

const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);

/** 408, 429 and the 5xx that say "try again" (not 501 Not Implemented nor 505). */
export function isRetryableStatus(status: number): boolean {
  return (
    status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505)
  );
}

const SECRET_PARAM = /token|key|secret|sig|password|passwd|auth|code|credential|session/i;

/** The URL fit for logs and errors: no user:password, and secret-looking query values masked. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return "(unparseable URL)";
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  for (const key of new Set(parsed.searchParams.keys())) {
    if (SECRET_PARAM.test(key)) parsed.searchParams.set(key, "***");
  }
  return parsed.toString();
}

/** How long the provider asks to wait, in ms, from Retry-After or a rate-limit reset header. */
export function waitFromHeaders(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  return resetWait(headers, now);
}

/** The wait until a rate-limit window resets, from the headers providers commonly send. */
function resetWait(headers: Headers, now: number): number | undefined {
  // X (Twitter) API v2: epoch seconds.
  const x = numberHeader(headers, "x-rate-limit-reset");
  if (x !== undefined) return Math.max(0, x * 1000 - now);
  // GitHub and others send epoch seconds, many send seconds to wait: a value past 2001 is a date.
  for (const name of ["x-ratelimit-reset", "ratelimit-reset"]) {
    const value = numberHeader(headers, name);
    if (value !== undefined) return value > 1e9 ? Math.max(0, value * 1000 - now) : value * 1000;
  }
  const after = numberHeader(headers, "x-ratelimit-reset-after");
  if (after !== undefined) return after * 1000;
  // IETF draft: `RateLimit: "default";r=0;t=30` (or the older `limit=100, remaining=0, reset=30`).
  const structured = headers.get("ratelimit")?.match(/(?:^|[;,\s])(?:t|reset)=(\d+(?:\.\d+)?)/);
  if (structured?.[1]) return Number(structured[1]) * 1000;
  return undefined;
}

/** True when the headers say the current rate-limit window is used up. */
function windowExhausted(headers: Headers): boolean {
  for (const name of ["x-rate-limit-remaining", "x-ratelimit-remaining", "ratelimit-remaining"]) {
    if (numberHeader(headers, name) === 0) return true;
  }
  return /(?:^|[;,\s])(?:r|remaining)=0(?![\d.])/.test(headers.get("ratelimit") ?? "");
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name)?.trim();
  if (!raw || !/^\d+(\.\d+)?$/.test(raw)) return undefined;
  return Number(raw);
}

/** Full jitter (AWS architecture blog): a uniform pick below min(cap, base·2^(attempt−1)). */
export function backoffDelay(attempt: number, options: RetryOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

type Outcome =
  | { kind: "response"; response: Response }
  | { kind: "retry"; waitMs: number; reason: string; status?: number; response?: Response }
  | { kind: "fail"; error: unknown };

/** The context's fetch. One instance per run: it remembers a used-up rate-limit window. */
export function createFetch(options: CreateFetchOptions = {}): ConnectorFetch {
  const defaults: HttpOptions = { ...DEFAULT_HTTP_OPTIONS, ...options.http };
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  // Looked up per call, so that msw (which patches globalThis.fetch) sees the requests.
  const baseFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let notBefore = 0;

  return async function connectorFetch(input, init = {}) {
    const { timeoutMs = defaults.timeoutMs, retry, idempotent, signal: callSignal, ...requestInit } = init;
    const policy: RetryOptions =
      retry === false ? { ...defaults, maxAttempts: 1 } : { ...defaults, ...retry };
    const method = (requestInit.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const rawUrl = input instanceof Request ? input.url : String(input);
    const url = redactUrl(rawUrl);
    // A streamed body cannot be sent twice.
    const replayable = !(requestInit.body instanceof ReadableStream);
    const safe = idempotent ?? IDEMPOTENT_METHODS.has(method);
    const signals = [options.signal, callSignal ?? undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const runSignal = signals.length > 0 ? AbortSignal.any(signals) : undefined;

    for (let attempt = 1; ; attempt++) {
      const pause = notBefore - now();
      if (pause > 0) {
        options.onWait?.({ ms: pause, reason: "rate-limit window used up", attempt, url });
        await sleep(pause, runSignal);
      }
      runSignal?.throwIfAborted();
      const outcome = await attemptOnce(attempt);
      if (outcome.kind === "response") return outcome.response;
      if (outcome.kind === "fail") throw outcome.error;
      const last = attempt >= policy.maxAttempts || !replayable;
      const tooLong = outcome.waitMs > policy.maxWaitMs;
      if (last || tooLong) {
        discard(outcome.response);
        const why = tooLong
          ? `${outcome.reason}, and the provider asked to wait ${seconds(outcome.waitMs)}, more than the ${seconds(policy.maxWaitMs)} allowed (maxWaitMs)`
          : replayable
            ? outcome.reason
            : `${outcome.reason}; not retried, its body is a stream that cannot be sent twice`;
        throw new HttpError(`${method} ${url} failed after ${plural(attempt, "attempt")}: ${why}.`, {
          method,
          url,
          status: outcome.status,
          attempts: attempt,
        });
      }
      discard(outcome.response);
      logger.warn(`${method} ${url}: ${outcome.reason}; retrying in ${seconds(outcome.waitMs)}`, {
        attempt,
        of: policy.maxAttempts,
      });
      options.onWait?.({ ms: outcome.waitMs, reason: outcome.reason, attempt, url });
      await sleep(outcome.waitMs, runSignal);
    }

    async function attemptOnce(attempt: number): Promise<Outcome> {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = runSignal ? AbortSignal.any([runSignal, timeout]) : timeout;
      let response: Response;
      try {
        response = await baseFetch(input instanceof Request ? input.clone() : input, {
          ...requestInit,
          signal,
        });
      } catch (error) {
        if (runSignal?.aborted) return { kind: "fail", error: runSignal.reason };
        const reason = timeout.aborted
          ? `no answer within ${timeoutMs} ms`
          : `network error (${describeNetworkError(error)})`;
        if (!safe) {
          // The request may have reached the provider: sending a POST again could do it twice.
          return {
            kind: "fail",
            error: new HttpError(
              `${method} ${url} failed: ${reason}; not retried, ${method} is not idempotent.`,
              {
                method,
                url,
                attempts: attempt,
              },
            ),
          };
        }
        return { kind: "retry", waitMs: backoffDelay(attempt, policy, random), reason };
      }

      const clock = now();
      const decision = await defaults.rateLimit?.(response, { method, url: rawUrl });
      if (decision?.retry) {
        return { kind: "retry", waitMs: decision.waitMs, reason: decision.reason ?? "throttled", response };
      }
      const told = waitFromHeaders(response.headers, clock);
      if (decision && decision.waitMs > 0) notBefore = Math.max(notBefore, clock + decision.waitMs);
      else if (
        response.ok &&
        windowExhausted(response.headers) &&
        told !== undefined &&
        told <= policy.maxWaitMs
      ) {
        notBefore = Math.max(notBefore, clock + told);
      }
      if (!isRetryableStatus(response.status) || (!safe && response.status !== 429)) {
        return { kind: "response", response };
      }
      const reason = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
      return {
        kind: "retry",
        waitMs: told ?? backoffDelay(attempt, policy, random),
        reason,
        status: response.status,
        response,
      };
    }
  };
}

/** Frees the connection of a response we will not read. Not awaited: some stream sources never settle it. */
function discard(response: Response | undefined): void {
  response?.body?.cancel().catch(() => {});
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code ? `${error.message}: ${cause.code}` : error.message;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
