// SyncRun rows and their life: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED. The database
// decides who runs: a partial unique index allows one QUEUED or RUNNING run per connector, whichever
// server instance asks. A runner holds a lease by refreshing heartbeatAt; a run whose heartbeat is
// older than the staleness limit was abandoned (its process crashed or was killed) and is marked
// FAILED the next time anyone queues a run for that connector (and on each scheduler tick), so a
// crash never blocks a connector for good. Every write of a runner is conditional on its run still
// being RUNNING, so a runner that lost its lease cannot write after the run was reaped.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "../../db/database.ts";
import { isUniqueViolation } from "../../db/database-errors.ts";
import { inTransaction } from "../../db/transaction.ts";
import { transactionSql } from "../../db/transaction-sql.ts";
import { uuidv7 } from "../../db/uuid-v7.ts";
import { ConflictError, NotFoundError } from "../../domain/errors.ts";
import type { Prisma, SyncRun } from "../../generated/prisma/client.ts";
import type { SyncTrigger } from "../../generated/prisma/enums.ts";
import type { JsonValue } from "../../sdk/records.ts";
import type { IngestCounts } from "../ingest/ingest-records.ts";
import { recordSyncFailedWebhooks } from "./sync-failure-webhooks.ts";
import { clearSyncRequest } from "./sync-requests.ts";

/** A run with no heartbeat for this long was abandoned. Longer than a batch transaction may last. */
export const DEFAULT_STALE_AFTER_MS = 5 * 60_000;

const ACTIVE = ["QUEUED", "RUNNING"] as const;

/** The run is no longer RUNNING under this runner (reaped as abandoned, or finished elsewhere). */
export class RunLostError extends Error {
  override name = "RunLostError";
}

/** Names this process in SyncRun.owner: host, pid and a random tag (pids repeat across restarts). */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

export interface QueueSyncRunOptions {
  connectorId: string;
  trigger: SyncTrigger;
  staleAfterMs?: number;
  /** Scheduled runs: queue only if no run was queued after this instant (another instance's tick). */
  notQueuedSince?: Date;
  /** Webhook runs: queue only if the connector is ACTIVE and has an unanswered sync request. */
  onlyIfSyncRequested?: boolean;
  /** The run's queuedAt (the scheduler's clock); leases always use the real clock. */
  queuedAt?: Date;
}

/**
 * Queues a run, after reaping an abandoned one. Throws a ConflictError naming the active run when
 * the connector has one; returns null when `notQueuedSince` finds a run queued since.
 */
export async function queueSyncRun(db: Db, options: QueueSyncRunOptions): Promise<SyncRun | null> {
  await reapAbandonedRuns(db, {
    connectorId: options.connectorId,
    staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
  });
  const id = uuidv7();
  const now = new Date();
  try {
    // One statement, so that the "not queued since" test and the insert see the same state; the
    // unique index settles two instances inserting at once.
    const inserted = await db.$executeRaw`
      INSERT INTO "SyncRun" ("id", "connectorId", "trigger", "status", "queuedAt", "heartbeatAt")
      SELECT ${id}::uuid, ${options.connectorId}::uuid, ${options.trigger}::"SyncTrigger", 'QUEUED', ${options.queuedAt ?? now}, ${now}
      WHERE (${options.notQueuedSince ?? null}::timestamptz IS NULL
             OR NOT EXISTS (SELECT 1 FROM "SyncRun"
                             WHERE "connectorId" = ${options.connectorId}::uuid
                               AND "queuedAt" > ${options.notQueuedSince ?? null}::timestamptz))
        AND (NOT ${options.onlyIfSyncRequested ?? false}
             OR EXISTS (SELECT 1 FROM "Connector"
                         WHERE "id" = ${options.connectorId}::uuid AND "syncRequested" AND "status" = 'ACTIVE'))`;
    return inserted === 0 ? null : await db.syncRun.findUniqueOrThrow({ where: { id } });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw await activeRunConflict(db, options.connectorId);
  }
}

/**
 * QUEUED → RUNNING under `owner`; false when someone else claimed it or it was cancelled first. The
 * run answers the connector's sync requests so far: it reads the provider after this.
 */
export async function claimSyncRun(db: Db, runId: string, owner: string): Promise<boolean> {
  const now = new Date();
  const [claimed] = await db.syncRun.updateManyAndReturn({
    where: { id: runId, status: "QUEUED" },
    data: { status: "RUNNING", startedAt: now, heartbeatAt: now, owner },
    select: { connectorId: true },
  });
  if (!claimed) return false;
  await clearSyncRequest(db, claimed.connectorId);
  return true;
}

/** Refreshes the lease; says whether a cancellation was asked for. Throws RunLostError if not RUNNING. */
export async function beatHeartbeat(db: Db, runId: string): Promise<{ cancelRequested: boolean }> {
  const [row] = await db.syncRun.updateManyAndReturn({
    where: { id: runId, status: "RUNNING" },
    data: { heartbeatAt: new Date() },
    select: { cancelRequestedAt: true },
  });
  if (!row) throw new RunLostError(`Sync run ${runId} is no longer running.`);
  return { cancelRequested: row.cancelRequestedAt !== null };
}

/** A run keeps its first warnings, enough to see what went wrong without a log; the count says how many. */
export const MAX_RUN_WARNINGS = 50;

/** Something a run kept going past, recorded on it: an identity left out of a record, say. */
export interface SyncRunWarning {
  stream: string;
  /** The record's provider id, when it has one. */
  externalId: string | null;
  /** Where in the record, as yielded ("identities.1.value"). */
  path: string;
  message: string;
}

/** A stream's cursor, stored with the batch whose records it follows. */
export interface BatchCursor {
  connectorId: string;
  stream: string;
  value: JsonValue;
}

/**
 * Adds a committed batch's counts (and first warnings) to the run, refreshes its lease and stores the
 * stream's cursor, in the batch's transaction and one statement. Throws RunLostError (rolling the
 * batch back, cursor included) when the run is no longer RUNNING.
 */
export async function recordBatchProgress(
  tx: Prisma.TransactionClient,
  runId: string,
  batch: { fetched: number; counts: IngestCounts; warnings?: SyncRunWarning[]; cursor?: BatchCursor },
): Promise<{ cancelRequested: boolean }> {
  const { counts, cursor } = batch;
  const now = new Date().toISOString();
  const [row] = await transactionSql(tx).query<{ cancelRequested: boolean }>(
    `WITH cursor AS (
       INSERT INTO "SyncCursor" ("connectorId", "stream", "cursor", "updatedAt")
       SELECT $11::uuid, $12, $13::jsonb, $2::timestamptz WHERE $11::uuid IS NOT NULL
       ON CONFLICT ("connectorId", "stream")
       DO UPDATE SET "cursor" = EXCLUDED."cursor", "updatedAt" = EXCLUDED."updatedAt"
     )
     UPDATE "SyncRun"
        SET "heartbeatAt" = $2::timestamptz,
            "recordsFetched" = "recordsFetched" + $3, "recordsCreated" = "recordsCreated" + $4,
            "recordsUpdated" = "recordsUpdated" + $5, "recordsUnchanged" = "recordsUnchanged" + $6,
            "recordsDeleted" = "recordsDeleted" + $7, "recordsDeadLettered" = "recordsDeadLettered" + $8,
            "recordsSkippedStale" = "recordsSkippedStale" + $9, "identitiesDropped" = "identitiesDropped" + $10,
            -- The first MAX_RUN_WARNINGS, in order: the row is locked by this update until the
            -- transaction ends, so no other batch interleaves.
            "warnings" = CASE WHEN $14::jsonb IS NULL THEN "warnings" ELSE (
              SELECT coalesce(jsonb_agg(w.value ORDER BY w.position), '[]'::jsonb)
                FROM (SELECT value, position
                        FROM jsonb_array_elements("warnings" || $14::jsonb) WITH ORDINALITY AS e(value, position)
                       ORDER BY position LIMIT $15) w) END
      WHERE "id" = $1::uuid AND "status" = 'RUNNING'
     RETURNING "cancelRequestedAt" IS NOT NULL AS "cancelRequested"`,
    [
      runId,
      now,
      batch.fetched,
      counts.created,
      counts.updated,
      counts.unchanged,
      counts.deleted,
      counts.deadLettered,
      counts.skippedStale,
      counts.identitiesDropped,
      cursor?.connectorId ?? null,
      cursor?.stream ?? null,
      cursor ? JSON.stringify(cursor.value) : null,
      batch.warnings?.length ? JSON.stringify(batch.warnings) : null,
      MAX_RUN_WARNINGS,
    ],
  );
  if (!row) throw new RunLostError(`Sync run ${runId} is no longer running: its batch was rolled back.`);
  return { cancelRequested: row.cancelRequested };
}

/** Ends a QUEUED or RUNNING run; a run already ended (reaped, say) is returned as it is. */
export async function finishSyncRun(
  db: Db,
  runId: string,
  outcome: { status: "SUCCEEDED" | "FAILED" | "CANCELLED"; error?: string | null },
): Promise<SyncRun> {
  const run = await db.syncRun.findUniqueOrThrow({ where: { id: runId } });
  const finishedAt = new Date();
  // A failure's SYNC_FAILED webhook event commits with it.
  return inTransaction(db, async (tx) => {
    const { count } = await tx.syncRun.updateMany({
      where: { id: runId, status: { in: [...ACTIVE] } },
      data: {
        status: outcome.status,
        finishedAt,
        durationMs: run.startedAt ? Math.max(0, finishedAt.getTime() - run.startedAt.getTime()) : null,
        error: outcome.error?.slice(0, 10_000) ?? null,
      },
    });
    if (count === 1 && outcome.status === "FAILED") await recordSyncFailedWebhooks(tx, [runId], finishedAt);
    return tx.syncRun.findUniqueOrThrow({ where: { id: runId } });
  });
}

/**
 * Asks a run to stop. A QUEUED run is cancelled at once; a RUNNING one gets cancelRequestedAt, which
 * its runner sees at its next batch or heartbeat (whichever instance runs it). Cancelling a cancelled
 * run is harmless; cancelling one that ended otherwise is a ConflictError.
 */
export async function requestSyncCancel(db: Db, runId: string): Promise<SyncRun> {
  const run = await db.syncRun.findUnique({ where: { id: runId } });
  if (!run) throw new NotFoundError(`No sync run has the id ${runId}.`, "SyncRun", runId);
  const now = new Date();
  if (run.status === "QUEUED") {
    await db.syncRun.updateMany({
      where: { id: runId, status: "QUEUED" },
      data: { status: "CANCELLED", cancelRequestedAt: now, finishedAt: now },
    });
  } else if (run.status === "RUNNING") {
    await db.syncRun.updateMany({
      where: { id: runId, status: "RUNNING", cancelRequestedAt: null },
      data: { cancelRequestedAt: now },
    });
  } else if (run.status !== "CANCELLED") {
    throw new ConflictError(`Sync run ${runId} already ended (${run.status}): there is nothing to cancel.`);
  }
  return db.syncRun.findUniqueOrThrow({ where: { id: runId } });
}

/**
 * Marks FAILED the QUEUED and RUNNING runs whose heartbeat is older than `staleAfterMs` (of one
 * connector, or all). Returns the ids reaped. With staleAfterMs 0 it ends every active run: only for
 * the embedded database at start-up, where no other process can be running one.
 */
export async function reapAbandonedRuns(
  db: Db,
  options: { staleAfterMs: number; connectorId?: string },
): Promise<string[]> {
  // The real clock, always: leases are renewed with it.
  const now = new Date();
  const cutoff = new Date(now.getTime() - options.staleAfterMs);
  const stale = await db.syncRun.findMany({
    where: {
      status: { in: [...ACTIVE] },
      heartbeatAt: { lte: cutoff },
      ...(options.connectorId ? { connectorId: options.connectorId } : {}),
    },
  });
  const reaped: string[] = [];
  for (const run of stale) {
    const by = run.owner ? ` (${run.owner})` : "";
    const count = await inTransaction(db, async (tx) => {
      const reaped = await tx.syncRun.updateMany({
        // Re-checked: a runner that refreshed its lease meanwhile keeps its run.
        where: { id: run.id, status: { in: [...ACTIVE] }, heartbeatAt: { lte: cutoff } },
        data: {
          status: "FAILED",
          finishedAt: now,
          durationMs: run.startedAt ? Math.max(0, now.getTime() - run.startedAt.getTime()) : null,
          error: `Abandoned: its runner${by} stopped renewing its lease at ${run.heartbeatAt.toISOString()} (the process crashed, was killed or restarted). The next run resumes from the last committed checkpoint.`,
        },
      });
      if (reaped.count === 1) await recordSyncFailedWebhooks(tx, [run.id], now);
      return reaped.count;
    });
    if (count === 1) reaped.push(run.id);
  }
  return reaped;
}

async function activeRunConflict(db: Db, connectorId: string): Promise<ConflictError> {
  const active = await db.syncRun.findFirst({ where: { connectorId, status: { in: [...ACTIVE] } } });
  const connector = await db.connector.findUnique({ where: { id: connectorId }, select: { name: true } });
  const name = connector ? `"${connector.name}"` : connectorId;
  const run = active
    ? `sync run ${active.id} (${active.status.toLowerCase()} since ${(active.startedAt ?? active.queuedAt).toISOString()})`
    : "a sync run";
  return new ConflictError(
    `Connector ${name} already has ${run}: one run per connector at a time. Wait for it to finish, or cancel it.`,
  );
}

/**
 * Queues a WEBHOOK run when the connector has a request. Null when it has none, is not ACTIVE (a
 * paused one keeps its request for when it resumes), or a run is active (its end asks again).
 */
export async function queueRequestedSync(
  db: Db,
  connectorId: string,
  { staleAfterMs }: { staleAfterMs?: number } = {},
): Promise<SyncRun | null> {
  try {
    return await queueSyncRun(db, {
      connectorId,
      trigger: "WEBHOOK",
      staleAfterMs,
      onlyIfSyncRequested: true,
    });
  } catch (error) {
    if (error instanceof ConflictError) return null;
    throw error;
  }
}
