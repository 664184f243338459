// Bulk inserts as JSON documents (src/db/insert-json-rows.ts): each value arrives in its column's own
// type, a column a row leaves out gets the table's default rather than NULL, and only plain table and
// column names reach the SQL.

import { describe, expect } from "vitest";
import { insertJsonRows } from "../../src/db/insert-json-rows.ts";
import { runTransaction, transactionSql } from "../../src/db/transaction-sql.ts";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { test } from "../helpers/database.ts";

const LIMITS = { maxWait: 15_000, timeout: 30_000 };
const CUSTOMER = "01900000-0000-7000-8000-0000000000c1";
const ORDER = "01900000-0000-7000-8000-0000000000a1";
const NOTE = "01900000-0000-7000-8000-0000000000a2";
const placedAt = new Date("2026-03-04T05:06:07.891Z");

describe("inserting rows as JSON documents", () => {
  test("stores each value in its column's type and fills what a row leaves out with the default", async ({
    db,
  }) => {
    const written = await runTransaction(
      db.prisma,
      async (tx) => {
        const sql = transactionSql(tx);
        const customers = await insertJsonRows(sql, "Customer", [
          { id: CUSTOMER, updatedAt: placedAt, lifecycleStage: "CUSTOMER", traits: { tier: "gold" } },
        ]);
        const interactions = await insertJsonRows(sql, "Interaction", [
          {
            id: ORDER,
            customerId: CUSTOMER,
            source: "shop",
            externalId: "order-1",
            channel: "ECOMMERCE",
            kind: "order.placed",
            direction: "INBOUND",
            occurredAt: placedAt,
            amount: "19.9900",
            currency: "USD",
            metadata: { items: [1, 2] },
          },
          {
            id: NOTE,
            customerId: CUSTOMER,
            source: "shop",
            externalId: "note-1",
            channel: "EMAIL",
            kind: "email.received",
            direction: "INBOUND",
            occurredAt: placedAt,
            summary: undefined,
            sentiment: -0.25,
          },
        ]);
        // One identity names its namespace; the other leaves it to the column's default ('').
        const identities = await insertJsonRows(sql, "Identity", [
          {
            id: "01900000-0000-7000-8000-0000000000b1",
            customerId: CUSTOMER,
            kind: "SHOP_CUSTOMER_ID",
            namespace: "shop-1",
            value: "42",
          },
          {
            id: "01900000-0000-7000-8000-0000000000b2",
            customerId: CUSTOMER,
            kind: "EMAIL",
            value: "ada@example.com",
          },
        ]);
        return customers + interactions + identities;
      },
      LIMITS,
    );
    expect(written).toBe(5);
    const identities = await db.prisma.identity.findMany({
      where: { customerId: CUSTOMER },
      orderBy: { kind: "asc" },
    });
    expect(identities.map((identity) => [identity.kind, identity.namespace])).toEqual([
      ["EMAIL", ""],
      ["SHOP_CUSTOMER_ID", "shop-1"],
    ]);

    const customer = await db.prisma.customer.findUniqueOrThrow({ where: { id: CUSTOMER } });
    expect(customer).toMatchObject({
      lifecycleStage: "CUSTOMER",
      traits: { tier: "gold" },
      profileVersions: {},
    });
    expect(customer.updatedAt).toEqual(placedAt);
    const [order, note] = await db.prisma.interaction.findMany({
      where: { customerId: CUSTOMER },
      orderBy: { externalId: "desc" },
    });
    expect(order).toMatchObject({
      id: ORDER,
      occurredAt: placedAt,
      currency: "USD",
      metadata: { items: [1, 2] },
    });
    expect(order?.amount).toEqual(new Prisma.Decimal("19.99"));
    expect(order?.recordedAt).toBeInstanceOf(Date);
    expect(note).toMatchObject({ id: NOTE, sentiment: -0.25, summary: null, amount: null, metadata: null });
    expect(note?.recordedAt).toBeInstanceOf(Date);
  });

  test("refuses a table or column name that is not a plain identifier", async ({ db }) => {
    await runTransaction(
      db.prisma,
      async (tx) => {
        const sql = transactionSql(tx);
        await expect(insertJsonRows(sql, 'Customer" CASCADE', [{ id: CUSTOMER }])).rejects.toThrow(
          /Not a table name/,
        );
        await expect(insertJsonRows(sql, "Customer", [{ 'id"); DROP TABLE x; --': 1 }])).rejects.toThrow(
          /Not a column name/,
        );
      },
      LIMITS,
    );
    expect(await db.prisma.customer.count()).toBe(0);
  });
});
