import { describe, expect } from "vitest";
import {
  findCustomerByIdentity,
  findLiveCustomer,
  findLiveCustomerIds,
} from "../../../src/domain/customers/find-customer.ts";
import { ValidationError } from "../../../src/domain/errors.ts";
import { test } from "../../helpers/database.ts";
import { mergeCustomers, upsertCustomer } from "../../helpers/writes.ts";

describe("findLiveCustomer", () => {
  test("answers a merged id with its survivor", async ({ db }) => {
    const survivor = await db.prisma.customer.create({ data: {} });
    const merged = await db.prisma.customer.create({ data: {} });
    await mergeCustomers(db.prisma, { survivorId: survivor.id, mergedId: merged.id, reason: "test" });
    expect((await findLiveCustomer(db.prisma, merged.id))?.id).toBe(survivor.id);
    expect((await findLiveCustomer(db.prisma, survivor.id))?.id).toBe(survivor.id);
  });

  test("answers null for an unknown id and for a string that is no id", async ({ db }) => {
    expect(await findLiveCustomer(db.prisma, "0190d5a4-8f6b-7c3e-9a1d-2b4c6e8f0a12")).toBeNull();
    expect(await findLiveCustomer(db.prisma, "not-a-uuid")).toBeNull();
  });
});

describe("findLiveCustomerIds", () => {
  test("answers each id with its live customer's, following a merge and a chain a repair left longer", async ({
    db,
  }) => {
    const [survivor, merged, chained, other] = await Promise.all(
      [1, 2, 3, 4].map(() => db.prisma.customer.create({ data: {} })),
    );
    if (!survivor || !merged || !chained || !other) throw new Error("four customers were created");
    await mergeCustomers(db.prisma, { survivorId: survivor.id, mergedId: merged.id, reason: "test" });
    // Merges re-point, so a two-hop chain exists only where something wrote it by hand.
    await db.prisma.customer.update({ where: { id: chained.id }, data: { mergedIntoId: merged.id } });
    const live = await findLiveCustomerIds(db.prisma, [
      merged.id,
      chained.id,
      other.id,
      "0190d5a4-8f6b-7c3e-9a1d-2b4c6e8f0a12",
      "not-a-uuid",
    ]);
    expect(Object.fromEntries(live)).toEqual({
      [merged.id]: survivor.id,
      [chained.id]: survivor.id,
      [other.id]: other.id,
    });
  });
});

describe("findCustomerByIdentity", () => {
  test("finds the live customer of an identity written any way", async ({ db }) => {
    const { customer } = await upsertCustomer(db.prisma, {
      identities: [{ kind: "SOCIAL_HANDLE", namespace: "x", value: "ana" }],
    });
    const found = await findCustomerByIdentity(db.prisma, {
      kind: "SOCIAL_HANDLE",
      namespace: "X",
      value: "@Ana",
    });
    expect(found?.id).toBe(customer.id);
    expect(
      await findCustomerByIdentity(db.prisma, {
        kind: "SOCIAL_HANDLE",
        namespace: "instagram",
        value: "ana",
      }),
    ).toBeNull();
  });

  test("refuses an identity it cannot normalize", async ({ db }) => {
    await expect(findCustomerByIdentity(db.prisma, { kind: "EMAIL", value: "nope" })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
