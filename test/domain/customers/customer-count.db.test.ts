// The customer list's count of live customers comes from a tally kept by triggers (CustomerTally,
// migration 20261206081554_customer_tally), so that it costs the same at any number of customers
// (issue 15). It must equal counting the rows after every kind of write that moves a customer in or
// out of the live set.
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import {
  countCustomers,
  isEveryLiveCustomer,
  isLiveOfOneOwnerAtMost,
} from "../../../src/domain/customers/customer-count.ts";
import { test } from "../../helpers/database.ts";
import { mergeCustomers } from "../../helpers/writes.ts";

const LIVE = [{ mergedIntoId: null }];

/** The live customers counted row by row, and by countCustomers (the tally). */
async function counts(db: Database) {
  const rows = await db.prisma.customer.count({ where: { mergedIntoId: null } });
  return { rows, tally: await countCustomers(db.prisma, LIVE) };
}

describe("the live customers' tally", () => {
  test("follows inserts, merges, deletes and a TRUNCATE", async ({ db }) => {
    expect(await counts(db)).toEqual({ rows: 0, tally: 0 });

    const create = (displayName: string) => db.prisma.customer.create({ data: { displayName } });
    const a = await create("A");
    const b = await create("B");
    const c = await create("C");
    await db.prisma.customer.createMany({ data: [{ displayName: "D" }, { displayName: "E" }] });
    expect(await counts(db)).toEqual({ rows: 5, tally: 5 });

    await mergeCustomers(db.prisma, { survivorId: a.id, mergedId: b.id, reason: "same person" });
    expect(await counts(db)).toEqual({ rows: 4, tally: 4 });

    // A customer brought back (merged into nobody again) counts again; other updates move nothing.
    await db.prisma.customer.update({ where: { id: b.id }, data: { mergedIntoId: null, mergedAt: null } });
    await db.prisma.customer.updateMany({ data: { lifecycleStage: "CUSTOMER" } });
    expect(await counts(db)).toEqual({ rows: 5, tally: 5 });

    // A merged-away customer deleted leaves the live count as it was.
    await mergeCustomers(db.prisma, { survivorId: a.id, mergedId: c.id, reason: "same person" });
    await db.prisma.customerMerge.deleteMany({ where: { mergedId: c.id } });
    await db.prisma.customer.delete({ where: { id: c.id } });
    await db.prisma.customer.deleteMany({ where: { displayName: "D" } });
    expect(await counts(db)).toEqual({ rows: 3, tally: 3 });

    await db.prisma.$executeRawUnsafe(`TRUNCATE "Customer" CASCADE`);
    expect(await counts(db)).toEqual({ rows: 0, tally: 0 });
    await db.prisma.customer.create({ data: {} });
    expect(await counts(db)).toEqual({ rows: 1, tally: 1 });
  });

  test("a rolled-back insert leaves the tally as it was", async ({ db }) => {
    await db.prisma.customer.create({ data: {} });
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.customer.createMany({ data: [{}, {}, {}] });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await counts(db)).toEqual({ rows: 1, tally: 1 });
  });

  test("the unfiltered count reads the tally, not the customers", async ({ db }) => {
    await db.prisma.customer.createMany({ data: [{}, {}] });
    // Only the tally moves: a count of the rows would still say 2.
    await db.prisma.$executeRawUnsafe(
      `UPDATE "CustomerTally" SET "live" = "live" + 40 WHERE "slot" = (SELECT min("slot") FROM "CustomerTally")`,
    );
    expect(await countCustomers(db.prisma, LIVE)).toBe(42);
    expect(
      await countCustomers(db.prisma, [{ mergedIntoId: null }, { lifecycleStage: { in: ["LEAD"] } }]),
    ).toBe(2);
  });
});

describe("isEveryLiveCustomer", () => {
  test("only 'live', with empty conditions and ANDs beside it", () => {
    expect(isEveryLiveCustomer([{ mergedIntoId: null }, {}])).toBe(true);
    expect(isEveryLiveCustomer([{ AND: [{ mergedIntoId: null }, {}] }])).toBe(true);
    expect(isEveryLiveCustomer([{ mergedIntoId: null, ownerId: undefined }])).toBe(true);
    expect(isEveryLiveCustomer([])).toBe(false);
    expect(isEveryLiveCustomer([{}])).toBe(false);
    expect(
      isEveryLiveCustomer([{ mergedIntoId: null }, { ownerId: "0190e7a4-0000-7000-8000-000000000000" }]),
    ).toBe(false);
    expect(isEveryLiveCustomer([{ AND: [{ mergedIntoId: null }, { ownerId: null }] }])).toBe(false);
    expect(isEveryLiveCustomer([{ mergedIntoId: { not: null } }])).toBe(false);
  });
});

describe("isLiveOfOneOwnerAtMost", () => {
  const ana = "0190e7a4-0000-7000-8000-000000000000";
  const bo = "0190e7a4-0000-7000-8000-000000000001";
  test("'live', and one principal's customers at most: any viewer's unfiltered list", () => {
    expect(isLiveOfOneOwnerAtMost([{ mergedIntoId: null }, {}])).toBe(true);
    expect(isLiveOfOneOwnerAtMost([{ mergedIntoId: null }, { ownerId: ana }])).toBe(true);
    expect(
      isLiveOfOneOwnerAtMost([{ ownerId: ana }, { AND: [{ mergedIntoId: null }, { ownerId: ana }] }]),
    ).toBe(true);
    expect(isLiveOfOneOwnerAtMost([{ mergedIntoId: null }, { ownerId: ana }, { ownerId: bo }])).toBe(false);
    expect(isLiveOfOneOwnerAtMost([{ ownerId: ana }])).toBe(false);
    expect(isLiveOfOneOwnerAtMost([{ mergedIntoId: null }, { ownerId: null }])).toBe(false);
    expect(isLiveOfOneOwnerAtMost([{ mergedIntoId: null }, { lifecycleStage: { in: ["LEAD"] } }])).toBe(
      false,
    );
  });
});
