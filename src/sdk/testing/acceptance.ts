// The acceptance checks every plugin's tests run in one line (`await expectAcceptance(connector, {
// config })`), against the provider the test serves with msw (or anything that answers fetch): what
// the hub relies on from every plugin, whatever its provider.
//   validRecords              every record a stream (or a given webhook) yields passes the SDK's schemas;
//   checkpointsFollowRecords  a checkpoint comes after the records it covers: resuming from it
//                             yields every record the full run yielded after it;
//   incrementalSubset         a run resumed from a checkpoint (the last, and those before it) yields
//                             only records the full run yielded;
//   rateLimitHonoured         a 429 is waited out as its Retry-After says (by the kit's sleeper: no
//                             real wait), then the same request is sent again and nothing is lost.
import type { AnyConnector } from "../define-connector.ts";
import { redactUrl } from "../http.ts";
import type { ConnectorRecord, JsonValue } from "../records.ts";
import type { WebhookRequest } from "../webhooks.ts";
import { runStream, runWebhook, type StreamRun, type TestRunOptions } from "./runs.ts";

export const ACCEPTANCE_CHECKS = [
  "validRecords",
  "checkpointsFollowRecords",
  "incrementalSubset",
  "rateLimitHonoured",
] as const;
export type AcceptanceCheck = (typeof ACCEPTANCE_CHECKS)[number];

export interface AcceptanceOptions extends Omit<TestRunOptions, "fetch" | "onWait"> {
  /** The streams to check; every stream of the connector when omitted. */
  streams?: string[];
  /** Webhook deliveries (signed as the provider signs) whose records must be valid too. */
  webhooks?: WebhookRequest[];
  /**
   * The provider's answer to a throttled request, with its Retry-After; by default a 429 with
   * `Retry-After: 7`. Give the provider's documented 429 body when it has one.
   */
  rateLimited?: () => Response;
  /** Which request of a full run is throttled, counting from 1 (the first by default). */
  rateLimitedRequest?: number;
  /** Called before every run: reset stateful handlers here (the checks run each stream several times). */
  beforeRun?: () => void | Promise<void>;
  /** The most checkpoints of one run to resume from (the last always among them); 12 by default. */
  maxResumes?: number;
}

export interface AcceptanceFailure {
  check: AcceptanceCheck;
  /** The stream, or "webhooks". */
  where: string;
  message: string;
}

/** What was checked, per stream, so that a test can see the checks were not vacuous. */
export interface StreamAcceptance {
  records: number;
  checkpoints: number;
  /** How many runs were resumed from a checkpoint of the full run. */
  resumedRuns: number;
  /** The wait the kit's sleeper was asked for after the 429, in ms. */
  rateLimitWaitMs?: number;
}

export interface AcceptanceReport {
  failures: AcceptanceFailure[];
  streams: Record<string, StreamAcceptance>;
  webhookRecords: number;
}

/** Thrown by expectAcceptance: every failure, one per line. */
export class AcceptanceError extends Error {
  override name = "AcceptanceError";
  readonly failures: AcceptanceFailure[];
  constructor(connectorId: string, failures: AcceptanceFailure[]) {
    super(
      `Connector "${connectorId}" fails ${failures.length} acceptance check(s):\n${failures
        .map((failure) => `- ${failure.check} (${failure.where}): ${failure.message}`)
        .join("\n")}`,
    );
    this.failures = failures;
  }
}

const DEFAULT_RETRY_AFTER_SECONDS = 7;
const defaultRateLimited = () =>
  Response.json(
    { error: "rate_limited" },
    { status: 429, headers: { "Retry-After": String(DEFAULT_RETRY_AFTER_SECONDS) } },
  );

/** Runs every acceptance check and throws an AcceptanceError listing what failed; else the report. */
export async function expectAcceptance(
  connector: AnyConnector,
  options: AcceptanceOptions,
): Promise<AcceptanceReport> {
  const report = await checkAcceptance(connector, options);
  if (report.failures.length > 0) throw new AcceptanceError(connector.id, report.failures);
  return report;
}

/** Runs every acceptance check and reports what failed, without throwing for a failed check. */
export async function checkAcceptance(
  connector: AnyConnector,
  options: AcceptanceOptions,
): Promise<AcceptanceReport> {
  const report: AcceptanceReport = { failures: [], streams: {}, webhookRecords: 0 };
  const streams = options.streams ?? Object.keys(connector.streams);
  for (const stream of streams) {
    const fail = (check: AcceptanceCheck, message: string) =>
      report.failures.push({ check, where: stream, message });
    if (!connector.streams[stream]) {
      fail("validRecords", `the connector has no stream "${stream}".`);
      continue;
    }
    report.streams[stream] = await checkStream(connector, stream, options, fail);
  }
  for (const [index, request] of (options.webhooks ?? []).entries()) {
    const fail = (message: string) =>
      report.failures.push({ check: "validRecords", where: "webhooks", message });
    const run = await runWebhook(connector, request, runOptions(options));
    if (run.status !== 200) fail(`delivery ${index} was answered ${run.status}${explain(run.error)}.`);
    for (const invalid of run.invalid) fail(`delivery ${index}, record ${invalid.index}: ${invalid.reason}`);
    report.webhookRecords += run.records.length;
  }
  return report;
}

type Fail = (check: AcceptanceCheck, message: string) => void;

async function checkStream(
  connector: AnyConnector,
  stream: string,
  options: AcceptanceOptions,
  fail: Fail,
): Promise<StreamAcceptance> {
  const summary: StreamAcceptance = { records: 0, checkpoints: 0, resumedRuns: 0 };
  const full = await attempt(() => run(connector, stream, options));
  if (full instanceof Error) {
    fail("validRecords", `the full run failed: ${full.message}`);
    return summary;
  }
  summary.records = full.records.length;
  summary.checkpoints = full.checkpoints.length;
  checkValid(full, "the full run", fail);
  if (full.records.length === 0) {
    fail("validRecords", "the full run yielded no valid record: serve the provider's fixtures to it.");
  }
  if (full.checkpoints.length === 0) {
    fail("checkpointsFollowRecords", "the full run yielded no checkpoint: no later run could resume.");
  }
  summary.resumedRuns = await checkResumes(connector, stream, options, full, fail);
  summary.rateLimitWaitMs = await checkRateLimit(connector, stream, options, full, fail);
  return summary;
}

function checkValid(run: StreamRun, which: string, fail: Fail): void {
  for (const invalid of run.invalid) {
    fail("validRecords", `${which}, output ${invalid.index}: ${invalid.reason}`);
  }
  for (const dropped of run.droppedIdentities) {
    const issues = dropped.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
    fail("validRecords", `${which}, output ${dropped.index} has invalid identities (${issues}).`);
  }
}

/**
 * Resumes from checkpoints of the full run, as the hub does after a run that stopped there. The
 * records the full run yielded after a checkpoint were not yet committed with it: the resumed run
 * must yield them all (else the checkpoint came before its records), and nothing the full run did not.
 */
async function checkResumes(
  connector: AnyConnector,
  stream: string,
  options: AcceptanceOptions,
  full: StreamRun,
  fail: Fail,
): Promise<number> {
  const fullKeys = new Set(full.records.map(recordKey));
  const positions = full.outputs.flatMap((output, index) => (output.type === "checkpoint" ? [index] : []));
  let resumed = 0;
  for (const position of pickEvenly(positions, options.maxResumes ?? 12)) {
    const checkpoint = full.outputs[position];
    if (checkpoint?.type !== "checkpoint") continue;
    const cursor = checkpoint.cursor as JsonValue;
    const which = `the run resumed from checkpoint ${JSON.stringify(cursor)}`;
    const run = await attempt(() => runFrom(connector, stream, options, cursor));
    resumed++;
    if (run instanceof Error) {
      fail("incrementalSubset", `${which} failed: ${run.message}`);
      continue;
    }
    checkValid(run, which, fail);
    const resumedKeys = new Set(run.records.map(recordKey));
    const uncommitted = full.outputs.slice(position + 1).filter((output) => output.type !== "checkpoint");
    const missing = uncommitted.filter((record) => !resumedKeys.has(recordKey(record)));
    if (missing.length > 0) {
      fail(
        "checkpointsFollowRecords",
        `${which} did not yield ${missing.length} record(s) the full run yielded after that checkpoint (first: ${describeRecord(missing[0])}): the checkpoint came before records it covers, which a run stopped there would lose.`,
      );
    }
    const extra = run.records.filter((record) => !fullKeys.has(recordKey(record)));
    if (extra.length > 0) {
      fail(
        "incrementalSubset",
        `${which} yielded ${extra.length} record(s) the full run did not (first: ${describeRecord(extra[0])}): an incremental run must return a subset of the full run.`,
      );
    }
  }
  return resumed;
}

/**
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
    const url = redactUrl(input instanceof Request ? input.url : String(input));
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

function runOptions(options: AcceptanceOptions): TestRunOptions {
  const { streams, webhooks, rateLimited, rateLimitedRequest, beforeRun, maxResumes, ...rest } = options;
  return rest;
}

async function run(connector: AnyConnector, stream: string, options: AcceptanceOptions): Promise<StreamRun> {
  await options.beforeRun?.();
  return runStream(connector, stream, runOptions(options));
}

async function runFrom(
  connector: AnyConnector,
  stream: string,
  options: AcceptanceOptions,
  cursor: JsonValue,
): Promise<StreamRun> {
  await options.beforeRun?.();
  return runStream(connector, stream, { ...runOptions(options), cursor });
}

async function attempt<T>(work: () => Promise<T>): Promise<T | Error> {
  try {
    return await work();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** At most `count` of `items`, spread evenly, the last always among them. */
function pickEvenly<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  const step = items.length / count;
  return Array.from(
    { length: count },
    (_, i) => items[Math.ceil(items.length - 1 - i * step)] as T,
  ).reverse();
}

/** A record as canonical JSON (keys sorted, dates as ISO strings): equal records, equal keys. */
export function recordKey(record: ConnectorRecord): string {
  return JSON.stringify(record, (_key, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

function describeRecord(record: ConnectorRecord | undefined): string {
  if (!record) return "none";
  const id = "externalId" in record && record.externalId ? ` ${record.externalId}` : "";
  return `${record.type}${id}`;
}

function explain(error: string | undefined): string {
  return error ? `: ${error}` : "";
}
