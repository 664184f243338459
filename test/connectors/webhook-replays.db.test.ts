// Issue 14, "Hold under attack": a signed Shopify webhook captured and re-sent (under a new
// X-Shopify-Webhook-Id, or after the hub forgot it) must not roll an order back, and a signed body
// whose fields have the wrong types must be kept as a dead letter, not lost behind a 500. Both paths
// that write orders (webhooks and the sync) compare the order's own updated_at.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import shopify from "../../plugins/shopify/index.ts";
import { installConnector } from "../../src/connectors/connector-store.ts";
import { createPluginRegistry } from "../../src/connectors/plugin-registry.ts";
import { createSyncEngine } from "../../src/connectors/sync/sync-engine.ts";
import { handleWebhook, type WebhookHandlerOptions } from "../../src/connectors/webhooks/handle-webhook.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { hmacSha256 } from "../../src/sdk/webhooks.ts";
import { test } from "../helpers/database.ts";
import { writesAt } from "../helpers/writes.ts";
import { cdnowOrder } from "../plugins/helpers/cdnow-shop.ts";
import { fakeShopifyAdminApi } from "../plugins/helpers/fake-shopify-admin-api.ts";
import {
  fixture,
  installTemplate,
  SECRET_KEY,
  plugins as templatePlugins,
  tinyDeskDelivery,
} from "./helpers/hub.ts";

const SHOP = "acme.myshopify.com";
const TOKEN = "shpat_0123456789abcdef0123456789abcdef";
const CLIENT_SECRET = "shpss_0123456789abcdef";
const NOW = new Date("2026-03-06T10:00:00Z");
const ORDER_GID = "gid://shopify/Order/5000000000001";
const plugins = createPluginRegistry([shopify]);

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function options(db: PrismaClient): WebhookHandlerOptions {
  return { db, plugins, secretKey: SECRET_KEY, writes: writesAt(NOW) };
}

async function installShop(db: PrismaClient) {
  return installConnector(
    { db, plugins, secretKey: SECRET_KEY },
    {
      pluginId: "shopify",
      name: "acme",
      config: { shopDomain: SHOP, accessToken: TOKEN, clientSecret: CLIENT_SECRET },
    },
  );
}

/** The order as Shopify's REST webhooks write it (the fields of the documented Order payload we read). */
function orderBody(version: { amount: string; updatedAt: string }) {
  return {
    id: 5000000000001,
    admin_graphql_api_id: ORDER_GID,
    name: "#1001",
    email: "ana@example.com",
    created_at: "2026-03-06T09:00:00Z",
    processed_at: "2026-03-06T09:00:00Z",
    updated_at: version.updatedAt,
    cancelled_at: null,
    cancel_reason: null,
    test: false,
    financial_status: "paid",
    tags: "",
    currency: "USD",
    presentment_currency: "USD",
    line_items: [{ id: 1, quantity: 2, gift_card: false }],
    total_price_set: {
      shop_money: { amount: version.amount, currency_code: "USD" },
      presentment_money: { amount: version.amount, currency_code: "USD" },
    },
    customer: {
      id: 7000000000001,
      admin_graphql_api_id: "gid://shopify/Customer/7000000000001",
      email: "ana@example.com",
    },
    refunds: [],
  };
}

const FIRST = orderBody({ amount: "100.00", updatedAt: "2026-03-06T09:00:00Z" });
const SECOND = orderBody({ amount: "250.00", updatedAt: "2026-03-06T09:05:00Z" });

/** A delivery signed as Shopify signs it: the HMAC covers the body only, never the headers. */
function delivery(topic: string, body: unknown, webhookId: string): Request {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new Request("https://hub.example.com/webhooks/acme", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": SHOP,
      "X-Shopify-Hmac-Sha256": hmacSha256(CLIENT_SECRET, text, "base64"),
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-Event-Id": `event-${webhookId}`,
      "X-Shopify-Triggered-At": "2026-03-06T09:05:00.000Z",
    },
    body: text,
  });
}

async function storedAmount(db: PrismaClient): Promise<string | undefined> {
  const order = await db.interaction.findUnique({
    where: { source_externalId: { source: "acme", externalId: ORDER_GID } },
  });
  return order?.amount?.toFixed(2);
}

describe("a Shopify order under replay", () => {
  test("a captured orders/create re-sent under a new X-Shopify-Webhook-Id is a duplicate, and the newer amount stays", async ({
    db,
  }) => {
    await installShop(db.prisma);
    expect(
      (await handleWebhook(options(db.prisma), "acme", delivery("orders/create", FIRST, "w-1"))).status,
    ).toBe(200);
    const updated = await handleWebhook(
      options(db.prisma),
      "acme",
      delivery("orders/updated", SECOND, "w-2"),
    );
    expect(await updated.json()).toMatchObject({ updated: 1, skippedStale: 0 });
    expect(await storedAmount(db.prisma)).toBe("250.00");

    const replay = await handleWebhook(
      options(db.prisma),
      "acme",
      delivery("orders/create", FIRST, "w-attacker"),
    );

    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ duplicate: true });
    expect(await storedAmount(db.prisma)).toBe("250.00");
  });

  test("an older version replayed after the hub forgot the delivery is skipped as stale, with a 2xx", async ({
    db,
  }) => {
    await installShop(db.prisma);
    await handleWebhook(options(db.prisma), "acme", delivery("orders/create", FIRST, "w-1"));
    await handleWebhook(options(db.prisma), "acme", delivery("orders/updated", SECOND, "w-2"));
    // Past the retention of delivery keys (7 days): only the order's own version stands in the way.
    await db.prisma.webhookDelivery.deleteMany();

    const replay = await handleWebhook(options(db.prisma), "acme", delivery("orders/create", FIRST, "w-3"));

    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ received: 1, updated: 0, unchanged: 0, skippedStale: 1 });
    expect(await storedAmount(db.prisma)).toBe("250.00");
    const order = await db.prisma.interaction.findFirstOrThrow({ where: { externalId: ORDER_GID } });
    expect(order.sourceUpdatedAt?.toISOString()).toBe("2026-03-06T09:05:00.000Z");
  });

  test("deliveries arriving out of order end with the newer version, whichever comes last", async ({
    db,
  }) => {
    await installShop(db.prisma);
    await handleWebhook(options(db.prisma), "acme", delivery("orders/updated", SECOND, "w-2"));

    const late = await handleWebhook(options(db.prisma), "acme", delivery("orders/create", FIRST, "w-1"));

    expect(await late.json()).toMatchObject({ skippedStale: 1, created: 0 });
    expect(await storedAmount(db.prisma)).toBe("250.00");
  });

  test("a sync page carrying an older version of an order than a webhook brought is skipped as stale", async ({
    db,
  }) => {
    await installShop(db.prisma);
    await handleWebhook(options(db.prisma), "acme", delivery("orders/updated", SECOND, "w-2"));
    // The Admin API still answers with the order as it was at 09:00 (a lagging read).
    const older = cdnowOrder({ line: 1, customerId: "1", day: "2026-03-06", cds: 2, dollars: "100.00" });
    server.use(
      fakeShopifyAdminApi(
        {
          orders: [
            {
              ...older,
              email: "ana@example.com",
              customer: older.customer && {
                ...older.customer,
                defaultEmailAddress: { emailAddress: "ana@example.com" },
              },
              processedAt: "2026-03-06T09:00:00Z",
              createdAt: "2026-03-06T09:00:00Z",
              updatedAt: "2026-03-06T09:00:00Z",
            },
          ],
          customers: [],
        },
        { shopDomain: SHOP, accessToken: TOKEN, bucket: false },
      ),
    );
    const engine = createSyncEngine({
      db: db.prisma,
      plugins,
      secretKey: SECRET_KEY,
      sleep: async (_ms, signal) => signal?.throwIfAborted(),
    });
    try {
      const run = await engine.run({ name: "acme" });
      expect(run).toMatchObject({ status: "SUCCEEDED", recordsSkippedStale: 1, recordsUpdated: 0 });
    } finally {
      await engine.close();
    }
    expect(await storedAmount(db.prisma)).toBe("250.00");
  });
});

describe("a signed Shopify body with the wrong types", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["line_items is a string", { ...SECOND, line_items: "x" }, "line_items"],
    ["refunds is a string", { ...SECOND, refunds: "x" }, "refunds"],
    ["a line item is null", { ...SECOND, line_items: [null] }, "line_items.0"],
  ];
  for (const [name, body, path] of cases) {
    test(`is kept as a dead letter with its path when ${name}, and the provider gets a 2xx`, async ({
      db,
    }) => {
      const connector = await installShop(db.prisma);
      const text = JSON.stringify(body);

      const response = await handleWebhook(
        options(db.prisma),
        "acme",
        delivery("orders/create", text, "w-bad"),
      );

      expect(response.status).toBe(200);
      const answer = await response.json();
      expect(answer).toMatchObject({ received: 0, deadLettered: 1 });
      expect(answer.issues).toEqual([expect.objectContaining({ path })]);
      const letters = await db.prisma.deadLetter.findMany();
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        connectorId: connector.id,
        kind: "WEBHOOK_DELIVERY",
        payload: text,
        status: "PENDING",
        details: { verified: true, issues: [expect.objectContaining({ path })] },
      });
      expect(letters[0]?.reason).toContain(
        `The orders/create webhook body is not in the documented format: ${path}:`,
      );
      expect(await db.prisma.interaction.count()).toBe(0);
    });
  }
});

describe("a survey answer under replay", () => {
  test("an older copy of a rated ticket leaves both the ticket and its answer as they are, counted stale", async ({
    db,
  }) => {
    await installTemplate(db.prisma);
    const options = {
      db: db.prisma,
      plugins: templatePlugins,
      secretKey: SECRET_KEY,
      writes: writesAt("2026-03-05T08:31:00Z"),
    };
    const base = fixture("webhook-ticket-updated.json") as { ticket: Record<string, unknown> };
    const rated = (score: number, updatedAt: string, sentAt: string) => ({
      ...base,
      sent_at: sentAt,
      ticket: {
        ...base.ticket,
        status: "solved",
        updated_at: updatedAt,
        satisfaction: { score, comment: null, rated_at: "2026-03-05T08:10:00Z" },
      },
    });
    await handleWebhook(
      options,
      "tinydesk",
      tinyDeskDelivery(rated(2, "2026-03-05T08:10:00Z", "2026-03-05T08:30:00Z")),
    );
    // The customer changed their rating: Tiny Desk's version of the ticket moved on.
    await handleWebhook(
      options,
      "tinydesk",
      tinyDeskDelivery(rated(5, "2026-03-05T08:20:00Z", "2026-03-05T08:30:30Z")),
    );
    await db.prisma.webhookDelivery.deleteMany();

    const replay = await handleWebhook(
      options,
      "tinydesk",
      tinyDeskDelivery(rated(2, "2026-03-05T08:10:00Z", "2026-03-05T08:30:00Z")),
    );

    expect(await replay.json()).toMatchObject({ skippedStale: 2, updated: 0 });
    const answer = await db.prisma.feedback.findFirstOrThrow();
    expect(answer).toMatchObject({ score: 5 });
    expect(answer.sourceUpdatedAt?.toISOString()).toBe("2026-03-05T08:20:00.000Z");
  });
});

describe("a Shopify customer under replay", () => {
  /** The customer as Shopify's REST customers/* webhooks write it (the documented Customer payload). */
  function customerBody(version: {
    firstName: string;
    state: string;
    updatedAt: string;
    email?: string;
    id?: number;
  }) {
    const id = version.id ?? 7000000000001;
    return {
      id,
      admin_graphql_api_id: `gid://shopify/Customer/${id}`,
      email: version.email ?? "ana@example.com",
      phone: null,
      first_name: version.firstName,
      last_name: "Lima",
      state: version.state,
      created_at: "2026-03-06T09:00:00Z",
      updated_at: version.updatedAt,
    };
  }
  const CREATED = customerBody({ firstName: "Ana", state: "invited", updatedAt: "2026-03-06T09:00:00Z" });
  const RENAMED = customerBody({ firstName: "Anna", state: "enabled", updatedAt: "2026-03-06T09:05:00Z" });

  async function storedProfile(db: PrismaClient) {
    const shopId = await db.identity.findFirstOrThrow({
      where: { kind: "SHOP_CUSTOMER_ID", value: "7000000000001" },
      include: { customer: true },
    });
    const { displayName, traits } = shopId.customer;
    return { displayName, state: (traits as { shopifyState?: string }).shopifyState };
  }

  test("an older customers/update replayed after a newer one is skipped as stale: the newer name and traits stay", async ({
    db,
  }) => {
    await installShop(db.prisma);
    await handleWebhook(options(db.prisma), "acme", delivery("customers/create", CREATED, "c-1"));
    const renamed = await handleWebhook(
      options(db.prisma),
      "acme",
      delivery("customers/update", RENAMED, "c-2"),
    );
    expect(await renamed.json()).toMatchObject({ updated: 1, skippedStale: 0 });
    // Past the retention of delivery keys: only the customer's own version stands in the way.
    await db.prisma.webhookDelivery.deleteMany();

    const replay = await handleWebhook(
      options(db.prisma),
      "acme",
      delivery("customers/update", CREATED, "c-attacker"),
    );

    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ received: 1, updated: 0, unchanged: 0, skippedStale: 1 });
    expect(await storedProfile(db.prisma)).toEqual({ displayName: "Anna Lima", state: "enabled" });
  });

  test("customer deliveries arriving out of order end with the newer profile", async ({ db }) => {
    await installShop(db.prisma);
    await handleWebhook(options(db.prisma), "acme", delivery("customers/update", RENAMED, "c-2"));

    const late = await handleWebhook(
      options(db.prisma),
      "acme",
      delivery("customers/create", CREATED, "c-1"),
    );

    expect(await late.json()).toMatchObject({ skippedStale: 1 });
    expect(await storedProfile(db.prisma)).toEqual({ displayName: "Anna Lima", state: "enabled" });
  });

  /** Ana's later version, after she changed her email at the shop: ana@example.com is no longer hers. */
  const NEW_EMAIL = customerBody({
    firstName: "Anna",
    state: "enabled",
    updatedAt: "2026-03-06T09:05:00Z",
    email: "anna.lima@example.net",
  });

  async function customersWithEmail(db: PrismaClient, email: string): Promise<string[]> {
    const rows = await db.identity.findMany({
      where: { kind: "EMAIL", value: email },
      select: { customerId: true },
    });
    return rows.map((row) => row.customerId);
  }

  test("an older copy carrying an email the customer has since changed attaches nothing: the old email stays unknown", async ({
    db,
  }) => {
    await installShop(db.prisma);
    await handleWebhook(options(db.prisma), "acme", delivery("customers/update", NEW_EMAIL, "c-2"));

    const replay = await handleWebhook(
      options(db.prisma),
      "acme",
      delivery("customers/create", CREATED, "c-attacker"),
    );

    expect(await replay.json()).toMatchObject({ received: 1, created: 0, updated: 0, skippedStale: 1 });
    expect(await customersWithEmail(db.prisma, "ana@example.com")).toEqual([]);
    expect(await customersWithEmail(db.prisma, "anna.lima@example.net")).toHaveLength(1);
    expect(await storedProfile(db.prisma)).toEqual({ displayName: "Anna Lima", state: "enabled" });
  });

  test("an older copy carrying an email that another customer holds now merges nobody", async ({ db }) => {
    await installShop(db.prisma);
    await handleWebhook(options(db.prisma), "acme", delivery("customers/update", NEW_EMAIL, "c-2"));
    // The shop gave the freed address to another customer.
    const bruno = customerBody({
      id: 7000000000002,
      firstName: "Bruno",
      state: "enabled",
      updatedAt: "2026-03-06T09:07:00Z",
      email: "ana@example.com",
    });
    await handleWebhook(options(db.prisma), "acme", delivery("customers/create", bruno, "c-3"));
    const [brunoId] = await customersWithEmail(db.prisma, "ana@example.com");

    const replay = await handleWebhook(
      options(db.prisma),
      "acme",
      delivery("customers/update", CREATED, "c-attacker"),
    );

    expect(await replay.json()).toMatchObject({ received: 1, updated: 0, skippedStale: 1 });
    expect(await db.prisma.customerMerge.count()).toBe(0);
    expect(await db.prisma.customer.count({ where: { mergedIntoId: null } })).toBe(2);
    expect(await customersWithEmail(db.prisma, "ana@example.com")).toEqual([brunoId]);
    expect(await storedProfile(db.prisma)).toEqual({ displayName: "Anna Lima", state: "enabled" });
  });

  test("a newer version with the same fields is unchanged, and moves the stored version forward", async ({
    db,
  }) => {
    await installShop(db.prisma);
    await handleWebhook(options(db.prisma), "acme", delivery("customers/create", CREATED, "c-1"));
    const touched = { ...CREATED, updated_at: "2026-03-06T09:10:00Z" };

    const again = await handleWebhook(
      options(db.prisma),
      "acme",
      delivery("customers/update", touched, "c-3"),
    );

    expect(await again.json()).toMatchObject({ unchanged: 1, skippedStale: 0 });
    const customer = await db.prisma.customer.findFirstOrThrow({ where: { mergedIntoId: null } });
    expect(customer.profileVersions).toEqual({ acme: "2026-03-06T09:10:00.000Z" });
  });
});
