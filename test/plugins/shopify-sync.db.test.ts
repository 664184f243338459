// The Shopify connector end to end: the sync engine reads a whole shop (the CDNOW sample's orders,
// served by the fake GraphQL Admin API in Shopify's page format) into the hub, then an incremental
// run picks up only what changed since its cursor: new orders and a refunded one.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import shopify from "../../plugins/shopify/index.ts";
import { installConnector } from "../../src/connectors/connector-store.ts";
import { createPluginRegistry } from "../../src/connectors/plugin-registry.ts";
import { createSyncEngine } from "../../src/connectors/sync/sync-engine.ts";
import { readCdnowSample } from "../../src/demo/cdnow.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { SECRET_KEY } from "../connectors/helpers/hub.ts";
import { test } from "../helpers/database.ts";
import { cdnowOrder, cdnowShopCustomerId } from "./helpers/cdnow-shop.ts";
import { type FakeShop, fakeShopifyAdminApi } from "./helpers/fake-shopify-admin-api.ts";

const SHOP = "cdnow.myshopify.com";
const TOKEN = "shpat_0123456789abcdef0123456789abcdef";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function syncShop(db: PrismaClient) {
  const engine = createSyncEngine({
    db,
    plugins: createPluginRegistry([shopify]),
    secretKey: SECRET_KEY,
    sleep: async (_ms, signal) => signal?.throwIfAborted(),
  });
  try {
    return await engine.run({ name: "cdnow" });
  } finally {
    await engine.close();
  }
}

describe("a Shopify shop synced through the engine", () => {
  test("arrives whole, then only its changes arrive", async ({ db }) => {
    const purchases = (await readCdnowSample()).slice(0, 400);
    const shop: FakeShop = { orders: purchases.map(cdnowOrder), customers: [] };
    const seen: Array<{ operation: string; variables: Record<string, unknown> }> = [];
    server.use(fakeShopifyAdminApi(shop, { shopDomain: SHOP, accessToken: TOKEN, bucket: false, seen }));
    await installConnector(
      { db: db.prisma, plugins: createPluginRegistry([shopify]), secretKey: SECRET_KEY },
      { pluginId: "shopify", name: "cdnow", config: { shopDomain: SHOP, accessToken: TOKEN } },
    );

    const full = await syncShop(db.prisma);

    const buyers = new Set(purchases.map((p) => p.customerId));
    expect(full).toMatchObject({ status: "SUCCEEDED", error: null });
    // Both streams run; the customers stream of this shop is empty.
    expect(full).toMatchObject({ recordsFetched: 400, recordsCreated: 400, recordsDeadLettered: 0 });
    expect(await db.prisma.interaction.count({ where: { source: "cdnow", kind: "order.placed" } })).toBe(400);
    expect(await db.prisma.customer.count()).toBe(buyers.size);
    expect(await db.prisma.identity.count({ where: { kind: "SHOP_CUSTOMER_ID", namespace: SHOP } })).toBe(
      buyers.size,
    );
    const total = await db.prisma.interaction.aggregate({ _sum: { amount: true } });
    const dollars = purchases.reduce((sum, p) => sum + Math.round(Number(p.dollars) * 100), 0);
    expect(Math.round(Number(total._sum.amount) * 100)).toBe(dollars);
    // Customers are scored, and seen when they bought.
    const first = purchases[0];
    if (!first) throw new Error("The sample is empty.");
    const identity = await db.prisma.identity.findFirstOrThrow({
      where: { kind: "SHOP_CUSTOMER_ID", value: cdnowShopCustomerId(first.customerId) },
      include: { customer: { include: { score: true } } },
    });
    const theirs = purchases
      .filter((p) => p.customerId === first.customerId)
      .map((p) => p.day)
      .sort();
    expect(identity.customer.firstSeenAt?.toISOString()).toBe(`${theirs[0]}T12:00:00.000Z`);
    expect(identity.customer.lastSeenAt?.toISOString()).toBe(`${theirs.at(-1)}T12:00:00.000Z`);
    expect(identity.customer.score).not.toBeNull();
    const pagesOfOrders = seen.filter((q) => q.operation === "CxHubOrders");
    expect(pagesOfOrders).toHaveLength(8);

    // Later: two new orders, and an old one refunded (its updated_at moves on).
    const refunded = shop.orders[10];
    if (!refunded) throw new Error("The shop has fewer than 11 orders.");
    const later = purchases.slice(-2).map((p, n) => ({
      ...cdnowOrder({ ...p, line: 100_000 + n }),
      processedAt: "1998-07-01T12:00:00Z",
      updatedAt: "1998-07-01T12:00:00Z",
    }));
    shop.orders = [
      ...shop.orders.filter((order) => order !== refunded),
      {
        ...refunded,
        updatedAt: "1998-07-02T08:00:00Z",
        displayFinancialStatus: "PARTIALLY_REFUNDED",
        refunds: [
          {
            id: "gid://shopify/Refund/900000000001",
            createdAt: "1998-07-02T08:00:00Z",
            note: "One CD was scratched",
            totalRefundedSet: { shopMoney: { amount: "5.00", currencyCode: "USD" } },
          },
        ],
      },
      ...later,
    ];
    seen.length = 0;

    const incremental = await syncShop(db.prisma);

    const cursorAt = purchases
      .map((p) => `${p.day}T12:00:00Z`)
      .sort()
      .at(-1);
    expect(seen.filter((q) => q.operation === "CxHubOrders").map((q) => q.variables.query)).toEqual([
      `updated_at:>='${cursorAt}'`,
    ]);
    // The new orders and the refund are created; the refunded order itself is a correction (its
    // financial status changed), and orders at the cursor's boundary second were skipped.
    expect(incremental).toMatchObject({ status: "SUCCEEDED", recordsCreated: 3, recordsUpdated: 1 });
    expect(incremental.recordsFetched).toBe(4);
    expect(await db.prisma.interaction.count({ where: { source: "cdnow" } })).toBe(403);
    const refund = await db.prisma.interaction.findFirstOrThrow({ where: { kind: "order.refunded" } });
    expect(refund).toMatchObject({ direction: "OUTBOUND", currency: "USD", conversationId: refunded.id });
    expect(refund.amount?.toString()).toBe("5");
  });
});
