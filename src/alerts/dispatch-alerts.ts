// The outbox dispatcher: publishes alerts once the transactions that raised them have committed,
// each exactly once across server instances, in one order that every subscriber sees.
//
// One batch: take the stream lock (a transaction-scoped advisory lock: one dispatcher at a time
// across instances), claim the unpublished alerts and digests, give them the next stream positions,
// publish them in position order, and commit. An alert gathered into a digest (digest-alerts.ts) is
// not published on its own: it is marked published with its digest, and keeps no position. Publishing happens before the commit, under the row locks: a
// process that dies in between leaves the alerts unpublished for the next dispatcher (subscribers
// drop the repeat by id), never published-but-lost. Serializing dispatchers is what makes positions
// a safe reconnect cursor: an alert with a lower position was always published earlier, and a
// replaying subscriber that takes the same lock shared sees no publication half-done.
//
// Wake-ups: pg_notify from the raising transaction (delivered at commit) starts a batch at once; a
// slow poll is the safety net (a missed notification, a dispatcher that died mid-batch).
import type { Database } from "../db/database.ts";
import { startOutboxRounds } from "../db/outbox-rounds.ts";
import { scriptTransactions } from "../db/script-transactions.ts";
import type { Logger } from "../logger.ts";
import type { HubMetrics } from "../metrics/hub-metrics.ts";
import type { AlertBus } from "./alert-bus.ts";
import { type AlertStreamEvent, claimedAlertSchema, claimedDigestSchema } from "./alert-event.ts";
import { countPublication } from "./alert-metrics.ts";
import { ALERTS_CHANNEL } from "./raise-alerts.ts";

/** The advisory lock that orders the alert stream; an arbitrary constant, the same in every instance. */
export const ALERT_STREAM_LOCK = 7_240_301_206n;
const BATCH_SIZE = 200;
const DEFAULT_POLL_INTERVAL_MS = 5000;

export interface DispatchOptions {
  logger: Logger;
  batchSize?: number;
  /** Counts publications and their lag (alert-metrics.ts). */
  metrics?: HubMetrics;
}

/**
 * Publishes one batch of committed, unpublished alerts and digests (up to `batchSize` of each);
 * returns how many were claimed. A claimed row that is not a whole alert or digest (a hand-edited
 * row) is logged and left out of the live stream rather than holding back everything behind it; it
 * keeps its position, and the alerts list still shows it.
 */
export async function dispatchAlertBatch(
  db: Database["prisma"],
  bus: AlertBus,
  { logger, batchSize = BATCH_SIZE, metrics }: DispatchOptions,
): Promise<number> {
  const publish = async (rows: ClaimedRow[]) => {
    // Handed to the bus one after another without waiting, in position order, which the bus keeps
    // (alert-bus.ts): over Redis the batch goes out pipelined on one connection, one round trip
    // instead of one per alert and topic, while this transaction holds the stream lock and every
    // alert of the batch waits behind the slowest publish. The price: when one publish fails, the
    // ones after it may already be out; the batch rolls back and goes out again whole, under new
    // positions, so a subscriber can see those alerts before the failed one, and twice (it drops
    // repeats by id: alert-stream.ts). Nothing is lost; the order holds whenever nothing fails.
    const publications: Array<Promise<void>> = [];
    const events: AlertStreamEvent[] = [];
    for (const row of rows) {
      const claimed = row.digest
        ? claimedDigestSchema.safeParse({ digest: row.digest })
        : claimedAlertSchema.safeParse({ alert: row.alert, customer: row.customer });
      if (claimed.success) {
        const event = claimed.data as AlertStreamEvent;
        publications.push(bus.publish(event));
        events.push(event);
        continue;
      }
      const [issue] = claimed.error.issues;
      const what = row.digest ? "Digest" : "Alert";
      logger.error(
        `${what} ${idOf(row)} was not published live: its row is not a whole ${what.toLowerCase()} (${issue?.path.join(".")}: ${issue?.message}). Subscribers will not hear it; the alerts list shows it. Correct or delete the row.`,
      );
    }
    // One refused publish fails the batch: it rolls back, and the next round publishes it again
    // (subscribers drop the repeats by id).
    await Promise.all(publications);
    if (metrics) for (const event of events) countPublication(metrics, event);
    return rows.length;
  };
  const claim = claimStatement(batchSize);
  const claimName = `cxhub_alert_claim_${batchSize}`;
  // On PostgreSQL: BEGIN, the lock and the claim in one round trip, COMMIT in a second, on a pooled
  // connection of the driver (script-transactions.ts). Each statement of the script still takes its
  // own snapshot, so the claim sees every alert committed before the lock was granted. The claim is
  // prepared once per connection: planning its statement cost PostgreSQL 0.3 ms, over twice running it.
  // It walks the unpublished alerts' partial index in id order (no bitmap scan): a published alert
  // leaves its entry there until a vacuum, and only a plain index scan marks such entries dead for
  // every later scan (the raising statement's own look at the unpublished alerts included). Through
  // a bitmap scan, planned while the outbox looks small, each claim read every alert published since
  // the last vacuum: 1.6 ms of PostgreSQL's time per claim at 10,000 alerts, and as much again in
  // each raising statement (autovacuum off, as on the bench's machine). An entry is marked only once
  // the transactions that began before its alert's publication have ended, in every database of the
  // server: a long one elsewhere holds the marking back. dispatch-alerts-claim-cost.db.test.ts (under
  // test/alerts) holds the claim to this.
  const scripts = scriptTransactions(db);
  if (scripts) {
    return scripts.run<ClaimedRow, number>(
      `SET LOCAL enable_bitmapscan = off; SELECT pg_advisory_xact_lock(${ALERT_STREAM_LOCK}); EXECUTE ${claimName}`,
      publish,
      [{ name: claimName, sql: claim }],
    );
  }
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ALERT_STREAM_LOCK}::bigint)`;
      return publish(await tx.$queryRawUnsafe<ClaimedRow[]>(claim));
    },
    { maxWait: 15_000, timeout: 30_000 },
  );
}

/**
 * One statement claims, numbers, marks and reads the batch with its customers: the dispatcher shares
 * its process with request handling, and every round trip waits its turn there. The positions' order
 * within the batch does not matter: the batch is published in position order. Without parameters
 * (the batch size is an integer written into it), so that it can end a script.
 */
function claimStatement(batchSize: number): string {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new Error(`The dispatcher's batch size must be a positive integer, not ${batchSize}.`);
  }
  return `
    WITH claimed AS (
      SELECT "id" FROM "Alert" WHERE "publishedAt" IS NULL AND "digestId" IS NULL
      ORDER BY "id" LIMIT ${batchSize} FOR UPDATE
    ), claimed_digests AS (
      SELECT "id" FROM "AlertDigest" WHERE "publishedAt" IS NULL ORDER BY "id" LIMIT ${batchSize} FOR UPDATE
    ), numbered AS (
      SELECT "id", nextval('"AlertStreamPosition"') AS position FROM claimed
    ), numbered_digests AS (
      SELECT "id", nextval('"AlertStreamPosition"') AS position FROM claimed_digests
    ), published AS (
      UPDATE "Alert" a SET "publishedAt" = clock_timestamp(), "streamPosition" = n.position
      FROM numbered n WHERE a."id" = n."id"
      RETURNING a.*
    ), published_digests AS (
      UPDATE "AlertDigest" d SET "publishedAt" = clock_timestamp(), "streamPosition" = n.position
      FROM numbered_digests n WHERE d."id" = n."id"
      RETURNING d.*
    ), digested AS (
      -- The digest's alerts leave the outbox with it, without positions of their own.
      UPDATE "Alert" a SET "publishedAt" = clock_timestamp()
      FROM claimed_digests d WHERE a."digestId" = d."id" AND a."publishedAt" IS NULL
    )
    SELECT row_to_json(p) AS alert, row_to_json(c) AS customer, NULL::json AS digest,
      p."streamPosition" AS position
    FROM published p JOIN "Customer" c ON c."id" = p."customerId"
    UNION ALL
    SELECT NULL, NULL, row_to_json(d), d."streamPosition" FROM published_digests d
    ORDER BY position`;
}

interface ClaimedRow {
  alert: unknown;
  customer: unknown;
  digest: unknown;
  /** bigint through Prisma, a string through the script: only the statement's ORDER BY reads it. */
  position: unknown;
}

const idOf = (row: ClaimedRow) => {
  const id = ((row.digest ?? row.alert) as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : "(without an id)";
};

export interface AlertDispatcher {
  /** Runs batches until none is left; resolves when the current run ends. */
  wake(): Promise<void>;
  stop(): Promise<void>;
}

export interface AlertDispatcherOptions {
  database: Pick<Database, "prisma" | "listen">;
  bus: AlertBus;
  logger: Logger;
  pollIntervalMs?: number;
  metrics?: HubMetrics;
}

export async function startAlertDispatcher({
  database,
  bus,
  logger,
  pollIntervalMs = DEFAULT_POLL_INTERVAL_MS,
  metrics,
}: AlertDispatcherOptions): Promise<AlertDispatcher> {
  // Alerts left unpublished by a previous run of the server go out with the first round.
  return startOutboxRounds({
    listen: database.listen,
    channel: ALERTS_CHANNEL,
    pollIntervalMs,
    logger,
    round: async (stopped) => {
      try {
        // A full batch of either kind means there may be more: one more round to find out.
        while (
          !stopped() &&
          (await dispatchAlertBatch(database.prisma, bus, { logger, metrics })) >= BATCH_SIZE
        ) {}
      } catch (error) {
        // The alerts stay unpublished and the next wake-up or poll retries them.
        if (!stopped())
          logger.error(`Publishing alerts failed, retrying on the next poll: ${(error as Error).message}`);
      }
    },
  });
}
