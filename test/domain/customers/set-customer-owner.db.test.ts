import { describe, expect } from "vitest";
import { setCustomerOwner } from "../../../src/domain/customers/set-customer-owner.ts";
import { NotFoundError } from "../../../src/domain/errors.ts";
import { test } from "../../helpers/database.ts";
import { mergeCustomers } from "../../helpers/writes.ts";

const unknownId = "0190d5a4-8f6b-7c3e-9a1d-2b4c6e8f0a12";

describe("setCustomerOwner", () => {
  test("sets and clears a customer's owner", async ({ db }) => {
    const owner = await db.prisma.principal.create({ data: { name: "Grace" } });
    const customer = await db.prisma.customer.create({ data: {} });
    expect((await setCustomerOwner(db.prisma, { customerId: customer.id, ownerId: owner.id })).ownerId).toBe(
      owner.id,
    );
    expect(
      (await setCustomerOwner(db.prisma, { customerId: customer.id, ownerId: null })).ownerId,
    ).toBeNull();
  });

  test("sets the owner of the survivor when given a merged id", async ({ db }) => {
    const owner = await db.prisma.principal.create({ data: { name: "Grace" } });
    const survivor = await db.prisma.customer.create({ data: {} });
    const merged = await db.prisma.customer.create({ data: {} });
    await mergeCustomers(db.prisma, { survivorId: survivor.id, mergedId: merged.id, reason: "test" });
    const updated = await setCustomerOwner(db.prisma, { customerId: merged.id, ownerId: owner.id });
    expect(updated.id).toBe(survivor.id);
    expect(updated.ownerId).toBe(owner.id);
  });

  test("says which customer or principal does not exist", async ({ db }) => {
    const customer = await db.prisma.customer.create({ data: {} });
    await expect(setCustomerOwner(db.prisma, { customerId: unknownId, ownerId: null })).rejects.toSatisfy(
      (error) => error instanceof NotFoundError && error.resource === "Customer",
    );
    await expect(
      setCustomerOwner(db.prisma, { customerId: customer.id, ownerId: unknownId }),
    ).rejects.toSatisfy((error) => error instanceof NotFoundError && error.resource === "Principal");
  });
});
