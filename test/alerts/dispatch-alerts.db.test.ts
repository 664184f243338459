// The outbox dispatcher on a real database: it publishes committed alerts only, each exactly once
// however many dispatchers run, in stream-position order; and an alert whose publishing failed stays
// in the outbox for the next run instead of being lost.
import { describe, expect, inject } from "vitest";
import type { AlertBus } from "../../src/alerts/alert-bus.ts";
import { type AlertEvent, type AlertStreamEvent, isDigestEvent } from "../../src/alerts/alert-event.ts";
import { dispatchAlertBatch } from "../../src/alerts/dispatch-alerts.ts";
import { raiseAlerts } from "../../src/alerts/raise-alerts.ts";
import { scriptTransactions } from "../../src/db/script-transactions.ts";
import { storeRecords } from "../../src/domain/records/store-records.ts";
import { createLogger } from "../../src/logger.ts";
import { rescoreWithAlerts } from "../../src/pipeline/rescore-with-alerts.ts";
import { resolveAlertPolicy } from "../../src/policy/alert-policy-settings.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { test } from "../helpers/database.ts";
import { detractorAnswer, managerWithCustomer } from "./helpers/live-hub.ts";
import { changesOf, customers, intoHigh } from "./helpers/score-changes.ts";

const logger = createLogger("silent");

/** A bus that records what it is given, and can be told to fail. */
function recordingBus(failFirst = 0) {
  const published: AlertEvent[] = [];
  const digests: AlertStreamEvent[] = [];
  let failures = failFirst;
  const bus: AlertBus = {
    async publish(event) {
      if (failures > 0) {
        failures -= 1;
        throw new Error("Redis went away");
      }
      if (isDigestEvent(event)) digests.push(event);
      else published.push(event);
    },
    listen: async () => () => {},
    close: async () => {},
  };
  return { bus, published, digests };
}

describe("dispatching alerts", () => {
  test.skipIf(inject("databaseKind") !== "postgres")(
    "the claim is prepared once per connection and planned no more (PostgreSQL)",
    async ({ db }) => {
      const manager = await managerWithCustomer(db, "Ana");
      await detractorAnswer(db, manager.customerId);
      const { bus, published } = recordingBus();
      // One after another, on the outbox pool's one idle connection (the pool lends the last returned).
      for (let round = 0; round < 3; round++)
        await dispatchAlertBatch(db.prisma, bus, { logger, batchSize: 7 });
      expect(published).toHaveLength(1);
      const scripts = scriptTransactions(db.prisma);
      if (!scripts) throw new Error("PostgreSQL has script transactions");
      const statements = await scripts.run<
        { name: string; generic_plans: number; custom_plans: number },
        unknown
      >(
        `SELECT name, generic_plans::int AS generic_plans, custom_plans::int AS custom_plans
           FROM pg_prepared_statements WHERE name = 'cxhub_alert_claim_7'`,
        async (rows) => rows,
      );
      expect(statements).toEqual([{ name: "cxhub_alert_claim_7", generic_plans: 3, custom_plans: 0 }]);
    },
  );

  test.skipIf(inject("databaseKind") !== "postgres")(
    "a connection that lost its prepared claim is discarded, and the next round prepares it afresh (PostgreSQL)",
    async ({ db }) => {
      const { bus, published } = recordingBus();
      await detractorAnswer(db, (await managerWithCustomer(db, "Ana")).customerId);
      await dispatchAlertBatch(db.prisma, bus, { logger, batchSize: 7 });
      const scripts = scriptTransactions(db.prisma);
      if (!scripts) throw new Error("PostgreSQL has script transactions");
      // As a DISCARD ALL by someone else, or a pooler handing over another backend, would leave it
      // (the pool lends its one idle connection, the last returned).
      await scripts.run("DEALLOCATE ALL", async () => undefined);
      await detractorAnswer(db, (await managerWithCustomer(db, "Ben")).customerId);
      await expect(dispatchAlertBatch(db.prisma, bus, { logger, batchSize: 7 })).rejects.toMatchObject({
        code: "26000",
      });
      await dispatchAlertBatch(db.prisma, bus, { logger, batchSize: 7 });
      expect(published).toHaveLength(2);
    },
  );

  test("two dispatchers at once publish each committed alert once, in stream order", async ({ db }) => {
    const managers = await Promise.all(["Ana", "Ben", "Caio", "Dora"].map((n) => managerWithCustomer(db, n)));
    for (const manager of managers) await detractorAnswer(db, manager.customerId);
    const { bus, published } = recordingBus();

    const counts = await Promise.all([
      dispatchAlertBatch(db.prisma, bus, { logger, batchSize: 2 }),
      dispatchAlertBatch(db.prisma, bus, { logger, batchSize: 2 }),
      dispatchAlertBatch(db.prisma, bus, { logger, batchSize: 2 }),
    ]);
    while ((await dispatchAlertBatch(db.prisma, bus, { logger, batchSize: 2 })) > 0) {}

    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const ids = published.map((event) => event.alert.id);
    expect(new Set(ids).size).toBe(4);
    expect(ids).toHaveLength(4);
    const positions = published.map((event) => event.position);
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    expect(published.map((e) => e.alert.customer.ownerId).sort()).toEqual(
      managers.map((m) => m.principal.id).sort(),
    );
    expect(await db.prisma.alert.count({ where: { publishedAt: null } })).toBe(0);
  });

  test("a digest is published once, in stream order with alerts, instead of its alerts, which leave the outbox without positions", async ({
    db,
  }) => {
    const policy = {
      ...resolveAlertPolicy(DEFAULT_SCORING_POLICY.alerts, DEFAULT_SCORING_POLICY.levels),
      digestAbove: 3,
    };
    const now = new Date("2026-03-02T10:00:00Z");
    const ana = await db.prisma.principal.create({ data: { name: "Ana" } });
    const ben = await db.prisma.principal.create({ data: { name: "Ben" } });
    const anas = await customers(db, 5, ana.id);
    const bens = await customers(db, 2, ben.id);
    await db.prisma.$transaction((tx) =>
      raiseAlerts(tx, changesOf([...anas, ...bens].map(intoHigh), now), policy, { now }),
    );
    const { bus, published, digests } = recordingBus();

    await Promise.all([
      dispatchAlertBatch(db.prisma, bus, { logger, batchSize: 2 }),
      dispatchAlertBatch(db.prisma, bus, { logger, batchSize: 2 }),
    ]);
    while ((await dispatchAlertBatch(db.prisma, bus, { logger, batchSize: 2 })) > 0) {}

    expect(published.map((event) => event.alert.ownerId)).toEqual([ben.id, ben.id]);
    expect(digests).toEqual([
      {
        position: expect.any(BigInt),
        digest: expect.objectContaining({ ownerId: ana.id, alertCount: 5, highCount: 5, criticalCount: 0 }),
      },
    ]);
    const positions = [...published, ...digests].map((event) => event.position);
    expect(new Set(positions).size).toBe(3);
    expect(await db.prisma.alert.count({ where: { publishedAt: null } })).toBe(0);
    expect(
      await db.prisma.alert.count({
        where: { ownerId: ana.id, streamPosition: null, digestId: { not: null } },
      }),
    ).toBe(5);
  });

  test("an alert whose publishing failed stays unpublished and goes out with the next run", async ({
    db,
  }) => {
    const ana = await managerWithCustomer(db, "Ana");
    await detractorAnswer(db, ana.customerId);
    const failing = recordingBus(1);
    await expect(dispatchAlertBatch(db.prisma, failing.bus, { logger })).rejects.toThrow("Redis went away");
    expect(await db.prisma.alert.findFirstOrThrow()).toMatchObject({
      publishedAt: null,
      streamPosition: null,
    });

    const healthy = recordingBus();
    expect(await dispatchAlertBatch(db.prisma, healthy.bus, { logger })).toBe(1);
    expect(healthy.published[0]?.alert.customerId).toBe(ana.customerId);
    expect(await db.prisma.alert.findFirstOrThrow()).toMatchObject({
      publishedAt: expect.any(Date),
      streamPosition: healthy.published[0]?.position,
    });
  });

  test("a row that is not a whole alert is logged and left out of the live stream, not holding back the rest", async ({
    db,
  }) => {
    const [ana, ben] = await Promise.all(["Ana", "Ben"].map((n) => managerWithCustomer(db, n)));
    if (!ana || !ben) throw new Error("Two managers were made.");
    await detractorAnswer(db, ana.customerId);
    await detractorAnswer(db, ben.customerId);
    const damaged = await db.prisma.alert.findFirstOrThrow({ where: { customerId: ana.customerId } });
    await db.prisma.alert.update({ where: { id: damaged.id }, data: { reasons: { not: "a list" } } });
    const errors: string[] = [];
    const { bus, published } = recordingBus();

    expect(
      await dispatchAlertBatch(db.prisma, bus, {
        logger: { ...logger, error: (...args) => errors.push(args.join(" ")) },
      }),
    ).toBe(2);

    expect(published.map((event) => event.alert.customerId)).toEqual([ben.customerId]);
    expect(errors).toEqual([
      `Alert ${damaged.id} was not published live: its row is not a whole alert (alert.reasons: Invalid input: expected array, received object). Subscribers will not hear it; the alerts list shows it. Correct or delete the row.`,
    ]);
    // Both left the outbox: the damaged one does not come back on every poll.
    expect(await db.prisma.alert.count({ where: { publishedAt: null } })).toBe(0);
  });

  // The embedded database runs one transaction at a time, so an open one would block the dispatcher
  // rather than hide its alert from it.
  test.skipIf(inject("databaseKind") !== "postgres")(
    "an alert raised in a transaction still open is not published until it commits",
    async ({ db }) => {
      const ana = await managerWithCustomer(db, "Ana");
      const { bus, published } = recordingBus();
      let commit: () => void = () => {};
      const holding = new Promise<void>((resolve) => {
        commit = resolve;
      });
      let raised: () => void = () => {};
      const raisedInside = new Promise<void>((resolve) => {
        raised = resolve;
      });
      // The pipeline's steps (store, rescore with alert decisions), held open before the commit.
      const transaction = db.prisma.$transaction(async (tx) => {
        const now = new Date();
        await storeRecords(
          tx,
          [
            {
              type: "feedback",
              input: {
                customer: { id: ana.customerId },
                source: "survey",
                externalId: "held",
                kind: "NPS",
                score: 0,
                respondedAt: new Date(Date.now() - 60_000),
              },
            },
          ],
          { now },
        );
        const { alerts } = await rescoreWithAlerts(tx, {
          policy: DEFAULT_SCORING_POLICY,
          customerIds: [ana.customerId],
          asOf: now,
        });
        expect(alerts).toHaveLength(1);
        raised();
        await holding;
      });
      await raisedInside;
      expect(await dispatchAlertBatch(db.prisma, bus, { logger })).toBe(0);
      commit();
      await transaction;
      expect(await dispatchAlertBatch(db.prisma, bus, { logger })).toBe(1);
      expect(published).toHaveLength(1);
    },
  );
});
