// Runs one claimed sync run: every stream of the connector from its stored cursor, each yielded value
// validated, records buffered into batches and committed through the one ingest path. The rule that
// makes a kill at any moment safe: a checkpoint is stored only in the transaction that commits the
// records yielded before it (with the batch that follows it, or at once when commits are far apart),
// so the stored cursor never runs ahead of the stored records. A run
// killed mid-batch resumes from the last stored cursor and reads the uncommitted tail again, and
// idempotence on (source, externalId) turns whatever had been committed past the cursor into
// "unchanged": no gaps, no duplicates.
//
// Batches do not rescore the customers they touch: they mark them due in their own transaction, and
// the runner rescores every due customer once when the streams end, and every `rescoreIntervalMs`
// during a long stream (src/pipeline/rescore-due-customers.ts). A customer whose orders span many
// batches is scored once, not once a batch; a run that dies leaves its customers due, and they are
// scored when an instance starts (start-sync.ts) or by the next run's drain. The run ends SUCCEEDED only once its customers are scored.
import type { z } from "zod";
import { describeError } from "../../db/database-errors.ts";
import type { Connector, PrismaClient, SyncRun } from "../../generated/prisma/client.ts";
import type { HubMetrics } from "../../metrics/hub-metrics.ts";
import { type DrainResult, rescoreDueCustomers } from "../../pipeline/rescore-due-customers.ts";
import type { WriteContext } from "../../pipeline/unit-of-work.ts";
import { ConnectorConfigError, createStreamContext } from "../../sdk/context.ts";
import type { AnyConnector, StreamDefinition } from "../../sdk/define-connector.ts";
import { HttpError, type HttpOptions, type Sleep } from "../../sdk/http.ts";
import type { LoggerLike } from "../../sdk/logger.ts";
import type { JsonValue } from "../../sdk/records.ts";
import { readConnectorConfig } from "../connector-store.ts";
import {
  commitIngest,
  type IngestCounts,
  type IngestItem,
  type IngestOrigin,
} from "../ingest/ingest-records.ts";
import { type RecordOrigin, storedRecordInput } from "../ingest/to-domain.ts";
import type { PluginRegistry } from "../plugin-registry.ts";
import { MissingSecretKeyError, SecretBoxError } from "../secret-box.ts";
import { classifyStreamValue } from "./stream-values.ts";
import { countSyncBatch, countSyncRun } from "./sync-metrics.ts";
import {
  beatHeartbeat,
  finishSyncRun,
  RunLostError,
  recordBatchProgress,
  type SyncRunWarning,
} from "./sync-runs.ts";

export interface HubLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface SyncRunnerOptions {
  db: PrismaClient;
  plugins: PluginRegistry;
  /** Null without a key: connectors whose plugins have secret fields cannot run. */
  secretKey: Uint8Array | null;
  /** The policy and clock the batches are written with. */
  writes: WriteContext;
  logger: HubLogger;
  /** Records per transaction. */
  batchSize: number;
  /** A checkpoint waits for a full batch, unless the last commit is older than this. */
  checkpointIntervalMs: number;
  /** During a stream, the customers due are rescored when the last drain is older than this. */
  rescoreIntervalMs: number;
  /** Drains that rescore the customers due side by side (rescore-due-customers.ts). */
  rescoreDrains: number;
  /** How often the lease is renewed (and a cancellation asked for elsewhere noticed) during fetches. */
  heartbeatMs: number;
  /** Overrides of the plugins' http options (tests: fewer attempts). */
  http?: Partial<HttpOptions>;
  /** How the fetch sleeps between retries (tests: not at all). */
  sleep?: Sleep;
  /** The fetch under the connectors' own (tests and the bench: where a provider's requests go). */
  fetch?: typeof fetch;
  /** Called after each committed batch: for progress reporting, metrics, tests. */
  onCommit?: (commit: BatchCommit) => void | Promise<void>;
  /** Called after each drain of the customers due for rescoring (the batches' deferred rescoring). */
  onRescore?: (drain: RescoreDrain) => void | Promise<void>;
  /** The hub's metrics: records per batch, runs per final status. */
  metrics?: HubMetrics;
}

export interface BatchCommit {
  runId: string;
  connectorId: string;
  stream: string;
  fetched: number;
  counts: IngestCounts;
  /** The cursor stored with this batch, when it held one. */
  checkpoint?: JsonValue;
  /**
   * Where the batch's time went: waiting for the plugin's records (its fetches, parsing and
   * mapping, and the SDK's validation) since the previous commit, then storing them, of which
   * rescoring.
   */
  timings: { readMs: number; writeMs: number; rescoreMs: number };
}

export interface RescoreDrain extends DrainResult {
  runId: string;
  /** The drain's wall time (taking the due rows, rescoring, alerts, segment entries, commits). */
  ms: number;
}

/** Why a run's signal was aborted. */
export type StopReason = { kind: "cancel" } | { kind: "shutdown" } | { kind: "lost" };

interface StreamJob {
  run: SyncRun;
  /** Rescores the customers due now (see the top of this file). */
  drain(): Promise<void>;
  connector: Connector;
  plugin: AnyConnector;
  config: Record<string, unknown>;
  stream: string;
  signal: AbortSignal;
  stop(reason: StopReason): void;
}

/** Runs a RUNNING run (claimed by this process) to its end and records how it ended; never throws for the run's own failures. */
export async function executeSyncRun(
  options: SyncRunnerOptions,
  runId: string,
  control: AbortController,
): Promise<SyncRun> {
  const { db, logger } = options;
  const run = await db.syncRun.findUniqueOrThrow({ where: { id: runId }, include: { connector: true } });
  const { connector } = run;
  const label = `Sync run ${run.id} of connector "${connector.name}"`;
  const stop = (reason: StopReason) => {
    if (!control.signal.aborted) control.abort(reason);
  };
  const heartbeat = setInterval(() => {
    beatHeartbeat(db, run.id).then(
      ({ cancelRequested }) => cancelRequested && stop({ kind: "cancel" }),
      (error) =>
        error instanceof RunLostError
          ? stop({ kind: "lost" })
          : logger.warn(`${label}: could not renew its lease: ${describeError(error)}`),
    );
  }, options.heartbeatMs);
  heartbeat.unref();

  const drain = async () => {
    const started = performance.now();
    const drained = await rescoreDueCustomers(db, options.writes, { drains: options.rescoreDrains });
    await options.onRescore?.({ runId: run.id, ...drained, ms: performance.now() - started });
  };

  const failures: string[] = [];
  let needsAPerson = false;
  try {
    const plugin = options.plugins.get(connector.pluginId);
    if (!plugin) {
      throw new Error(`the plugin "${connector.pluginId}" is not loaded in this hub: install it and restart`);
    }
    const config = readConnectorConfig(options.secretKey, connector);
    for (const stream of Object.keys(plugin.streams)) {
      if (control.signal.aborted) break;
      try {
        await syncStream(options, {
          run,
          drain,
          connector,
          plugin,
          config,
          stream,
          signal: control.signal,
          stop,
        });
      } catch (error) {
        if (error instanceof RunLostError) stop({ kind: "lost" });
        if (control.signal.aborted) break;
        failures.push(`stream "${stream}": ${describeError(error)}`);
        needsAPerson ||= isForAPerson(error);
        // A bad configuration fails every stream alike: say it once.
        if (error instanceof ConnectorConfigError) break;
      }
    }
  } catch (error) {
    failures.push(describeError(error));
    needsAPerson ||= isForAPerson(error);
  } finally {
    clearInterval(heartbeat);
  }

  const reason = control.signal.reason as StopReason | undefined;
  // What the batches committed is scored before the run ends, whichever way it ends; on a shutdown
  // or a lost lease the customers stay due, for the next drain.
  if (reason?.kind !== "shutdown" && reason?.kind !== "lost") {
    try {
      await drain();
    } catch (error) {
      failures.push(`rescoring the synced customers: ${describeError(error)}`);
    }
  }
  if (reason?.kind === "lost") {
    logger.warn(`${label} lost its lease (reaped as abandoned, or ended elsewhere); it stopped.`);
    return db.syncRun.findUniqueOrThrow({ where: { id: run.id } });
  }
  const asked = await db.syncRun.findUniqueOrThrow({
    where: { id: run.id },
    select: { cancelRequestedAt: true },
  });
  const cancelled = reason !== undefined || asked.cancelRequestedAt !== null;
  const status = cancelled ? "CANCELLED" : failures.length > 0 ? "FAILED" : "SUCCEEDED";
  const error =
    reason?.kind === "shutdown"
      ? "Interrupted: the hub shut down. The next run resumes from the last committed checkpoint."
      : failures.length > 0
        ? failures.join("; ")
        : null;
  if (status === "FAILED" && needsAPerson) {
    await db.connector.update({ where: { id: connector.id }, data: { status: "FAILING" } });
  } else if (status === "SUCCEEDED" && connector.status === "FAILING") {
    await db.connector.updateMany({
      where: { id: connector.id, status: "FAILING" },
      data: { status: "ACTIVE" },
    });
  }
  const finished = await finishSyncRun(db, run.id, { status, error });
  if (options.metrics) countSyncRun(options.metrics, connector.name, status);
  const log = status === "FAILED" ? logger.warn : logger.info;
  log.call(
    logger,
    `${label} ${status.toLowerCase()}: fetched ${finished.recordsFetched}, created ${finished.recordsCreated}, updated ${finished.recordsUpdated}, unchanged ${finished.recordsUnchanged}, deleted ${finished.recordsDeleted}, dead-lettered ${finished.recordsDeadLettered}, skipped as stale ${finished.recordsSkippedStale}${finished.identitiesDropped ? `, invalid identities left out ${finished.identitiesDropped}` : ""}${error ? `; ${error}` : ""}`,
  );
  return finished;
}

async function syncStream(options: SyncRunnerOptions, job: StreamJob): Promise<void> {
  const { db } = options;
  const { run, connector, plugin, stream, signal } = job;
  const definition = plugin.streams[stream] as StreamDefinition<unknown, z.ZodType | undefined>;
  const stored = await db.syncCursor.findUnique({
    where: { connectorId_stream: { connectorId: connector.id, stream } },
  });
  const ctx = createStreamContext(plugin, stream, {
    config: job.config,
    cursor: stored?.cursor ?? undefined,
    connectorName: connector.name,
    signal,
    logger: options.logger as LoggerLike,
    http: options.http,
    sleep: options.sleep,
    fetch: options.fetch,
  });
  const origin: IngestOrigin = {
    connectorId: connector.id,
    source: connector.name,
    channel: plugin.channel,
    stream,
    syncRunId: run.id,
  };
  const recordOrigin: RecordOrigin = { source: origin.source, channel: origin.channel };
  let pending: IngestItem[] = [];
  // The latest checkpoint, not stored yet: it goes with the next commit, which stores every record
  // yielded before it in the same transaction. Providers page in tens; batches of hundreds commit
  // (and rescore) far fewer times.
  let held: { cursor: JsonValue } | undefined;
  let lastCommitAt = performance.now();
  let lastDrainAt = performance.now();
  let readMs = 0;
  // The batch being committed while the next one is read: reading is the plugin's work (fetches,
  // parsing) and committing mostly the database's, so they overlap. Batches still commit one after
  // the other, in order, and a third waits for the first to end: one batch of read-ahead at most.
  let inFlight: Promise<void> | undefined;

  // Stores one batch, and with it the checkpoint that followed it, in one transaction.
  const store = async (
    items: IngestItem[],
    checkpoint: { cursor: JsonValue } | undefined,
    readTime: number,
  ) => {
    const started = performance.now();
    let cancelRequested = false;
    const result = await commitIngest(db, options.writes, origin, items, {
      deferRescoring: true,
      keepError: (error) => error instanceof RunLostError,
      finish: async (tx, counts) => {
        ({ cancelRequested } = await recordBatchProgress(tx, run.id, {
          fetched: items.length,
          counts,
          warnings: droppedIdentityWarnings(stream, items),
          ...(checkpoint && { cursor: { connectorId: connector.id, stream, value: checkpoint.cursor } }),
        }));
      },
    });
    if (options.metrics) countSyncBatch(options.metrics, connector.name, result.counts);
    if (result.counts.identitiesDropped > 0) {
      options.logger.warn(
        `Sync run ${run.id}, stream "${stream}": kept ${result.counts.identitiesDropped === 1 ? "a record without an invalid identity" : `records without ${result.counts.identitiesDropped} invalid identities`} (see the run's warnings).`,
      );
    }
    await options.onCommit?.({
      runId: run.id,
      connectorId: connector.id,
      stream,
      fetched: items.length,
      counts: result.counts,
      checkpoint: checkpoint?.cursor,
      timings: { readMs: readTime, writeMs: performance.now() - started, rescoreMs: result.rescoreMs },
    });
    if (cancelRequested) job.stop({ kind: "cancel" });
  };

  // Waits for the batch in flight (its failure fails the stream here), then starts the next one.
  const commit = async () => {
    // Taken off before it is awaited: if it failed, its error fails the stream once, from here.
    const previous = inFlight;
    inFlight = undefined;
    if (previous) await previous;
    if (performance.now() - lastDrainAt >= options.rescoreIntervalMs) {
      await job.drain();
      lastDrainAt = performance.now();
    }
    const batch = store(pending, held, readMs);
    // Marked handled now; it is awaited before the next commit or at the stream's end.
    batch.catch(() => {});
    inFlight = batch;
    pending = [];
    held = undefined;
    readMs = 0;
    lastCommitAt = performance.now();
  };

  try {
    let waitingSince = performance.now();
    for await (const value of definition.read(ctx as never)) {
      const output = classifyStreamValue(definition, value);
      // Mapped to the pipeline's input now, while the batch before commits: the commit is the sync's
      // critical path (the hub's statements and PostgreSQL's, one after the other), the reading is not.
      if (output.type === "record") {
        const input = storedRecordInput(output.record, recordOrigin);
        if (input) output.input = input;
      }
      readMs += performance.now() - waitingSince;
      if (output.type !== "checkpoint") pending.push(output);
      else {
        held = { cursor: output.cursor };
        if (performance.now() - lastCommitAt >= options.checkpointIntervalMs) await commit();
      }
      if (pending.length >= options.batchSize) await commit();
      // Stop between values; leaving the for-await lets the plugin's generator clean up.
      if (signal.aborted) return;
      waitingSince = performance.now();
    }
    if (pending.length > 0 || held) await commit();
  } catch (error) {
    // The stream failed while a batch was committing: that batch's own failure must not go unseen.
    await inFlight?.catch((commitError: unknown) =>
      options.logger.warn(
        `Sync run ${run.id}, stream "${stream}": a batch failed too while the stream failed: ${describeError(commitError)}`,
      ),
    );
    inFlight = undefined;
    throw error;
  } finally {
    await inFlight;
  }
}

/** The identities the batch's records were kept without, as warnings for the run. */
function droppedIdentityWarnings(stream: string, items: IngestItem[]): SyncRunWarning[] {
  return items.flatMap((item) =>
    item.type === "record" && item.droppedIdentities
      ? item.droppedIdentities.map((issue) => ({
          stream,
          externalId: "externalId" in item.record ? (item.record.externalId ?? null) : null,
          path: issue.path,
          message: `Left out an invalid identity; the record was kept with its others: ${issue.message}`,
        }))
      : [],
  );
}

/**
 * Failures only a person can fix on the connector: refused credentials, a configuration or key that
 * no longer fits. An instance with no key at all is its own operator's problem, not the connector's.
 */
function isForAPerson(error: unknown): boolean {
  return (
    (error instanceof HttpError && (error.status === 401 || error.status === 403)) ||
    error instanceof ConnectorConfigError ||
    (error instanceof SecretBoxError && !(error instanceof MissingSecretKeyError))
  );
}
