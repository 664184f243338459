// In-process scheduling (the embedded default, and fine for a few instances on one PostgreSQL): every
// tick, the active connectors whose syncIntervalSeconds has passed since their last queued run get a
// SCHEDULED run, and those with a webhook's sync request that no run answered yet get a WEBHOOK run
// (sync-requests.ts). Several instances may tick at once: the conditional insert in queueSyncRun ("no run
// queued since the interval began") and the one-run-per-connector index let exactly one of them run it.
// Each tick also reaps runs abandoned by crashed processes, so they show as FAILED without waiting
// for the next trigger.

import { describeError } from "../../db/database-errors.ts";
import { ConflictError } from "../../domain/errors.ts";
import type { PrismaClient, SyncRun } from "../../generated/prisma/client.ts";
import type { HubLogger } from "./run-sync.ts";
import type { SyncEngine } from "./sync-engine.ts";
import { queueRequestedSync, queueSyncRun, reapAbandonedRuns } from "./sync-runs.ts";

export interface SyncSchedulerOptions {
  db: PrismaClient;
  engine: SyncEngine;
  /** How often to look for due connectors; default 15 s. */
  tickMs?: number;
  /** Runs this process starts at most at once; the rest wait for a later tick. Default 4. */
  maxConcurrentRuns?: number;
  logger?: HubLogger;
  now?: () => Date;
}

export interface SyncScheduler {
  start(): void;
  /** Stops ticking and waits for a tick in progress (runs go on: close the engine to stop them). */
  stop(): Promise<void>;
  /** One pass: reaps abandoned runs, starts the due ones, returns the runs it started. */
  tick(): Promise<SyncRun[]>;
}

interface DueConnector {
  id: string;
  name: string;
  syncIntervalSeconds: number | null;
  /** A webhook asked for a sync and no run was queued since. */
  requested: boolean;
}

export function createSyncScheduler(options: SyncSchedulerOptions): SyncScheduler {
  const { db, engine } = options;
  const tickMs = options.tickMs ?? 15_000;
  const maxConcurrentRuns = options.maxConcurrentRuns ?? 4;
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<unknown> = Promise.resolve();
  let stopped = true;

  const tick = async (): Promise<SyncRun[]> => {
    const at = now();
    await reapAbandonedRuns(db, { staleAfterMs: engine.staleAfterMs });
    const due = await db.$queryRaw<DueConnector[]>`
      SELECT c."id", c."name", c."syncIntervalSeconds", c."syncRequested" AS requested
        FROM "Connector" c
       WHERE c."status" = 'ACTIVE'
         -- An instance without a secret key leaves connectors with stored secrets to instances with it.
         AND (${engine.hasSecretKey} OR c."encryptedSecrets" IS NULL)
         AND (c."syncRequested"
              OR (c."syncIntervalSeconds" IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM "SyncRun" q
                                   WHERE q."connectorId" = c."id"
                                     AND q."queuedAt" > ${at}::timestamptz - make_interval(secs => c."syncIntervalSeconds"))))
       ORDER BY c."name"`;
    const started: SyncRun[] = [];
    for (const connector of due) {
      if (engine.running >= maxConcurrentRuns) break;
      try {
        const run = connector.requested
          ? await queueRequestedSync(db, connector.id, { staleAfterMs: engine.staleAfterMs })
          : await queueSyncRun(db, {
              connectorId: connector.id,
              trigger: "SCHEDULED",
              staleAfterMs: engine.staleAfterMs,
              notQueuedSince: new Date(at.getTime() - (connector.syncIntervalSeconds ?? 0) * 1000),
              queuedAt: at,
            });
        if (!run) continue; // Another instance queued it since.
        engine.start(run);
        started.push(run);
      } catch (error) {
        // Running already (here or elsewhere): its next interval starts from this run's queue time.
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    return started;
  };

  const loop = () => {
    if (stopped) return;
    ticking = tick()
      .catch((error) => options.logger?.warn(`The sync scheduler's tick failed: ${describeError(error)}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, tickMs).unref();
      });
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await ticking;
    },
    tick,
  };
}
