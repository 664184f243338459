// Connector syncs on the job engine. The scheduler's tick (src/connectors/sync/scheduler.ts) queues the
// due SyncRun rows as it always did, with the database deciding (one run per connector), and hands each
// to a pg-boss job; any instance with a sync engine takes it and runs it under the SyncRun's lease, so
// sync-runs.ts keeps its meaning: heartbeats, cancellation and the reaping of abandoned runs. Runs of
// connectors with stored secrets go on a queue that only instances with the secret key work.

import type { SyncEngine } from "../connectors/sync/sync-engine.ts";
import type { PrismaClient, SyncRun } from "../generated/prisma/client.ts";
import { type JobEngine, QUEUES } from "./job-engine.ts";

export interface SyncJobData {
  runId: string;
}

/** Hands a queued run to the job engine, on the queue that instances able to run it work. */
export function dispatchSyncRun(engine: JobEngine, db: PrismaClient) {
  return async (run: SyncRun): Promise<void> => {
    const connector = await db.connector.findUnique({
      where: { id: run.connectorId },
      select: { encryptedSecrets: true },
    });
    const queue = connector?.encryptedSecrets ? QUEUES.syncKeyed : QUEUES.sync;
    await engine.boss.send(queue, { runId: run.id } satisfies SyncJobData, { retryLimit: 3, retryDelay: 5 });
  };
}

/**
 * Runs one queued SyncRun in this process's sync engine and waits for its end (so that the number of
 * workers bounds the runs at once). A run no longer QUEUED (claimed, cancelled or reaped) is skipped.
 * On shutdown the wait ends at once; the sync engine's own close cancels the run, resumably.
 */
export async function runSyncJob(
  db: PrismaClient,
  sync: SyncEngine,
  data: SyncJobData,
  signal: AbortSignal,
): Promise<{ status: string }> {
  const run = await db.syncRun.findUnique({ where: { id: data.runId } });
  if (run?.status !== "QUEUED") return { status: run?.status ?? "MISSING" };
  sync.start(run);
  const ended = await Promise.race([
    sync.wait(run.id),
    new Promise<null>((resolve) => {
      if (signal.aborted) resolve(null);
      signal.addEventListener("abort", () => resolve(null), { once: true });
    }),
  ]);
  return { status: ended?.status ?? "LEFT_RUNNING_AT_SHUTDOWN" };
}
