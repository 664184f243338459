// Draining the customers a sync marked due: every due customer is scored once and none is left due,
// also with drains side by side; on PostgreSQL those drains work in parallel, so one held up by a
// customer does not hold up the rest.
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { markRescoreDue } from "../../src/pipeline/mark-rescore-due.ts";
import { rescoreDueCustomers } from "../../src/pipeline/rescore-due-customers.ts";
import { databaseKind, test } from "../helpers/database.ts";
import { writesAt } from "../helpers/writes.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const writes = writesAt(NOW);

/** Customers stored without a score, marked due as a sync's batch leaves them; their ids in order. */
async function dueCustomers(db: Database, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    ids.push((await db.prisma.customer.create({ data: { displayName: `Due ${index}` } })).id);
  }
  await db.prisma.$transaction((tx) => markRescoreDue(tx, ids, NOW));
  return ids.sort();
}

describe("rescoring the customers due", () => {
  test("scores each due customer once with two drains side by side, and leaves none due", async ({ db }) => {
    const ids = await dueCustomers(db, 6);

    const drained = await rescoreDueCustomers(db.prisma, writes, { batchSize: 1, drains: 2 });

    expect(drained).toMatchObject({ customers: 6, rescored: 6 });
    expect(await db.prisma.customerRescoreDue.count()).toBe(0);
    const history = await db.prisma.scoreHistory.groupBy({ by: ["customerId"], _count: true });
    expect(history.map((row) => [row.customerId, row._count]).sort()).toEqual(ids.map((id) => [id, 1]));
  });

  test.skipIf(databaseKind === "pglite")(
    "on PostgreSQL, a drain waiting on one customer leaves the others to the drain beside it",
    async ({ db }) => {
      const [first, ...others] = (await dueCustomers(db, 4)) as [string, ...string[]];
      let release = () => {};
      let held = () => {};
      const isHeld = new Promise<void>((resolve) => {
        held = resolve;
      });
      // A concurrent writer holds the first customer: scoring it waits for that writer's commit.
      const holder = db.prisma.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT 1 FROM "Customer" WHERE "id" = ${first}::uuid FOR UPDATE`;
          held();
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        },
        { timeout: 30_000 },
      );
      await isHeld;
      const drain = rescoreDueCustomers(db.prisma, writes, { batchSize: 1, drains: 2 });
      // Awaited below; marked handled so that a failed poll does not also leave it unheard.
      drain.catch(() => {});
      try {
        await expect
          .poll(async () => db.prisma.score.count({ where: { customerId: { in: others } } }), {
            timeout: 15_000,
          })
          .toBe(others.length);
        expect(await db.prisma.score.count({ where: { customerId: first } })).toBe(0);
      } finally {
        release();
        await holder;
      }
      expect(await drain).toMatchObject({ customers: 4, rescored: 4 });
      expect(await db.prisma.score.count()).toBe(4);
    },
  );
});
