// Start-up of the hub's background work on the job engine: the scheduler's tick (scheduled rescoring
// and refits, connector syncs), the workers of runs, slices and syncs; and their clean stop.
//
// The tick is itself a job: one is queued for all instances at a time (queue policy "short"), and
// each tick first queues the next one `tickSeconds` later, then works; pg-boss's cron queues one every
// minute as well, so the chain cannot die with an instance. What a tick decides depends only on the
// hub's clock and the database, so two instances ticking at once decide the same thing once.

import { createSyncScheduler } from "../connectors/sync/scheduler.ts";
import type { SyncEngine } from "../connectors/sync/sync-engine.ts";
import type { Database } from "../db/database.ts";
import { describeError } from "../db/database-errors.ts";
import type { SyncRun } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import type { HubMetrics } from "../metrics/hub-metrics.ts";
import type { WriteContext } from "../pipeline/unit-of-work.ts";
import { createJobEngine, type JobEngine, QUEUES } from "./job-engine.ts";
import { countSlice, jobQueuesSource, rescoreLagSource } from "./job-metrics.ts";
import { rescoreSlice, type SliceResult } from "./rescore-slices.ts";
import {
  createDueRuns,
  type DueRun,
  type RunJobData,
  type RunReport,
  RunStillGoingError,
  runScheduledRun,
  type SliceJobData,
} from "./scheduled-runs.ts";
import {
  type DueSegmentCount,
  queueDueSegmentCount,
  runSegmentCountJob,
  type SegmentCountJobData,
} from "./segment-count-jobs.ts";
import { dispatchSyncRun, runSyncJob, type SyncJobData } from "./sync-jobs.ts";
import { startWebhookJobs, type WebhookJobs, type WebhookJobsOptions } from "./webhook-jobs.ts";

export interface StartJobsOptions {
  database: Database;
  logger: Logger;
  /** The scoring policy (with its `schedule`) and the hub's clock. */
  writes: WriteContext;
  /** This process's sync engine; null: it runs no syncs (and queues none). */
  sync: SyncEngine | null;
  /** Tick on the schedule (default). Off: nothing is due until `tick()` is called (tests). */
  autoTick?: boolean;
  /** Syncs one process runs at once; default 4. */
  maxConcurrentSyncs?: number;
  /** Called after a slice's transaction committed (the bench times alert delivery from it). */
  onSliceCommitted?: (slice: SliceJobData, result: SliceResult, committedAt: Date) => void;
  /** Tests: throws inside a slice's transaction, after its scores were written, as a crash would. */
  sliceFault?: (slice: SliceJobData, attempt: number) => void;
  /** The hub's metrics: slices worked, queue sizes and lag, rescoring lag (job-metrics.ts). */
  metrics?: HubMetrics;
  /** Deliver outgoing webhooks here (the secret key, the settings, the clock); none when omitted. */
  webhooks?: Omit<WebhookJobsOptions, "database" | "engine" | "logger">;
}

export interface TickReport {
  runs: DueRun[];
  syncs: SyncRun[];
  /** The daily segment count this tick queued, if it was due and not queued yet. */
  segmentCount: DueSegmentCount | null;
}

export interface RunningJobs {
  engine: JobEngine;
  /** One pass of the scheduler: creates the runs due now and queues the due syncs. */
  tick(): Promise<TickReport>;
  /** The webhook delivery pump and workers; null when not asked for. */
  webhooks: WebhookJobs | null;
  /** Stops the workers; handlers in progress finish or are retried elsewhere. */
  stop(): Promise<void>;
}

export async function startJobs(options: StartJobsOptions): Promise<RunningJobs> {
  const { database, logger, writes, sync } = options;
  const db = database.prisma;
  const schedule = writes.policy.schedule;
  const engine = await createJobEngine({ database, logger });
  const { boss } = engine;
  options.metrics?.watch("jobQueues", jobQueuesSource(engine));
  options.metrics?.watch("rescoreLag", rescoreLagSource(engine, writes.clock));
  const shutdown = new AbortController();

  // Workers poll (every second or two, so that an idle instance costs its database little); these wake
  // this instance's own at once when it queued work for them.
  const workers = {
    run: [] as string[],
    slice: [] as string[],
    sync: [] as string[],
    segmentCounts: [] as string[],
  };
  const wake = (ids: string[]) => {
    for (const id of ids) boss.notifyWorker(id);
  };

  const dispatch = dispatchSyncRun(engine, db);
  const scheduler = sync
    ? createSyncScheduler({
        db,
        engine: sync,
        now: writes.clock,
        start: async (run) => {
          await dispatch(run);
          wake(workers.sync);
        },
      })
    : null;
  const tick = async (): Promise<TickReport> => {
    const runs = await createDueRuns(engine, schedule, writes.clock());
    if (runs.some((run) => !run.skip)) {
      logger.info(`Scheduled ${describeRuns(runs)}.`);
      wake(workers.run);
    }
    const segmentCount = await queueDueSegmentCount(engine, schedule, writes.clock());
    if (segmentCount) wake(workers.segmentCounts);
    const syncs = (await scheduler?.tick()) ?? [];
    return { runs, syncs, segmentCount };
  };

  // Slices: the embedded database has one connection, so one slice at a time there.
  const sliceConcurrency = database.kind === "pglite" ? 1 : schedule.sliceConcurrency;
  for (let i = 0; i < sliceConcurrency; i++) {
    workers.slice.push(
      await boss.work<SliceJobData>(
        QUEUES.slice,
        { pollingIntervalSeconds: 1, includeMetadata: true },
        async ([job]) => {
          if (!job) return;
          const result = await countSlice(options.metrics, () =>
            rescoreSlice(db, {
              policy: writes.policy,
              range: { from: job.data.from, to: job.data.to },
              asOf: new Date(job.data.asOf),
              alerts: job.data.alerts,
              ...(options.sliceFault && {
                failAfterScoring: () => options.sliceFault?.(job.data, job.retryCount),
              }),
            }),
          );
          options.onSliceCommitted?.(job.data, result, new Date());
          return { rescored: result.rescored, alerts: result.alertedCustomerIds.length };
        },
      ),
    );
  }
  const wakeSliceWorkers = () => wake(workers.slice);

  const runWorker = await boss.work<RunJobData>(QUEUES.run, { pollingIntervalSeconds: 2 }, async ([job]) => {
    if (!job) return;
    try {
      const report: RunReport = await runScheduledRun(
        { db, engine, policy: writes.policy, logger, wakeSliceWorkers, signal: shutdown.signal },
        job,
      );
      if (!report.skipped)
        logger.info(`Finished the scheduled ${report.kind} run: ${report.slices} slice(s).`);
      return report;
    } catch (error) {
      if (!(error instanceof RunStillGoingError))
        logger.warn(`The scheduled ${job.data.kind} run failed (it is retried): ${describeError(error)}`);
      throw error;
    }
  });
  workers.run.push(runWorker);

  workers.segmentCounts.push(
    await boss.work<SegmentCountJobData>(
      QUEUES.segmentCounts,
      { pollingIntervalSeconds: 2 },
      async ([job]) => {
        if (!job) return;
        const report = await runSegmentCountJob(db, job.data);
        logger.info(`Counted the members of ${report.segments} segment(s) for ${job.data.day}.`);
        return report;
      },
    ),
  );

  if (sync) {
    const queues = sync.hasSecretKey ? [QUEUES.sync, QUEUES.syncKeyed] : [QUEUES.sync];
    for (const queue of queues) {
      for (let i = 0; i < (options.maxConcurrentSyncs ?? 4); i++) {
        workers.sync.push(
          await boss.work<SyncJobData>(queue, { pollingIntervalSeconds: 2 }, async ([job]) =>
            job ? runSyncJob(db, sync, job.data, shutdown.signal) : undefined,
          ),
        );
      }
    }
  }

  if (options.autoTick ?? true) {
    const queueTick = (startAfter?: number) =>
      boss.send(QUEUES.tick, {}, { singletonKey: "tick", ...(startAfter && { startAfter }) });
    await boss.work(QUEUES.tick, { pollingIntervalSeconds: 2 }, async () => {
      // The next tick first: an instance that dies during this one leaves the chain to the others.
      await queueTick(schedule.tickSeconds);
      try {
        await tick();
      } catch (error) {
        logger.warn(`The scheduler's tick failed (the next one tries again): ${describeError(error)}`);
      }
    });
    await boss.schedule(QUEUES.tick, "* * * * *", undefined, { singletonKey: "tick" });
    await queueTick();
  }

  const webhooks = options.webhooks
    ? await startWebhookJobs({ ...options.webhooks, database, engine, logger })
    : null;

  let stopped: Promise<void> | undefined;
  return {
    engine,
    tick,
    webhooks,
    stop() {
      stopped ??= (async () => {
        shutdown.abort();
        await webhooks?.stop();
        await engine.stop();
      })();
      return stopped;
    },
  };
}

function describeRuns(runs: DueRun[]): string {
  return runs
    .filter((run) => !run.skip)
    .map((run) => `the ${run.kind} run of ${run.slot.toISOString()}`)
    .join(" and ");
}
