// The at-risk list's count (an owner's live customers at some churn risk levels) comes from a tally
// kept by triggers (ChurnRiskTally, migration 20261206162457_churn_risk_tally), so that it costs the
// same at any number of customers (issue 15). It must equal counting the rows after every kind of
// write that moves a customer between owners, levels or in and out of the live set, and when two
// transactions move the same customer at once.
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { countCustomers, liveByChurnRiskLevel } from "../../../src/domain/customers/customer-count.ts";
import type { ChurnRiskLevel } from "../../../src/generated/prisma/enums.ts";
import { databaseKind, test } from "../../helpers/database.ts";
import { numberedCustomers } from "../../helpers/numbered-customers.ts";
import { overlap } from "../../helpers/overlapping-transactions.ts";
import { rowsRead } from "../../helpers/rows-read.ts";
import { mergeCustomers } from "../../helpers/writes.ts";

const NOBODY = "00000000-0000-0000-0000-000000000000";
const COMPUTED_AT = new Date("2026-03-01T00:00:00.000Z");

/** Live scored customers by "owner/level", counted row by row and as the tally holds them. */
async function tallies(db: Database) {
  const rows = await db.prisma.$queryRawUnsafe<Array<{ key: string; count: number }>>(`
    SELECT COALESCE(c."ownerId", '${NOBODY}') || '/' || s."churnRiskLevel" AS key, count(*)::int AS count
    FROM "Score" s JOIN "Customer" c ON c."id" = s."customerId"
    WHERE c."mergedIntoId" IS NULL GROUP BY 1`);
  const tally = await db.prisma.$queryRawUnsafe<Array<{ key: string; count: number }>>(`
    SELECT "ownerKey" || '/' || "level" AS key, sum("customers")::int AS count
    FROM "ChurnRiskTally" GROUP BY 1 HAVING sum("customers") <> 0`);
  const asObject = (list: Array<{ key: string; count: number }>): Record<string, number> =>
    Object.fromEntries(
      list.map(({ key, count }) => [key, count] as const).sort(([a], [b]) => a.localeCompare(b)),
    );
  return { rows: asObject(rows), tally: asObject(tally) };
}

async function expectTallyToMatch(db: Database, expected: Record<string, number>) {
  const { rows, tally } = await tallies(db);
  expect(rows).toEqual(expected);
  expect(tally).toEqual(rows);
}

function score(customerId: string, churnRiskLevel: ChurnRiskLevel) {
  return {
    customerId,
    churnRisk: 0.5,
    churnRiskLevel,
    modelVersion: "churn-v2/test",
    computedAt: COMPUTED_AT,
  };
}

async function people(db: Database) {
  const ana = await db.prisma.principal.create({ data: { name: "Ana", email: "ana@example.com" } });
  const bo = await db.prisma.principal.create({ data: { name: "Bo", email: "bo@example.com" } });
  const customer = (displayName: string, ownerId: string | null) =>
    db.prisma.customer.create({ data: { displayName, ownerId } });
  return {
    ana: ana.id,
    bo: bo.id,
    a: (await customer("A", ana.id)).id,
    b: (await customer("B", ana.id)).id,
    c: (await customer("C", null)).id,
    d: (await customer("D", bo.id)).id,
  };
}

describe("the churn risk tally", () => {
  test("follows score writes, owner changes, merges, deletes and a TRUNCATE", async ({ db }) => {
    const { ana, bo, a, b, c, d } = await people(db);
    await expectTallyToMatch(db, {});

    await db.prisma.score.createMany({ data: [score(a, "HIGH"), score(b, "HIGH"), score(c, "LOW")] });
    await db.prisma.score.create({ data: score(d, "CRITICAL") });
    await expectTallyToMatch(db, { [`${ana}/HIGH`]: 2, [`${bo}/CRITICAL`]: 1, [`${NOBODY}/LOW`]: 1 });

    // A rescoring's upsert: one level moves, one stays, one is written again unchanged.
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "Score" ("customerId", "churnRisk", "churnRiskLevel", "modelVersion", "computedAt")
       VALUES ($1::uuid, 0.9, 'CRITICAL', 'v', now()), ($2::uuid, 0.6, 'HIGH', 'v', now()), ($3::uuid, 0.1, 'LOW', 'v', now())
       ON CONFLICT ("customerId") DO UPDATE SET "churnRiskLevel" = EXCLUDED."churnRiskLevel", "churnRisk" = EXCLUDED."churnRisk"`,
      a,
      b,
      c,
    );
    await db.prisma.score.updateMany({ data: { churnRisk: 0.7 } }); // no level moves
    await expectTallyToMatch(db, {
      [`${ana}/CRITICAL`]: 1,
      [`${ana}/HIGH`]: 1,
      [`${bo}/CRITICAL`]: 1,
      [`${NOBODY}/LOW`]: 1,
    });

    // Owners: handed over, taken away, given.
    await db.prisma.customer.update({ where: { id: b }, data: { ownerId: bo } });
    await db.prisma.customer.update({ where: { id: d }, data: { ownerId: null } });
    await db.prisma.customer.update({ where: { id: c }, data: { ownerId: ana } });
    await expectTallyToMatch(db, {
      [`${ana}/CRITICAL`]: 1,
      [`${ana}/LOW`]: 1,
      [`${bo}/HIGH`]: 1,
      [`${NOBODY}/CRITICAL`]: 1,
    });

    // A merge takes the merged-away customer out; bringing it back puts it in again.
    await mergeCustomers(db.prisma, { survivorId: a, mergedId: b, reason: "same person" });
    const afterMerge = await tallies(db);
    expect(afterMerge.tally).toEqual(afterMerge.rows);
    expect(afterMerge.rows[`${bo}/HIGH`]).toBeUndefined();
    await db.prisma.score.upsert({ where: { customerId: b }, create: score(b, "MEDIUM"), update: {} });
    await db.prisma.customer.update({ where: { id: b }, data: { mergedIntoId: null, mergedAt: null } });
    const afterUnmerge = await tallies(db);
    expect(afterUnmerge.tally).toEqual(afterUnmerge.rows);
    expect(Object.values(afterUnmerge.rows).reduce((sum, count) => sum + count, 0)).toBe(4);

    // A score deleted, a customer deleted (its score goes with it), a principal deleted (its
    // customers become nobody's).
    await db.prisma.score.delete({ where: { customerId: c } });
    await db.prisma.customerMerge.deleteMany({});
    await db.prisma.customer.delete({ where: { id: a } });
    await db.prisma.principal.delete({ where: { id: bo } });
    const afterDeletes = await tallies(db);
    expect(afterDeletes.tally).toEqual(afterDeletes.rows);
    expect(Object.keys(afterDeletes.rows).every((key) => key.startsWith(`${NOBODY}/`))).toBe(true);

    await db.prisma.$executeRawUnsafe(`TRUNCATE "Score"`);
    await expectTallyToMatch(db, {});
    await db.prisma.score.create({ data: score(d, "HIGH") });
    await expectTallyToMatch(db, { [`${NOBODY}/HIGH`]: 1 });
    await db.prisma.$executeRawUnsafe(`TRUNCATE "Customer" CASCADE`);
    await expectTallyToMatch(db, {});
  });

  test("a score cannot move to another customer", async ({ db }) => {
    const { ana, a, b } = await people(db);
    await db.prisma.score.create({ data: score(a, "HIGH") });
    await expect(
      db.prisma.$executeRawUnsafe(
        `UPDATE "Score" SET "customerId" = $1::uuid WHERE "customerId" = $2::uuid`,
        b,
        a,
      ),
    ).rejects.toThrow(/cannot move to another customer/);
    await expectTallyToMatch(db, { [`${ana}/HIGH`]: 1 });
  });

  test("a rolled-back score write leaves the tally as it was", async ({ db }) => {
    const { ana, a, b } = await people(db);
    await db.prisma.score.create({ data: score(a, "HIGH") });
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.score.create({ data: score(b, "HIGH") });
        await tx.score.update({ where: { customerId: a }, data: { churnRiskLevel: "LOW" } });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    await expectTallyToMatch(db, { [`${ana}/HIGH`]: 1 });
  });

  test("the at-risk list's count reads the tally, not the customers", async ({ db }) => {
    const { ana, a, b, c } = await people(db);
    await db.prisma.score.createMany({ data: [score(a, "HIGH"), score(b, "CRITICAL"), score(c, "HIGH")] });
    const atRisk = { score: { churnRiskLevel: { in: ["HIGH", "CRITICAL"] as ChurnRiskLevel[] } } };
    expect(
      await countCustomers(db.prisma, [{ AND: [{ mergedIntoId: null }, { ownerId: ana }, atRisk] }]),
    ).toBe(2);
    expect(await countCustomers(db.prisma, [{ AND: [{ mergedIntoId: null }, atRisk] }])).toBe(3);
    // Only the tally moves: a count of the rows would still say 2 and 3.
    await db.prisma.$executeRawUnsafe(
      `UPDATE "ChurnRiskTally" SET "customers" = "customers" + 40 WHERE "ownerKey" = $1::uuid AND "level" = 'HIGH'`,
      ana,
    );
    expect(
      await countCustomers(db.prisma, [{ AND: [{ mergedIntoId: null }, { ownerId: ana }, atRisk] }]),
    ).toBe(42);
    expect(await countCustomers(db.prisma, [{ AND: [{ mergedIntoId: null }, atRisk] }])).toBe(43);
  });

  test("counts a batch of new scores by looking up their own customers, not every customer", async ({
    db,
  }) => {
    // Never analyzed, as right after a first sync: joined as a whole, the count hashed every live
    // customer for each statement of scores, so a rescoring batch cost what the hub holds.
    const customers = 2_000;
    const scored = 200;
    const ids = await numberedCustomers(db.prisma, customers);
    const read = await db.prisma.$transaction(async (tx) => {
      // The insert's own reads of Customer: each score's foreign key check, and the tally's lookups.
      const before = await rowsRead(tx, "Customer");
      await tx.score.createMany({ data: ids.slice(0, scored).map((id) => score(id, "HIGH")) });
      return (await rowsRead(tx, "Customer")) - before;
    });
    expect(read).toBeLessThanOrEqual(2 * scored);
    await expectTallyToMatch(db, { [`${NOBODY}/HIGH`]: scored });
  });

  // Two connections at once: PostgreSQL only (the embedded database runs one transaction at a time).
  describe.skipIf(databaseKind !== "postgres")("when a score and an owner change at once", () => {
    test("the level first: the owner change waits and moves the new level", async ({ db }) => {
      const { bo, a } = await people(db);
      await db.prisma.score.create({ data: score(a, "LOW") });
      await overlap(
        db,
        (tx) => tx.score.update({ where: { customerId: a }, data: { churnRiskLevel: "CRITICAL" } }),
        () => db.prisma.customer.update({ where: { id: a }, data: { ownerId: bo } }),
      );
      await expectTallyToMatch(db, { [`${bo}/CRITICAL`]: 1 });
    });

    test("the owner first: the level change waits and counts at the new owner", async ({ db }) => {
      const { bo, a } = await people(db);
      await db.prisma.score.create({ data: score(a, "LOW") });
      await overlap(
        db,
        (tx) => tx.customer.update({ where: { id: a }, data: { ownerId: bo } }),
        () => db.prisma.score.update({ where: { customerId: a }, data: { churnRiskLevel: "CRITICAL" } }),
      );
      await expectTallyToMatch(db, { [`${bo}/CRITICAL`]: 1 });
    });

    test("a first score first: the owner change waits and moves it", async ({ db }) => {
      const { bo, a } = await people(db);
      await overlap(
        db,
        (tx) => tx.score.create({ data: score(a, "HIGH") }),
        () => db.prisma.customer.update({ where: { id: a }, data: { ownerId: bo } }),
      );
      await expectTallyToMatch(db, { [`${bo}/HIGH`]: 1 });
    });

    test("the owner first: a first score waits and counts at the new owner", async ({ db }) => {
      const { bo, a } = await people(db);
      await overlap(
        db,
        (tx) => tx.customer.update({ where: { id: a }, data: { ownerId: bo } }),
        () => db.prisma.score.create({ data: score(a, "HIGH") }),
      );
      await expectTallyToMatch(db, { [`${bo}/HIGH`]: 1 });
    });

    test("a score deleted first: the owner change waits and finds none", async ({ db }) => {
      const { bo, a } = await people(db);
      await db.prisma.score.create({ data: score(a, "HIGH") });
      await overlap(
        db,
        (tx) => tx.score.delete({ where: { customerId: a } }),
        () => db.prisma.customer.update({ where: { id: a }, data: { ownerId: bo } }),
      );
      await expectTallyToMatch(db, {});
    });

    test("a merge first: the level change of the merged-away customer counts nowhere", async ({ db }) => {
      const { ana, a, b } = await people(db);
      await db.prisma.score.createMany({ data: [score(a, "LOW"), score(b, "LOW")] });
      await overlap(
        db,
        (tx) => tx.customer.update({ where: { id: b }, data: { mergedIntoId: a, mergedAt: COMPUTED_AT } }),
        () => db.prisma.score.update({ where: { customerId: b }, data: { churnRiskLevel: "HIGH" } }),
      );
      await expectTallyToMatch(db, { [`${ana}/LOW`]: 1 });
    });
  });
});

describe("liveByChurnRiskLevel", () => {
  const ana = "0190e7a4-0000-7000-8000-000000000000";
  const bo = "0190e7a4-0000-7000-8000-000000000001";
  const levels = (...names: ChurnRiskLevel[]) => ({ score: { churnRiskLevel: { in: names } } });
  test("live, one owner at most, and the score's levels: the at-risk list", () => {
    expect(liveByChurnRiskLevel([{ AND: [{ mergedIntoId: null }, {}, levels("HIGH", "CRITICAL")] }])).toEqual(
      {
        ownerId: null,
        levels: ["HIGH", "CRITICAL"],
      },
    );
    expect(
      liveByChurnRiskLevel([
        { AND: [{ mergedIntoId: null }, { ownerId: ana }, { ownerId: ana }, levels("HIGH")] },
      ]),
    ).toEqual({ ownerId: ana, levels: ["HIGH"] });
    // Two level conditions (a filter and a segment's): the levels in both.
    expect(
      liveByChurnRiskLevel([
        { AND: [{ mergedIntoId: null }, levels("HIGH", "CRITICAL"), levels("CRITICAL", "LOW")] },
      ]),
    ).toEqual({ ownerId: null, levels: ["CRITICAL"] });
  });

  test("anything else is counted row by row", () => {
    expect(liveByChurnRiskLevel([{ AND: [{ mergedIntoId: null }] }])).toBeNull();
    expect(liveByChurnRiskLevel([{ AND: [levels("HIGH")] }])).toBeNull();
    expect(
      liveByChurnRiskLevel([
        { AND: [{ mergedIntoId: null }, { ownerId: ana }, { ownerId: bo }, levels("HIGH")] },
      ]),
    ).toBeNull();
    expect(
      liveByChurnRiskLevel([{ AND: [{ mergedIntoId: null }, { ownerId: null }, levels("HIGH")] }]),
    ).toBeNull();
    expect(
      liveByChurnRiskLevel([
        {
          AND: [
            { mergedIntoId: null },
            { score: { churnRiskLevel: { in: ["HIGH"] }, churnRisk: { gte: 0.5 } } },
          ],
        },
      ]),
    ).toBeNull();
    expect(
      liveByChurnRiskLevel([{ AND: [{ mergedIntoId: null }, { score: { churnRisk: { gte: 0.5 } } }] }]),
    ).toBeNull();
    expect(
      liveByChurnRiskLevel([
        { AND: [{ mergedIntoId: null }, { score: { churnRiskLevel: { notIn: ["HIGH"] } } }] },
      ]),
    ).toBeNull();
    expect(
      liveByChurnRiskLevel([
        // A name that is no level (a condition built past the types) is not trusted to the tally.
        {
          AND: [{ mergedIntoId: null }, { score: { churnRiskLevel: { in: ["SEVERE" as ChurnRiskLevel] } } }],
        },
      ]),
    ).toBeNull();
    expect(
      liveByChurnRiskLevel([{ AND: [{ mergedIntoId: null }, { lifecycleStage: "LEAD" }, levels("HIGH")] }]),
    ).toBeNull();
  });
});
