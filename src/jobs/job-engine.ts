// The hub's durable job engine: pg-boss on the hub's own database, PostgreSQL or the embedded PGlite.
// pg-boss keeps its jobs in its own schema (`pgboss`, created and migrated at start), and every
// instance that shares the database shares the queues: a job is fetched with FOR UPDATE SKIP LOCKED,
// so exactly one instance works it; a handler that throws is retried; one whose instance died is
// failed by expiry (pg-boss's maintenance) and retried elsewhere.
//
// pg-boss 10: pg-boss 11 and later need Node 22, and the hub runs on Node 20 too.
//
// On PGlite pg-boss runs unchanged through the one PGlite connection (src/db/sql-client.ts): its
// multi-statement scripts (BEGIN; advisory lock; …; COMMIT) run whole through exec, advisory locks and
// SKIP LOCKED work in the single backend, and a script never interleaves with a Prisma transaction,
// because PGlite runs one query or transaction at a time for every caller.
import PgBoss from "pg-boss";
import type { Database } from "../db/database.ts";
import type { SqlClient } from "../db/sql-client.ts";
import type { Logger } from "../logger.ts";

/** The schema pg-boss keeps its tables in. */
export const JOB_SCHEMA = "pgboss";

export const QUEUES = {
  /** The scheduler's tick: one queued at a time for all instances, re-queued by each tick. */
  tick: "cxhub.tick",
  /** A scheduled rescore or refit run: one active at a time for all instances (it waits for its slices). */
  run: "cxhub.scheduled-run",
  /** One slice of a run: a keyset range of live customers, rescored in one transaction. */
  slice: "cxhub.rescore-slice",
  /** The daily count of every segment's members (one job per cron slot, for all instances). */
  segmentCounts: "cxhub.segment-counts",
  /** A queued SyncRun of a connector without stored secrets: any instance with a sync engine runs it. */
  sync: "cxhub.sync-run",
  /** A queued SyncRun of a connector with stored secrets: only instances with the secret key run it. */
  syncKeyed: "cxhub.sync-run-keyed",
  /** One attempt of an outgoing webhook delivery, claimed in its row (src/jobs/webhook-jobs.ts). */
  webhook: "cxhub.webhook-delivery",
} as const;

export interface JobEngine {
  boss: PgBoss;
  /** The engine's SQL connection, for reading its tables (slices of a run). */
  sql: SqlClient;
  /** Stops fetching, waits up to `timeoutMs` for handlers in progress (the rest are failed and retried). */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

export interface JobEngineOptions {
  database: Database;
  logger: Logger;
  /** Connections of the engine's own pool on PostgreSQL (workers poll through it); default 4. */
  connections?: number;
}

export async function createJobEngine(options: JobEngineOptions): Promise<JobEngine> {
  const { database, logger } = options;
  const sql = database.openSqlClient({ max: options.connections ?? 4 });
  const boss = new PgBoss({
    db: sql,
    schema: JOB_SCHEMA,
    // Expiry, archiving and deletion, run by one instance at a time (pg-boss takes turns by timestamp).
    supervise: true,
    maintenanceIntervalSeconds: 30,
    // pg-boss's cron: a backstop that queues a tick every minute should the tick chain ever break.
    schedule: true,
    // Finished jobs stay a day in pgboss.job, then 30 days in pgboss.archive: long enough for the
    // scheduler to see which scheduled runs already ran (a weekly slot lasts seven days).
    archiveCompletedAfterSeconds: 24 * 3600,
    deleteAfterDays: 30,
    migrate: true,
  });
  boss.on("error", (error: unknown) =>
    logger.warn(`The job engine reported: ${error instanceof Error ? error.message : String(error)}`),
  );
  try {
    await boss.start();
    await createQueues(sql);
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => {});
    await sql.close();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    boss,
    sql,
    stop({ timeoutMs = 10_000 } = {}) {
      stopping ??= (async () => {
        // Resolves once the handlers finished (or were failed, to be retried) and workers stopped.
        await boss.stop({ graceful: true, timeout: timeoutMs, close: false });
        await sql.close();
      })();
      return stopping;
    },
  };
}

/** The queues and their policies (pg-boss's queue options, as its create_queue function reads them). */
const QUEUE_OPTIONS: Record<string, Record<string, unknown>> = {
  [QUEUES.tick]: { policy: "short", retryLimit: 0 },
  [QUEUES.run]: { policy: "singleton", expireInSeconds: 15 * 60 },
  [QUEUES.slice]: { policy: "standard", expireInSeconds: 15 * 60 },
  [QUEUES.segmentCounts]: { policy: "singleton", retryLimit: 5, retryDelay: 30, expireInSeconds: 30 * 60 },
  [QUEUES.sync]: { policy: "standard", retryLimit: 3, expireInSeconds: 23 * 3600 },
  [QUEUES.syncKeyed]: { policy: "standard", retryLimit: 3, expireInSeconds: 23 * 3600 },
  // The delivery row keeps the attempts and the schedule; a lost job's claim is taken again by lease.
  [QUEUES.webhook]: { policy: "standard", retryLimit: 0, expireInSeconds: 15 * 60 },
};

/**
 * Creates the missing queues. pg-boss 10's createQueue attaches a partition per queue, and two
 * instances starting at once deadlock doing it: one transaction under an advisory lock creates them
 * all instead (create_queue itself skips a queue that exists).
 */
async function createQueues(sql: SqlClient): Promise<void> {
  const { rows } = await sql.executeSql(`SELECT name FROM ${JOB_SCHEMA}.queue WHERE name = ANY($1::text[])`, [
    Object.keys(QUEUE_OPTIONS),
  ]);
  const existing = new Set(rows.map((row) => row.name));
  const missing = Object.entries(QUEUE_OPTIONS).filter(([name]) => !existing.has(name));
  if (missing.length === 0) return;
  const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
  await sql.executeSql(
    [
      "BEGIN",
      `SELECT pg_advisory_xact_lock(hashtext(${literal(`${JOB_SCHEMA}.cxhub-queues`)}))`,
      ...missing.map(
        ([name, options]) =>
          `SELECT ${JOB_SCHEMA}.create_queue(${literal(name)}, ${literal(JSON.stringify(options))}::json)`,
      ),
      "COMMIT",
    ].join(";\n"),
  );
}
