// What the dispatcher's claim costs on PostgreSQL once it has published thousands of alerts and no
// vacuum has come by (autovacuum off, as on the bench's machine). A published alert leaves its entry
// in the unpublished alerts' partial index until a vacuum; a plain index scan marks such an entry dead
// when it meets it, so that later scans skip it, and a bitmap scan never does. Without statistics on
// "Alert" (never analyzed) the planner guesses that few alerts wait and, once the table holds a
// thousand alerts or so, plans the claim as a bitmap scan (with statistics from any ANALYZE tried, it
// chose the index scan on its own). The claim's script forbids bitmap scans (dispatch-alerts.ts);
// without that, the measured claim below read all 4,200 entries instead of 200.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, inject } from "vitest";
import type { AlertBus } from "../../src/alerts/alert-bus.ts";
import { dispatchAlertBatch } from "../../src/alerts/dispatch-alerts.ts";
import type { Database } from "../../src/db/database.ts";
import { scriptTransactions } from "../../src/db/script-transactions.ts";
import { createLogger } from "../../src/logger.ts";
import { test } from "../helpers/database.ts";

const logger = createLogger("silent");
const bus: AlertBus = { publish: async () => {}, listen: async () => () => {}, close: async () => {} };

/**
 * Alerts published before the first claim, as the migration that made the alert row its own outbox
 * left those raised before it. They make the table large enough that, without statistics, the planner
 * prefers a bitmap scan when the claim is first planned on the dispatcher's connection (it did from
 * 1,000 alerts, 16 pages, not at 400); on a near-empty table it picks the index scan anyway, and the
 * connection keeps that plan until something invalidates it.
 */
const PUBLISHED_BEFORE = 2000;
/** One raising transaction's alerts, fewer than a batch: each round is one claim, as in a live hub. */
const RAISED_PER_ROUND = 100;
const ROUNDS = 40;

describe("the dispatcher's claim", () => {
  test.skipIf(inject("databaseKind") !== "postgres")(
    "reads the alerts waiting and those the previous claim published, not every alert published since the last vacuum (PostgreSQL)",
    async ({ db }) => {
      await db.prisma.$executeRawUnsafe(`ALTER TABLE "Alert" SET (autovacuum_enabled = false)`);
      expect(await tuplesInStatistics(db), "the template's Alert table was never analyzed").toBeLessThan(0);
      const { id: customerId } = await db.prisma.customer.create({ data: { displayName: "Ana's client" } });
      let numbered = 0;
      const raise = async (count: number, published = false) => {
        await insertAlerts(db, customerId, numbered, count, published);
        numbered += count;
      };
      await raise(PUBLISHED_BEFORE, true);
      const claim = () => dispatchAlertBatch(db.prisma, bus, { logger });

      for (let round = 0; round < ROUNDS; round++) {
        await raise(RAISED_PER_ROUND);
        expect(await claim()).toBe(RAISED_PER_ROUND);
      }
      // Entries are marked dead only once the transactions older than their alert's publication have
      // ended, in every database of the server (see untilEarlierTransactionsEnd): one more claim after
      // that marks every entry the rounds left behind, so that the measured claim does not depend on
      // what else the server was running meanwhile (a transaction held open in another database made
      // it read all 4,200).
      await untilEarlierTransactionsEnd(db);
      await raise(RAISED_PER_ROUND);
      expect(await claim()).toBe(RAISED_PER_ROUND);

      // Measured: this claim's alerts, and the previous claim's, whose entries it meets first and marks.
      await raise(RAISED_PER_ROUND);
      const before = await unpublishedEntriesRead(db);
      expect(await claim()).toBe(RAISED_PER_ROUND);
      const read = (await unpublishedEntriesRead(db)) - before;

      // Through a bitmap scan: every entry since the last vacuum, (ROUNDS + 2) * RAISED_PER_ROUND.
      expect(read).toBeLessThanOrEqual(2 * RAISED_PER_ROUND);
    },
  );
});

/**
 * Alerts numbered from `first`, in id order as uuid(7) ids are made; published already, or waiting.
 * Written directly rather than raised (raise-alerts.ts): the raising statement's own look at the
 * unpublished alerts (digest-alerts.ts) may mark entries too, and this test is about the claim alone.
 */
async function insertAlerts(
  db: Database,
  customerId: string,
  first: number,
  count: number,
  published: boolean,
) {
  await db.prisma.$executeRawUnsafe(
    `INSERT INTO "Alert" ("id", "customerId", "level", "score", "previousScore", "previousLevel", "reasons", "triggerKey", "publishedAt")
     SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, $1::uuid, 'HIGH', 0.7, 0.5, 'MEDIUM',
       '[]', 'alert-' || n, CASE WHEN $4 THEN now() END
     FROM generate_series($2::int, $3::int) n`,
    customerId,
    first,
    first + count - 1,
    published,
  );
}

async function tuplesInStatistics(db: Database): Promise<number> {
  const [row] = await db.prisma.$queryRawUnsafe<Array<{ tuples: number }>>(
    `SELECT reltuples::float8 AS tuples FROM pg_class WHERE oid = '"Alert"'::regclass`,
  );
  return row?.tuples ?? 0;
}

/**
 * Index entries read from the unpublished alerts' partial index so far, the dispatcher's claims
 * included. A backend hands its counters to the statistics only now and then (at most once a second
 * on PostgreSQL 15): the outbox pool's one connection, where the claims ran, is told to hand them over
 * at the end of a transaction of its own.
 */
async function unpublishedEntriesRead(db: Database): Promise<number> {
  const scripts = scriptTransactions(db.prisma);
  if (!scripts) throw new Error("PostgreSQL has script transactions");
  const [outbox] = await db.prisma.$queryRawUnsafe<Array<{ connections: number }>>(
    `SELECT count(*)::int AS connections FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'cxhub-outbox'`,
  );
  expect(outbox?.connections, "the claims' counters are on the outbox pool's one connection").toBe(1);
  await scripts.run("SELECT pg_stat_force_next_flush()", async () => undefined);
  const [row] = await db.prisma.$queryRawUnsafe<Array<{ read: number }>>(
    `SELECT idx_tup_read::int AS read FROM pg_stat_user_indexes WHERE indexrelname = 'Alert_unpublished_idx'`,
  );
  return row?.read ?? 0;
}

/**
 * Waits until the transactions that had written when it was called (those holding a transaction id),
 * in any database of the server, have ended. A scan marks an entry dead only once the transactions
 * that began before the alert's publication have ended, and PostgreSQL 15 first asks the snapshot,
 * whose oldest transaction may be in another database (another test's DROP DATABASE waiting on its
 * checkpoint, a few seconds): meanwhile no entry is marked and every claim reads them all.
 */
async function untilEarlierTransactionsEnd(db: Database): Promise<void> {
  const [now] = await db.prisma.$queryRawUnsafe<Array<{ next: string }>>(
    "SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next",
  );
  for (;;) {
    const [row] = await db.prisma.$queryRawUnsafe<Array<{ ended: boolean }>>(
      "SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::xid8 AS ended",
      now?.next,
    );
    if (row?.ended) return;
    await sleep(20);
  }
}
