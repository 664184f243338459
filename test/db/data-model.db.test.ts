import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { test } from "../helpers/database.ts";

/** Any fixed moment: what these rows store does not depend on when the test runs. */
const AT = new Date("2026-06-15T12:00:00Z");

async function aCustomer(db: Database) {
  return db.prisma.customer.create({ data: { displayName: "Ada Lovelace" } });
}

function anOrder(customerId: string, externalId = "order-1") {
  return {
    customerId,
    source: "shop",
    externalId,
    channel: "ECOMMERCE" as const,
    kind: "order.placed",
    direction: "INBOUND" as const,
    occurredAt: new Date("2026-01-02T10:00:00Z"),
    amount: "19.99",
    currency: "EUR",
  };
}

describe("the data model", () => {
  test("names each identity once: a second customer cannot claim the same email", async ({ db }) => {
    const first = await aCustomer(db);
    const second = await aCustomer(db);
    await db.prisma.identity.create({
      data: { customerId: first.id, kind: "EMAIL", value: "ada@example.com" },
    });
    await expect(
      db.prisma.identity.create({ data: { customerId: second.id, kind: "EMAIL", value: "ada@example.com" } }),
    ).rejects.toMatchObject({ code: "P2002" });
  });

  test("lets the same shop id exist in two different shops", async ({ db }) => {
    const customer = await aCustomer(db);
    await db.prisma.identity.createMany({
      data: [
        { customerId: customer.id, kind: "SHOP_CUSTOMER_ID", namespace: "a.example", value: "42" },
        { customerId: customer.id, kind: "SHOP_CUSTOMER_ID", namespace: "b.example", value: "42" },
      ],
    });
    expect(await db.prisma.identity.count()).toBe(2);
  });

  test("stores an interaction once per source and external id, with exact money", async ({ db }) => {
    const customer = await aCustomer(db);
    const saved = await db.prisma.interaction.create({ data: anOrder(customer.id) });
    expect(saved.amount?.toString()).toBe("19.99");
    expect(saved.occurredAt.toISOString()).toBe("2026-01-02T10:00:00.000Z");
    await expect(db.prisma.interaction.create({ data: anOrder(customer.id) })).rejects.toMatchObject({
      code: "P2002",
    });
    const skipped = await db.prisma.interaction.createMany({
      data: [anOrder(customer.id)],
      skipDuplicates: true,
    });
    expect(skipped.count).toBe(0);
  });

  test("refuses money without a currency", async ({ db }) => {
    const customer = await aCustomer(db);
    await expect(
      db.prisma.interaction.create({ data: { ...anOrder(customer.id), currency: null } }),
    ).rejects.toThrow(/Interaction_amount_has_currency/);
  });

  test.for([
    ["NPS", 11],
    ["NPS", -1],
    ["CSAT", 0],
    ["CSAT", 6],
    ["CES", 8],
  ] as const)("refuses a %s answer of %i", async ([kind, score], { db }) => {
    const customer = await aCustomer(db);
    await expect(
      db.prisma.feedback.create({
        data: {
          customerId: customer.id,
          source: "survey",
          externalId: "1",
          kind,
          score,
          respondedAt: AT,
        },
      }),
    ).rejects.toThrow(/Feedback_score_in_range/);
  });

  test.for([
    ["NPS", 0],
    ["NPS", 10],
    ["CSAT", 5],
    ["CES", 7],
  ] as const)("accepts a %s answer of %i", async ([kind, score], { db }) => {
    const customer = await aCustomer(db);
    const saved = await db.prisma.feedback.create({
      data: {
        customerId: customer.id,
        source: "survey",
        externalId: "1",
        kind,
        score,
        respondedAt: AT,
      },
    });
    expect(saved.score).toBe(score);
  });

  test("keeps a merged customer resolvable through its survivor", async ({ db }) => {
    const survivor = await aCustomer(db);
    const merged = await db.prisma.customer.create({
      data: { mergedIntoId: survivor.id, mergedAt: AT },
    });
    const found = await db.prisma.customer.findUniqueOrThrow({
      where: { id: merged.id },
      include: { mergedInto: true },
    });
    expect(found.mergedInto?.id).toBe(survivor.id);
    await expect(
      db.prisma.customer.update({ where: { id: survivor.id }, data: { mergedIntoId: survivor.id } }),
    ).rejects.toThrow(/Customer_not_merged_into_itself/);
  });

  test("allows one queued or running sync per connector", async ({ db }) => {
    const connector = await db.prisma.connector.create({ data: { pluginId: "shopify", name: "main-shop" } });
    await db.prisma.syncRun.create({
      data: { connectorId: connector.id, trigger: "MANUAL", status: "RUNNING" },
    });
    await expect(
      db.prisma.syncRun.create({ data: { connectorId: connector.id, trigger: "SCHEDULED" } }),
    ).rejects.toMatchObject({ code: "P2002" });
    await db.prisma.syncRun.updateMany({ data: { status: "SUCCEEDED" } });
    await db.prisma.syncRun.create({ data: { connectorId: connector.id, trigger: "SCHEDULED" } });
    expect(await db.prisma.syncRun.count()).toBe(2);
  });

  test("stores every timestamp with its time zone", async ({ db }) => {
    const naive = await db.prisma.$queryRaw<Array<{ table_name: string; column_name: string }>>`
      SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'
         AND table_name <> '_prisma_migrations'`;
    expect(naive).toEqual([]);
  });

  test("has indexes for the timeline, owner, churn-risk and alert access paths", async ({ db }) => {
    const rows = await db.prisma.$queryRaw<Array<{ indexdef: string }>>`
      SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'`;
    const definitions = rows.map((row) => row.indexdef);
    for (const expected of [
      /ON public\."Interaction" USING btree \("customerId", "occurredAt" DESC\)/,
      /ON public\."Customer" USING btree \("ownerId", "lastSeenAt" DESC NULLS LAST, id DESC\) WHERE \("mergedIntoId" IS NULL\)/,
      /ON public\."Customer" USING btree \("lastSeenAt" DESC NULLS LAST, id DESC\) WHERE \("mergedIntoId" IS NULL\)/,
      /ON public\."Score" USING btree \("churnRisk" DESC, "customerId" DESC\)/,
      /ON public\."Score" USING btree \(clv DESC NULLS LAST, "customerId" DESC\)/,
      /ON public\."Customer" USING btree \("createdAt" DESC, id DESC\) WHERE \("mergedIntoId" IS NULL\)/,
      /ON public\."Customer" USING btree \("displayName" DESC NULLS LAST, id DESC\) WHERE \("mergedIntoId" IS NULL\)/,
      /ON public\."Alert" USING btree \("ownerId", "createdAt" DESC\)/,
      /UNIQUE INDEX .* ON public\."Interaction" USING btree \(source, "externalId"\)/,
    ]) {
      expect(
        definitions.some((definition) => expected.test(definition)),
        String(expected),
      ).toBe(true);
    }
  });
});
