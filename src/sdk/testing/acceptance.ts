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
import type { JsonValue } from "../records.ts";
import { checkRateLimit } from "./acceptance-rate-limit.ts";
import {
  type AcceptanceCheck,
  type AcceptanceOptions,
  attempt,
  checkValid,
  describeRecord,
  type Fail,
  recordKey,
  runOptions,
} from "./acceptance-support.ts";
import { runStream, runWebhook, type StreamRun } from "./runs.ts";

export type { AcceptanceCheck, AcceptanceOptions } from "./acceptance-support.ts";
export { ACCEPTANCE_CHECKS, recordKey } from "./acceptance-support.ts";

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
  /**
   * Records of the full run kept without some invalid identity (the hub drops it with a warning):
   * no failure, since a provider's data is what it is, but worth a look when it is most of them.
   */
  droppedIdentities: number;
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

async function checkStream(
  connector: AnyConnector,
  stream: string,
  options: AcceptanceOptions,
  fail: Fail,
): Promise<StreamAcceptance> {
  const summary: StreamAcceptance = { records: 0, checkpoints: 0, droppedIdentities: 0, resumedRuns: 0 };
  const full = await attempt(() => run(connector, stream, options));
  if (full instanceof Error) {
    fail("validRecords", `the full run failed: ${full.message}`);
    return summary;
  }
  summary.records = full.records.length;
  summary.checkpoints = full.checkpoints.length;
  summary.droppedIdentities = full.droppedIdentities.length;
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

/** At most `count` of `items`, spread evenly, the last always among them. */
function pickEvenly<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  const step = items.length / count;
  return Array.from(
    { length: count },
    (_, i) => items[Math.ceil(items.length - 1 - i * step)] as T,
  ).reverse();
}

function explain(error: string | undefined): string {
  return error ? `: ${error}` : "";
}
