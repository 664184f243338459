// The sync engine of one hub process: starts runs (manual or scheduled) in the background, tracks
// the ones it is running so they can be cancelled at once and stopped on shutdown, and hands each to
// the runner. Which process runs a connector is decided by the database (one QUEUED or RUNNING run per
// connector), so any number of hub instances can share one PostgreSQL database.

import { systemClock } from "../../clock.ts";
import { describeError } from "../../db/database-errors.ts";
import { ConflictError } from "../../domain/errors.ts";
import type { PrismaClient, SyncRun } from "../../generated/prisma/client.ts";
import type { SyncTrigger } from "../../generated/prisma/enums.ts";
import type { HubMetrics } from "../../metrics/hub-metrics.ts";
import type { WriteContext } from "../../pipeline/unit-of-work.ts";
import { DEFAULT_SCORING_POLICY } from "../../policy/scoring-policy.ts";
import type { HttpOptions, Sleep } from "../../sdk/http.ts";
import { type ConnectorRef, findConnector } from "../connector-store.ts";
import type { PluginRegistry } from "../plugin-registry.ts";
import {
  type BatchCommit,
  executeSyncRun,
  type HubLogger,
  type RescoreDrain,
  type StopReason,
} from "./run-sync.ts";
import {
  claimSyncRun,
  DEFAULT_STALE_AFTER_MS,
  processOwner,
  queueRequestedSync,
  queueSyncRun,
  requestSyncCancel,
} from "./sync-runs.ts";

export interface SyncEngineOptions {
  db: PrismaClient;
  plugins: PluginRegistry;
  /** Null without a key: connectors whose plugins have secret fields cannot run. */
  secretKey: Uint8Array | null;
  /** The policy and clock batches are written with; the defaults and the machine's clock when omitted. */
  writes?: WriteContext;
  logger?: HubLogger;
  /** Records per transaction; default 500. */
  batchSize?: number;
  /**
   * A checkpoint is stored with the next full batch, or at once when the last commit is this old;
   * default 5 s. Bounds what a crash makes the next run read again when a provider pages slowly.
   */
  checkpointIntervalMs?: number;
  /**
   * During a long stream, the customers its batches touched are rescored when the last rescoring is
   * this old; default 5 min. They are rescored at the end of every run in any case (run-sync.ts).
   */
  rescoreIntervalMs?: number;
  /**
   * Drains that rescore a run's due customers side by side, each on its own connection; default 1.
   * More than one only helps where transactions run in parallel (PostgreSQL, not the embedded
   * database): see rescore-due-customers.ts.
   */
  rescoreDrains?: number;
  /** Lease renewal period; default 15 s. */
  heartbeatMs?: number;
  /** A run whose lease was not renewed for this long is abandoned; default 5 min. */
  staleAfterMs?: number;
  /** This process's name in SyncRun.owner; default host:pid:random. */
  owner?: string;
  http?: Partial<HttpOptions>;
  sleep?: Sleep;
  /** The fetch under the connectors' own (tests and the bench: where a provider's requests go). */
  fetch?: typeof fetch;
  onCommit?: (commit: BatchCommit) => void | Promise<void>;
  onRescore?: (drain: RescoreDrain) => void | Promise<void>;
  /** The hub's metrics: what this engine's runs synced (sync-metrics.ts). */
  metrics?: HubMetrics;
}

export interface SyncEngine {
  /** Queues a run and starts it in the background; ConflictError when the connector has one. */
  trigger(connector: ConnectorRef, options?: { trigger?: SyncTrigger }): Promise<SyncRun>;
  /** Queues a run and waits for its end. */
  run(connector: ConnectorRef, options?: { trigger?: SyncTrigger }): Promise<SyncRun>;
  /** Starts a run already queued (the scheduler queues its own). */
  start(run: SyncRun): void;
  /** The end of a run this engine started; the row as it is for any other. */
  wait(runId: string): Promise<SyncRun>;
  /**
   * Answers a webhook's sync request (sync-requests.ts): queues and starts a WEBHOOK run unless none
   * is pending, the connector is not ACTIVE, or a run is active (its end asks again). Never throws
   * for those; returns the run started, if any.
   */
  answerSyncRequest(connectorId: string): Promise<SyncRun | null>;
  /** Cancels a run, wherever it runs (at once here; at its next batch or heartbeat elsewhere). */
  cancel(runId: string): Promise<SyncRun>;
  /** How many runs this engine is running. */
  readonly running: number;
  readonly staleAfterMs: number;
  /** False on an instance without a secret key: it leaves connectors with stored secrets to others. */
  readonly hasSecretKey: boolean;
  /** Stops every run (they end CANCELLED, resumable) and waits for them. */
  close(): Promise<void>;
}

const silent: HubLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const { db } = options;
  const logger = options.logger ?? silent;
  const owner = options.owner ?? processOwner();
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const runner = {
    db,
    plugins: options.plugins,
    secretKey: options.secretKey,
    writes: options.writes ?? { policy: DEFAULT_SCORING_POLICY, clock: systemClock },
    logger,
    batchSize: options.batchSize ?? 500,
    checkpointIntervalMs: options.checkpointIntervalMs ?? 5_000,
    rescoreIntervalMs: options.rescoreIntervalMs ?? 300_000,
    rescoreDrains: options.rescoreDrains ?? 1,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    http: options.http,
    sleep: options.sleep,
    fetch: options.fetch,
    onCommit: options.onCommit,
    onRescore: options.onRescore,
    metrics: options.metrics,
  };
  const active = new Map<string, { control: AbortController; done: Promise<SyncRun> }>();
  let closed = false;

  const start = (run: SyncRun): void => {
    if (closed)
      throw new ConflictError("The sync engine is shutting down: start the run again after restart.");
    if (active.has(run.id)) return;
    const control = new AbortController();
    const done = (async () => {
      if (!(await claimSyncRun(db, run.id, owner)))
        return db.syncRun.findUniqueOrThrow({ where: { id: run.id } });
      return executeSyncRun(runner, run.id, control);
    })();
    active.set(run.id, { control, done });
    done
      .catch((error) =>
        logger.error(`Sync run ${run.id} could not be run or recorded: ${describeError(error)}`),
      )
      .finally(() => {
        active.delete(run.id);
        // A webhook may have asked for a sync while this run read the provider: answer it now.
        if (!closed) void answerSyncRequest(run.connectorId);
      });
  };

  const answerSyncRequest = async (connectorId: string): Promise<SyncRun | null> => {
    if (closed) return null;
    try {
      if (options.secretKey === null) {
        const connector = await db.connector.findUnique({
          where: { id: connectorId },
          select: { encryptedSecrets: true },
        });
        if (connector?.encryptedSecrets) return null; // An instance with the key answers it.
      }
      const run = await queueRequestedSync(db, connectorId, { staleAfterMs });
      if (run) start(run);
      return run;
    } catch (error) {
      // The next scheduler tick answers it instead.
      logger.warn(`Could not answer the sync request of connector ${connectorId}: ${describeError(error)}`);
      return null;
    }
  };

  const trigger = async (ref: ConnectorRef, { trigger = "MANUAL" }: { trigger?: SyncTrigger } = {}) => {
    if (closed)
      throw new ConflictError("The sync engine is shutting down: trigger the run again after restart.");
    const connector = await findConnector(db, ref);
    if (connector.status === "PAUSED") {
      throw new ConflictError(`Connector "${connector.name}" is paused: resume it to sync.`);
    }
    const run = (await queueSyncRun(db, { connectorId: connector.id, trigger, staleAfterMs })) as SyncRun;
    start(run);
    return run;
  };

  const wait = async (runId: string) =>
    active.get(runId)?.done ?? db.syncRun.findUniqueOrThrow({ where: { id: runId } });

  return {
    trigger,
    start,
    wait,
    answerSyncRequest,
    async run(ref, runOptions) {
      return wait((await trigger(ref, runOptions)).id);
    },
    async cancel(runId) {
      const row = await requestSyncCancel(db, runId);
      const mine = active.get(runId);
      if (!mine) return row;
      mine.control.abort({ kind: "cancel" } satisfies StopReason);
      return mine.done;
    },
    get running() {
      return active.size;
    },
    staleAfterMs,
    hasSecretKey: options.secretKey !== null,
    async close() {
      closed = true;
      for (const { control } of active.values()) control.abort({ kind: "shutdown" } satisfies StopReason);
      await Promise.allSettled([...active.values()].map(({ done }) => done));
    },
  };
}
