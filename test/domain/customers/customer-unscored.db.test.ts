// The live customers without a score are kept in CustomerUnscored by triggers (migration
// 20261206094252_customer_unscored), so that the list by churn risk, which starts with them, reads a
// page whatever the number of scored customers (issue 15). The table must hold exactly the customers
// without a score after every kind of write.
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { type CustomerPage, customerPageIds } from "../../../src/domain/customers/customer-page-ids.ts";
import { test } from "../../helpers/database.ts";
import { numberedCustomers } from "../../helpers/numbered-customers.ts";
import { rowsRead } from "../../helpers/rows-read.ts";
import { mergeCustomers } from "../../helpers/writes.ts";

const at = new Date("2026-11-01T00:00:00Z");

/** The customers without a score, asked of the scores, and as the table keeps them. */
async function unscored(db: Database) {
  const [asked, kept] = await Promise.all([
    db.prisma.customer.findMany({
      where: { score: null, mergedIntoId: null },
      select: { id: true },
      orderBy: { id: "asc" },
    }),
    db.prisma.customerUnscored.findMany({ select: { customerId: true }, orderBy: { customerId: "asc" } }),
  ]);
  return { asked: asked.map((row) => row.id), kept: kept.map((row) => row.customerId) };
}

const score = (customerId: string, churnRisk: number) => ({
  customerId,
  churnRisk,
  churnRiskLevel: "LOW" as const,
  modelVersion: "test",
  computedAt: at,
});

describe("the unscored customers' table", () => {
  test("follows new customers, scores written and deleted, customers deleted and emptied scores", async ({
    db,
  }) => {
    const a = await db.prisma.customer.create({ data: { displayName: "A" } });
    const b = await db.prisma.customer.create({ data: { displayName: "B" } });
    await db.prisma.customer.createMany({ data: [{ displayName: "C" }, { displayName: "D" }] });
    let state = await unscored(db);
    expect(state.kept).toHaveLength(4);
    expect(state.kept).toEqual(state.asked);

    await db.prisma.score.createMany({ data: [score(a.id, 0.2), score(b.id, 0.4)] });
    // An upsert that updates an existing score moves nothing.
    await db.prisma.score.upsert({
      where: { customerId: a.id },
      create: score(a.id, 0.3),
      update: { churnRisk: 0.3 },
    });
    state = await unscored(db);
    expect(state.kept).toHaveLength(2);
    expect(state.kept).toEqual(state.asked);

    await db.prisma.score.delete({ where: { customerId: b.id } });
    state = await unscored(db);
    expect(state.kept).toContain(b.id);
    expect(state.kept).toEqual(state.asked);

    // A scored customer deleted (its score goes by the foreign key) and an unscored one deleted.
    await db.prisma.customer.delete({ where: { id: a.id } });
    await db.prisma.customer.delete({ where: { id: b.id } });
    state = await unscored(db);
    expect(state.kept).toHaveLength(2);
    expect(state.kept).toEqual(state.asked);

    // A merge takes the merged-away customer off (its score, had it one, goes with the merge); an
    // unmerge puts it back while it has no score.
    const [survivor = "", merged = ""] = state.kept;
    await mergeCustomers(db.prisma, { survivorId: survivor, mergedId: merged, reason: "same person" });
    state = await unscored(db);
    expect(state.kept).not.toContain(merged);
    expect(state.kept).toEqual(state.asked);
    await db.prisma.customer.update({ where: { id: merged }, data: { mergedIntoId: null, mergedAt: null } });
    state = await unscored(db);
    expect(state.kept).toContain(merged);
    expect(state.kept).toEqual(state.asked);

    await db.prisma.score.upsert({ where: { customerId: merged }, create: score(merged, 0.5), update: {} });
    await db.prisma.$executeRawUnsafe(`TRUNCATE "Score"`);
    state = await unscored(db);
    expect(state.kept).toHaveLength(2);
    expect(state.kept).toEqual(state.asked);
  });

  test("scores written and deleted look up their own customers, not every unscored or live one", async ({
    db,
  }) => {
    // Never analyzed, as right after a first sync: joined as a whole, the triggers' statements hashed
    // every unscored customer (a score written) or every live customer (a score deleted) for each
    // statement of scores, so a rescoring batch cost what the hub holds.
    const customers = 2_000;
    const scored = 200;
    const ids = await numberedCustomers(db.prisma, customers);
    const batch = ids.slice(0, scored);
    const read = await db.prisma.$transaction(async (tx) => {
      const unscoredBefore = await rowsRead(tx, "CustomerUnscored");
      await tx.score.createMany({ data: batch.map((id) => score(id, 0.2)) });
      const unscoredRead = (await rowsRead(tx, "CustomerUnscored")) - unscoredBefore;
      const customersBefore = await rowsRead(tx, "Customer");
      await tx.score.deleteMany({ where: { customerId: { in: batch } } });
      // Each deleted score's customer, looked up by this trigger and by the churn risk tally's, and
      // by the foreign key of the row put back.
      return { unscoredRead, customersRead: (await rowsRead(tx, "Customer")) - customersBefore };
    });
    // Each one probed by its key, then deleted.
    expect(read.unscoredRead).toBeLessThanOrEqual(2 * scored);
    expect(read.customersRead).toBeLessThanOrEqual(3 * scored);
    const state = await unscored(db);
    expect(state.kept).toHaveLength(customers);
    expect(state.kept).toEqual(state.asked);
  });

  test("the list by churn risk, highest first, starts with the customers the table keeps", async ({ db }) => {
    const scored = await db.prisma.customer.create({ data: { displayName: "Scored" } });
    await db.prisma.score.create({ data: score(scored.id, 0.9) });
    const waiting = await db.prisma.customer.create({ data: { displayName: "Not scored yet" } });
    const page: Omit<CustomerPage, "take"> = {
      order: "churnRisk",
      direction: "desc",
      customerWhere: [{ mergedIntoId: null }],
      scoreWhere: [],
    };
    expect(await customerPageIds(db.prisma, { ...page, take: 2 })).toEqual([waiting.id, scored.id]);
    // After a cursor among them (read through Prisma): the rest of them by ID, then the scored.
    const alsoWaiting = await db.prisma.customer.create({ data: { displayName: "Also not scored" } });
    const [first, second] = [waiting.id, alsoWaiting.id].sort().reverse();
    expect(await customerPageIds(db.prisma, { ...page, take: 3 })).toEqual([first, second, scored.id]);
    expect(await customerPageIds(db.prisma, { ...page, take: 2, cursorId: first })).toEqual([
      second,
      scored.id,
    ]);
    await db.prisma.customer.delete({ where: { id: alsoWaiting.id } });
    // Read from the table: a customer it does not keep is not looked for among the others.
    await db.prisma.customerUnscored.deleteMany({});
    expect(await customerPageIds(db.prisma, { ...page, take: 2 })).toEqual([scored.id]);
  });
});
