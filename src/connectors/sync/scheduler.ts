// Which connectors are due for a sync: the active connectors whose syncIntervalSeconds has passed
// since their last queued run get a SCHEDULED run, and those with a webhook's sync request that no
// run answered yet get a WEBHOOK run (sync-requests.ts). The job engine (src/jobs) calls `tick` on its
// schedule and hands each queued run to a pg-boss job, which any instance with a sync engine takes;
// without a `start` of its own, `tick` starts the runs in this process. Several instances may tick at
// once: the conditional insert in queueSyncRun ("no run queued since the interval began") and the
// one-run-per-connector index let exactly one of them queue it. Each tick also reaps runs abandoned by
// crashed processes, so they show as FAILED without waiting for the next trigger.

import { ConflictError } from "../../domain/errors.ts";
import type { PrismaClient, SyncRun } from "../../generated/prisma/client.ts";
import type { SyncEngine } from "./sync-engine.ts";
import { queueRequestedSync, queueSyncRun, reapAbandonedRuns } from "./sync-runs.ts";

export interface SyncSchedulerOptions {
  db: PrismaClient;
  engine: SyncEngine;
  /** Runs this process starts at most at once when it starts them itself; default 4. */
  maxConcurrentRuns?: number;
  /** The clock intervals are measured with (the hub's clock). */
  now?: () => Date;
  /** Hands a queued run over (to the job engine); default: the engine starts it in this process. */
  start?: (run: SyncRun) => Promise<void>;
}

export interface SyncScheduler {
  /** One pass: reaps abandoned runs, queues the due ones and starts them, returns the runs it queued. */
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
  const maxConcurrentRuns = options.maxConcurrentRuns ?? 4;
  const now = options.now ?? (() => new Date());
  const start =
    options.start ??
    (async (run: SyncRun) => {
      engine.start(run);
    });

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
      if (!options.start && engine.running >= maxConcurrentRuns) break;
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
        await start(run);
        started.push(run);
      } catch (error) {
        // Running already (here or elsewhere): its next interval starts from this run's queue time.
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    return started;
  };

  return { tick };
}
