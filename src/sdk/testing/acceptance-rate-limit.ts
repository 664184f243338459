// The rateLimitHonoured acceptance check: a full run whose n-th request is answered 429, to see that
// the wait its Retry-After asks for is taken (by the test kit's sleeper: nothing really waits), the
// same request sent again, and nothing lost.
import type { AnyConnector } from "../define-connector.ts";
import {
  type AcceptanceOptions,
  attempt,
  checkValid,
  describeRecord,
  type Fail,
  recordKey,
  requestUrl,
  runOptions,
} from "./acceptance-support.ts";
import { runStream, type StreamRun } from "./runs.ts";

const DEFAULT_RETRY_AFTER_SECONDS = 7;
const defaultRateLimited = () =>
  Response.json(
    { error: "rate_limited" },
    { status: 429, headers: { "Retry-After": String(DEFAULT_RETRY_AFTER_SECONDS) } },
  );

export /**
 * A full run whose n-th request is answered with a 429. The kit's sleeper (no real wait) must be asked
 * for at least Retry-After before the same request is sent again, and the run must yield what the
 * full run did.
 */
async function checkRateLimit(
  connector: AnyConnector,
  stream: string,
  options: AcceptanceOptions,
  full: StreamRun,
  fail: Fail,
): Promise<number | undefined> {
  const throttled = options.rateLimitedRequest ?? 1;
  const answer = (options.rateLimited ?? defaultRateLimited)();
  const asked = waitAsked(answer, options.now ?? Date.now);
  if (answer.status !== 429 || asked === undefined) {
    throw new TypeError("rateLimited must answer 429 with a Retry-After of seconds or a date.");
  }
  const events: Array<{ kind: "request"; url: string } | { kind: "wait"; url: string; ms: number }> = [];
  let requests = 0;
  let throttledUrl: string | undefined;
  const fetchWith429: typeof fetch = (input, init) => {
    const url = requestUrl(input);
    events.push({ kind: "request", url });
    requests++;
    if (requests === throttled) {
      throttledUrl = url;
      return Promise.resolve(answer.clone());
    }
    return globalThis.fetch(input, init);
  };
  await options.beforeRun?.();
  const run = await attempt(() =>
    runStream(connector, stream, {
      ...runOptions(options),
      fetch: fetchWith429,
      onWait: (wait) => events.push({ kind: "wait", url: wait.url, ms: wait.ms }),
    }),
  );
  if (throttledUrl === undefined) {
    fail(
      "rateLimitHonoured",
      `the run sent ${requests} request(s) through ctx.fetch, fewer than the ${throttled} needed to answer one with a 429: send every request with ctx.fetch.`,
    );
    return undefined;
  }
  if (run instanceof Error) {
    fail("rateLimitHonoured", `the run failed on the 429 to ${throttledUrl}: ${run.message}`);
    return undefined;
  }
  const at = events.findIndex((event) => event.kind === "request" && event.url === throttledUrl);
  const after = events.slice(at + 1);
  const retry = after.findIndex((event) => event.kind === "request" && event.url === throttledUrl);
  const waited = (retry === -1 ? after : after.slice(0, retry)).filter(
    (event) => event.kind === "wait" && event.url === throttledUrl,
  );
  const waitMs = Math.max(0, ...waited.map((event) => (event.kind === "wait" ? event.ms : 0)));
  if (retry === -1) {
    fail("rateLimitHonoured", `after the 429 to ${throttledUrl}, the request was never sent again.`);
  } else if (waitMs < asked) {
    fail(
      "rateLimitHonoured",
      `after the 429 to ${throttledUrl}, the request was sent again after a wait of ${waitMs} ms, not the ${asked} ms its Retry-After asked.`,
    );
  }
  checkValid(run, "the run with a 429", fail);
  const keys = new Set(run.records.map(recordKey));
  const lost = full.records.filter((record) => !keys.has(recordKey(record)));
  if (lost.length > 0) {
    fail(
      "rateLimitHonoured",
      `the run with a 429 lost ${lost.length} of the full run's ${full.records.length} record(s) (first: ${describeRecord(lost[0])}).`,
    );
  }
  return waitMs;
}

/** The wait a 429 asks for, in ms, from its Retry-After: seconds, or a date read on the run's clock. */
function waitAsked(response: Response, now: () => number): number | undefined {
  const value = response.headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}
