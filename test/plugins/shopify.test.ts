// The Shopify connector against msw handlers that answer like the GraphQL Admin API (cost extensions,
// THROTTLED errors, cursor pages, the access-token header) and with Shopify's documented webhook bodies
// (plugins/shopify/fixtures), through the SDK's test kit.
import { readFileSync } from "node:fs";
import { HttpError } from "cx-hub/sdk";
import {
  expectAcceptance,
  runCheck,
  runStream,
  runWebhook,
  signedRequest,
  webhookRequest,
} from "cx-hub/sdk/testing";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import shopify from "../../plugins/shopify/index.ts";
import { fakeShopifyAdminApi } from "./helpers/fake-shopify-admin-api.ts";

const fixtureText = (name: string) =>
  readFileSync(new URL(`../../plugins/shopify/fixtures/${name}`, import.meta.url), "utf8");
const fixture = (name: string) => JSON.parse(fixtureText(name));

const SHOP = "acme.myshopify.com";
const ENDPOINT = `https://${SHOP}/admin/api/2026-07/graphql.json`;
const TOKEN = "shpat_0123456789abcdef0123456789abcdef";
const CLIENT_SECRET = "shpss_0123456789abcdef0123456789abcdef";
const config = { shopDomain: "Acme.myshopify.com", accessToken: TOKEN, clientSecret: CLIENT_SECRET };

const customersPage1 = fixture("graphql-customers-page-1.json");
const customersPage2 = fixture("graphql-customers-page-2.json");
const ordersPage1 = fixture("graphql-orders-page-1.json");
const ordersPage2 = fixture("graphql-orders-page-2.json");

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface SeenQuery {
  operation: string;
  variables: Record<string, unknown>;
}

type Answer = (operation: string, variables: Record<string, unknown>, call: number) => unknown;

/**
 * The GraphQL Admin API endpoint: refuses a missing or wrong access token as Shopify does (401 with its
 * REST-style error string), records each operation and its variables, and answers with `answer`
 * (a JSON body, or a Response for statuses other than 200).
 */
function adminApi(answer: Answer, seen: SeenQuery[] = []) {
  let call = 0;
  return http.post(ENDPOINT, async ({ request }) => {
    if (request.headers.get("x-shopify-access-token") !== TOKEN) {
      return HttpResponse.json(
        { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" },
        { status: 401 },
      );
    }
    if (!request.headers.get("content-type")?.includes("application/json")) {
      return HttpResponse.json({ errors: "Unsupported content type" }, { status: 415 });
    }
    const body = (await request.json()) as { query: string; variables?: Record<string, unknown> };
    const operation = /^query (\w+)/.exec(body.query)?.[1] ?? "?";
    const variables = body.variables ?? {};
    seen.push({ operation, variables });
    const answered = answer(operation, variables, call++);
    return answered instanceof Response ? answered : HttpResponse.json(answered as Record<string, unknown>);
  });
}

/** Pages as Shopify serves them: `after` must be the previous page's endCursor, `first` the page size. */
function pages(
  operation: string,
  first: number,
  list: { data: Record<string, { pageInfo: { endCursor: string } }> }[],
) {
  return (op: string, variables: Record<string, unknown>) => {
    if (op !== operation || variables.first !== first) {
      return { errors: [{ message: `unexpected ${op} with first=${String(variables.first)}` }] };
    }
    const index =
      variables.after === null
        ? 0
        : list.findIndex((_page, i) => i > 0 && prevCursor(list, i) === variables.after);
    return list[index] ?? { errors: [{ message: "Invalid cursor for current pagination." }] };
  };
}
const prevCursor = (list: { data: Record<string, { pageInfo: { endCursor: string } }> }[], index: number) =>
  Object.values(list[index - 1]?.data ?? {})[0]?.pageInfo.endCursor;

const kinds = (records: { type: string; kind?: string }[]) => records.map((r) => r.kind ?? r.type);

describe("the Shopify connector's streams", () => {
  test("pass the SDK's acceptance checks on a shop holding the fixtures' customers and orders", async () => {
    const shop = {
      customers: [...customersPage1.data.customers.nodes, ...customersPage2.data.customers.nodes],
      orders: [...ordersPage1.data.orders.nodes, ...ordersPage2.data.orders.nodes],
    };
    server.use(fakeShopifyAdminApi(shop, { shopDomain: SHOP, accessToken: TOKEN, bucket: false }));
    await expectAcceptance(shopify, { config });
  });
});

describe("the Shopify customers stream", () => {
  test("a full sync reads every page, oldest change first, and checkpoints after each one", async () => {
    const seen: SeenQuery[] = [];
    server.use(adminApi(pages("CxHubCustomers", 100, [customersPage1, customersPage2]), seen));

    const run = await runStream(shopify, "customers", { config });

    expect(run.invalid).toEqual([]);
    expect(seen).toEqual([
      { operation: "CxHubCustomers", variables: { first: 100, after: null, query: null } },
      {
        operation: "CxHubCustomers",
        variables: { first: 100, after: customersPage1.data.customers.pageInfo.endCursor, query: null },
      },
    ]);
    expect(run.outputs.map((output) => output.type)).toEqual([
      "customer",
      "customer",
      "checkpoint",
      "customer",
      "customer",
      "checkpoint",
    ]);
    expect(run.records).toHaveLength(4);
    expect(run.records[0]).toEqual({
      type: "customer",
      identities: [
        { kind: "shop_customer_id", namespace: SHOP, value: "7203150045283" },
        { kind: "email", namespace: "", value: "ana.souza@example.com" },
        { kind: "phone", namespace: "", value: "+351912345678" },
      ],
      displayName: "Ana Souza",
      traits: {
        shopifyCustomerId: "7203150045283",
        shopifyState: "enabled",
        shopifyTags: ["newsletter", "vip"],
      },
      sourceUpdatedAt: new Date("2026-03-01T08:00:00Z"),
    });
    expect(run.records[3]).toMatchObject({
      displayName: "Sam",
      identities: [
        { kind: "shop_customer_id", value: "7203150110819" },
        { kind: "email", value: "sam@example.net" },
        { kind: "phone", value: "+14155550123" },
      ],
    });
    // Li Wei (end of page 1) and Bob Biller (start of page 2) were both updated at 10:30:00.
    expect(run.checkpoints).toEqual([
      { updatedAt: "2026-03-02T10:30:00Z", seenIds: ["gid://shopify/Customer/7203150078051"] },
      { updatedAt: "2026-03-04T12:45:00Z", seenIds: ["gid://shopify/Customer/7203150110819"] },
    ]);
  });

  test("resuming from a checkpoint that ends on a tie asks for that second again and skips what it had", async () => {
    const seen: SeenQuery[] = [];
    server.use(
      adminApi((operation, variables) => {
        // Shopify's answer to updated_at:>='2026-03-02T10:30:00Z': Li Wei (seen), Bob Biller (same second), Sam.
        if (variables.query === "updated_at:>='2026-03-02T10:30:00Z'" && variables.after === null) {
          return fixture("graphql-customers-since.json");
        }
        return { errors: [{ message: `unexpected ${operation} ${JSON.stringify(variables)}` }] };
      }, seen),
    );

    const run = await runStream(shopify, "customers", {
      config,
      cursor: { updatedAt: "2026-03-02T10:30:00Z", seenIds: ["gid://shopify/Customer/7203150078051"] },
    });

    expect(seen.map((query) => query.variables.query)).toEqual(["updated_at:>='2026-03-02T10:30:00Z'"]);
    expect(run.invalid).toEqual([]);
    expect(run.records.map((r) => (r.type === "customer" ? r.identities[0]?.value : r.type))).toEqual([
      "706405506930370084",
      "7203150110819",
    ]);
    expect(run.checkpoints).toEqual([
      { updatedAt: "2026-03-04T12:45:00Z", seenIds: ["gid://shopify/Customer/7203150110819"] },
    ]);
  });

  test("refuses a stored cursor of another shape instead of misreading it", async () => {
    server.use(adminApi(pages("CxHubCustomers", 100, [customersPage1, customersPage2])));
    await expect(
      runStream(shopify, "customers", { config, cursor: { updatedSince: "2026-03-02T10:30:00Z" } }),
    ).rejects.toThrow(/stored checkpoint of stream "customers" of plugin .*Reset the stream's checkpoint/);
  });
});

describe("the Shopify orders stream", () => {
  test("a full sync yields every order placed, refunded and cancelled, with exact amounts", async () => {
    const seen: SeenQuery[] = [];
    server.use(adminApi(pages("CxHubOrders", 50, [ordersPage1, ordersPage2]), seen));

    const run = await runStream(shopify, "orders", { config });

    expect(run.invalid).toEqual([]);
    expect(seen.map((query) => [query.variables.first, query.variables.query])).toEqual([
      [50, null],
      [50, null],
    ]);
    expect(kinds(run.outputs as { type: string; kind?: string }[])).toEqual([
      "order.placed",
      "order.placed",
      "order.refunded",
      "checkpoint",
      "order.placed",
      "order.placed",
      "order.cancelled",
      "order.refunded",
      "checkpoint",
    ]);
    expect(run.records).toHaveLength(7);
    expect(run.records[1]).toEqual({
      type: "interaction",
      externalId: "gid://shopify/Order/5873402544230",
      identities: [{ kind: "email", namespace: "", value: "guest.buyer@example.com" }],
      channel: "ecommerce",
      kind: "order.placed",
      direction: "inbound",
      occurredAt: new Date("2021-12-27T08:15:00Z"),
      sourceUpdatedAt: new Date("2021-12-29T16:20:00Z"),
      summary: "Order #1002 — 1 item",
      amount: { amount: "19.00", currency: "USD" },
      conversationId: "gid://shopify/Order/5873402544230",
      metadata: { orderName: "#1002", financialStatus: "partially_refunded", test: false, tags: ["gift"] },
    });
    expect(run.records[2]).toEqual({
      type: "interaction",
      externalId: "gid://shopify/Refund/938204851302",
      identities: [{ kind: "email", namespace: "", value: "guest.buyer@example.com" }],
      channel: "ecommerce",
      kind: "order.refunded",
      direction: "outbound",
      occurredAt: new Date("2021-12-29T16:20:00Z"),
      sourceUpdatedAt: new Date("2021-12-29T16:20:00Z"),
      summary: "Refund on order #1002",
      amount: { amount: "5.50", currency: "USD" },
      conversationId: "gid://shopify/Order/5873402544230",
      metadata: {
        orderId: "gid://shopify/Order/5873402544230",
        orderName: "#1002",
        note: "Damaged in transit",
      },
    });
    expect(run.records[0]).toMatchObject({
      summary: "Order #1001 — 2 items",
      amount: { amount: "59.90", currency: "USD" },
      identities: [
        { kind: "shop_customer_id", namespace: SHOP, value: "7203150045283" },
        { kind: "email", value: "ana.souza@example.com" },
      ],
    });
    expect(run.records[5]).toEqual({
      type: "interaction",
      externalId: "gid://shopify/Order/820982911946154508:cancelled",
      identities: [
        { kind: "shop_customer_id", namespace: SHOP, value: "115310627314723954" },
        { kind: "email", namespace: "", value: "jon@example.com" },
        { kind: "email", namespace: "", value: "john@example.com" },
      ],
      channel: "ecommerce",
      kind: "order.cancelled",
      direction: "inbound",
      occurredAt: new Date("2022-01-01T00:00:00Z"),
      sourceUpdatedAt: new Date("2022-01-01T00:00:00Z"),
      summary: "Order #9999 cancelled (customer)",
      conversationId: "gid://shopify/Order/820982911946154508",
      metadata: {
        orderId: "gid://shopify/Order/820982911946154508",
        orderName: "#9999",
        cancelReason: "customer",
      },
    });
    expect(run.checkpoints).toEqual([
      { updatedAt: "2021-12-29T16:20:00Z", seenIds: ["gid://shopify/Order/5873402544230"] },
      { updatedAt: "2022-01-01T00:00:00Z", seenIds: ["gid://shopify/Order/820982911946154508"] },
    ]);
  });

  test("an incremental sync asks only for orders changed since the cursor and repeats none", async () => {
    const seen: SeenQuery[] = [];
    server.use(
      adminApi(
        (operation, variables) =>
          operation === "CxHubOrders" && variables.query === "updated_at:>='2021-12-30T09:00:00Z'"
            ? ordersPage2
            : { errors: [{ message: `unexpected ${JSON.stringify(variables)}` }] },
        seen,
      ),
    );

    const run = await runStream(shopify, "orders", {
      config,
      cursor: { updatedAt: "2021-12-30T09:00:00Z", seenIds: ["gid://shopify/Order/5873402577001"] },
    });

    expect(seen).toEqual([
      {
        operation: "CxHubOrders",
        variables: { first: 50, after: null, query: "updated_at:>='2021-12-30T09:00:00Z'" },
      },
    ]);
    // #1003 came back (it shares the boundary second) and was skipped: only #9999's records remain.
    expect(run.records.map((r) => (r.type === "interaction" ? r.externalId : r.type))).toEqual([
      "gid://shopify/Order/820982911946154508",
      "gid://shopify/Order/820982911946154508:cancelled",
      "gid://shopify/Refund/890088186047892319",
    ]);
    expect(run.checkpoints).toEqual([
      { updatedAt: "2022-01-01T00:00:00Z", seenIds: ["gid://shopify/Order/820982911946154508"] },
    ]);
  });

  test("waits out a THROTTLED answer for as long as the cost budget needs, then retries", async () => {
    let calls = 0;
    server.use(
      adminApi(() => {
        calls++;
        return calls === 1 ? fixture("graphql-throttled.json") : ordersPage2;
      }),
    );

    const run = await runStream(shopify, "orders", { config });

    expect(calls).toBe(2);
    // (requestedQueryCost 302 − currentlyAvailable 92) / restoreRate 100 = 2.1 s
    expect(run.waits).toHaveLength(1);
    expect(run.waits[0]).toMatchObject({ ms: 2100, attempt: 1 });
    expect(run.waits[0]?.reason).toMatch(/^throttled \(query cost 302, 92 of 2000 points available/);
    expect(run.records).toHaveLength(4);
  });

  test("pauses before the next page when the budget left is below the query's cost", async () => {
    const lowBudget = structuredClone(ordersPage1);
    lowBudget.extensions.cost.throttleStatus.currentlyAvailable = 50;
    server.use(adminApi(pages("CxHubOrders", 50, [lowBudget, ordersPage2])));

    // A clock that stands still, so that the pause is the whole reckoning, not what is left of it.
    const run = await runStream(shopify, "orders", { config, now: () => Date.parse("2026-03-06T09:00:00Z") });

    // (302 − 50) / 100 = 2.52 s before page 2, and no retry: page 1 was good.
    expect(run.waits.map((wait) => [wait.ms, wait.attempt])).toEqual([[2520, 1]]);
    expect(run.records).toHaveLength(7);
  });

  test("retries a 429 after its Retry-After and a 502 after a backoff, and gives up clearly", async () => {
    let calls = 0;
    server.use(
      adminApi(() => {
        calls++;
        if (calls === 1) return new HttpResponse(null, { status: 429, headers: { "Retry-After": "4" } });
        if (calls === 2) return new HttpResponse("Bad Gateway", { status: 502 });
        return ordersPage2;
      }),
    );
    const run = await runStream(shopify, "orders", { config });
    expect(calls).toBe(3);
    expect(run.waits.map((wait) => wait.reason)).toEqual(["429 Too Many Requests", "502 Bad Gateway"]);
    expect(run.waits[0]?.ms).toBe(4000);
    expect(run.records).toHaveLength(4);

    server.use(adminApi(() => new HttpResponse("Bad Gateway", { status: 502 })));
    const failure = await runStream(shopify, "orders", { config, http: { maxAttempts: 2 } }).catch((e) => e);
    expect(failure).toBeInstanceOf(HttpError);
    expect(failure).toMatchObject({ status: 502, attempts: 2 });
  });

  test("reports a malformed order as invalid, with the issue, and keeps the rest of the page", async () => {
    const broken = structuredClone(ordersPage2);
    broken.data.orders.nodes[0].totalPriceSet.shopMoney.currencyCode = "ZZZ";
    const missing = structuredClone(ordersPage1);
    delete missing.data.orders.nodes[0].totalPriceSet;
    server.use(adminApi(pages("CxHubOrders", 50, [missing, broken])));

    const run = await runStream(shopify, "orders", { config });

    expect(
      run.invalid.map((item) => [(item.payload as { externalId: string }).externalId, item.issues]),
    ).toEqual([
      [
        "gid://shopify/Order/5873402511462",
        [
          {
            path: "amount.amount",
            message:
              'An amount is a decimal string with at most 15 digits before the point and 4 after, such as "19.99".',
          },
          { path: "amount.currency", message: "A currency is an ISO 4217 code, such as EUR or USD." },
        ],
      ],
      [
        "gid://shopify/Order/5873402577001",
        [{ path: "amount.currency", message: "A currency is an ISO 4217 code, such as EUR or USD." }],
      ],
    ]);
    expect(run.records).toHaveLength(5);
    expect(run.checkpoints).toHaveLength(2);
  });
});

describe("the Shopify check", () => {
  test("names the shop, or says what is wrong with the token", async () => {
    const seen: SeenQuery[] = [];
    server.use(
      adminApi(
        (operation) => (operation === "CxHubShop" ? fixture("graphql-shop.json") : { errors: [] }),
        seen,
      ),
    );
    expect(await runCheck(shopify, { config })).toEqual({
      ok: true,
      message: "Connected to the Shopify shop Acme Kitchen (acme.myshopify.com).",
    });
    expect(seen).toEqual([{ operation: "CxHubShop", variables: {} }]);

    const refused = await runCheck(shopify, {
      config: { ...config, accessToken: "shpat_revoked_0000000000" },
    });
    expect(refused).toEqual({
      ok: false,
      message:
        "Shopify refused the Admin API access token (401): paste the app's current Admin API access token (shpat_…), not its API key or client secret.",
    });

    server.use(adminApi(() => HttpResponse.json({ errors: "Forbidden" }, { status: 403 })));
    expect(await runCheck(shopify, { config })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/403.*read_orders/),
    });
  });

  test("refuses a shop domain that is not a myshopify.com domain", async () => {
    await expect(runCheck(shopify, { config: { ...config, shopDomain: "shop.acme.com" } })).rejects.toThrow(
      /shopDomain: Give the shop's permanent myshopify.com domain/,
    );
  });
});

describe("the Shopify webhooks", () => {
  const delivery = (topic: string, body: string, options: { secret?: string; shop?: string } = {}) =>
    signedRequest({
      body,
      secret: options.secret ?? CLIENT_SECRET,
      header: "X-Shopify-Hmac-Sha256",
      encoding: "base64",
      url: "https://hub.example.com/webhooks/shopify",
      headers: {
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": options.shop ?? SHOP,
        "X-Shopify-API-Version": "2026-07",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-Triggered-At": "2026-03-06T09:00:00.000000Z",
        "X-Shopify-Event-Id": "7b8c9d0a-1234-5678-90ab-cdef12345678",
      },
    });

  async function syncedOrderRecords(orderGid: string) {
    server.use(adminApi(pages("CxHubOrders", 50, [ordersPage1, ordersPage2])));
    const run = await runStream(shopify, "orders", { config });
    return run.records.filter((r) => r.type === "interaction" && r.conversationId === orderGid);
  }

  test("orders/create, correctly signed, gives the records a sync of that order gives", async () => {
    const synced = await syncedOrderRecords("gid://shopify/Order/820982911946154508");

    const run = await runWebhook(
      shopify,
      delivery("orders/create", fixtureText("webhook-orders-create.json")),
      {
        config,
      },
    );

    expect(run.status).toBe(200);
    // X-Shopify-Triggered-At is not signed (and retries keep it): it is not given as the signed time.
    expect(run.verification).toEqual({ valid: true, deliveryId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043" });
    expect(run.invalid).toEqual([]);
    // The documented sample has no refund yet; the synced order has one since.
    expect(run.records).toEqual(
      synced.filter((r) => r.type === "interaction" && r.kind !== "order.refunded"),
    );
    expect(run.records[0]).toEqual({
      type: "interaction",
      externalId: "gid://shopify/Order/820982911946154508",
      identities: [
        { kind: "shop_customer_id", namespace: SHOP, value: "115310627314723954" },
        { kind: "email", namespace: "", value: "jon@example.com" },
        { kind: "email", namespace: "", value: "john@example.com" },
      ],
      channel: "ecommerce",
      kind: "order.placed",
      direction: "inbound",
      occurredAt: new Date("2022-01-01T00:00:00Z"),
      sourceUpdatedAt: new Date("2022-01-01T00:00:00Z"),
      summary: "Order #9999 — 5 items",
      amount: { amount: "404.95", currency: "USD" },
      conversationId: "gid://shopify/Order/820982911946154508",
      metadata: { orderName: "#9999", financialStatus: "voided", test: true, tags: ["tag1", "tag2"] },
    });
  });

  test("refunds/create looks the order up and gives the refund the sync gives", async () => {
    const synced = await syncedOrderRecords("gid://shopify/Order/820982911946154508");
    const seen: SeenQuery[] = [];
    server.use(
      adminApi(
        (operation, variables) =>
          operation === "CxHubOrder" && variables.id === "gid://shopify/Order/820982911946154508"
            ? fixture("graphql-order.json")
            : { data: { order: null } },
        seen,
      ),
    );

    const run = await runWebhook(
      shopify,
      delivery("refunds/create", fixtureText("webhook-refunds-create.json")),
      {
        config,
      },
    );

    expect(seen.map((query) => query.variables)).toEqual([{ id: "gid://shopify/Order/820982911946154508" }]);
    expect(run.status).toBe(200);
    expect(run.records).toEqual(
      synced.filter((r) => r.type === "interaction" && r.kind === "order.refunded"),
    );
    expect(run.records[0]).toMatchObject({
      externalId: "gid://shopify/Refund/890088186047892319",
      amount: { amount: "85.00", currency: "USD" },
      direction: "outbound",
    });
  });

  test("refunds/create reads the refund from its body when the order does not list it yet", async () => {
    const synced = await syncedOrderRecords("gid://shopify/Order/820982911946154508");
    const before = structuredClone(fixture("graphql-order.json"));
    before.data.order.refunds = [];
    server.use(adminApi(() => before));

    // A declined attempt beside the documented transactions: it refunded nothing.
    const body = fixtureText("webhook-refunds-create.json").replace(
      '"transactions": [',
      '"transactions": [{"id": 245135271310201999, "kind": "refund", "status": "failure", "amount": "999.00", "currency": null},',
    );
    const run = await runWebhook(shopify, delivery("refunds/create", body), { config });

    // 75.00 + 10.00 from the two successful refund transactions, in the shop's currency (USD).
    expect(run.records).toEqual(
      synced.filter((r) => r.type === "interaction" && r.kind === "order.refunded"),
    );
  });

  test("refuses a delivery signed with another secret, changed after signing, or without a secret", async () => {
    const body = fixtureText("webhook-orders-create.json");
    const wrong = await runWebhook(
      shopify,
      delivery("orders/create", body, { secret: "shpss_someone_else_00" }),
      {
        config,
      },
    );
    expect(wrong).toMatchObject({ status: 401, records: [] });
    expect(wrong.verification).toEqual({
      valid: false,
      reason: "the X-Shopify-Hmac-Sha256 does not match the body signed with the client secret",
    });

    const tampered = delivery("orders/create", body);
    tampered.rawBody = new TextEncoder().encode(body.replace('"404.95"', '"4.95"'));
    expect((await runWebhook(shopify, tampered, { config })).status).toBe(401);

    const unsigned = webhookRequest({ body, headers: { "X-Shopify-Topic": "orders/create" } });
    expect((await runWebhook(shopify, unsigned, { config })).status).toBe(401);

    const noSecret = await runWebhook(shopify, delivery("orders/create", body), {
      config: { shopDomain: SHOP, accessToken: TOKEN },
    });
    expect(noSecret.status).toBe(401);
    expect(noSecret.verification).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/no client secret/),
    });
  });

  test("refuses a signed order whose fields have the wrong types, naming each path, instead of throwing", async () => {
    const order = JSON.parse(fixtureText("webhook-orders-create.json"));
    const cases: Array<[unknown, string[]]> = [
      [{ ...order, line_items: "x" }, ["line_items"]],
      [{ ...order, refunds: "x" }, ["refunds"]],
      [{ ...order, line_items: [null] }, ["line_items.0"]],
      [{ ...order, updated_at: undefined, customer: { email: 7 } }, ["updated_at", "customer.email"]],
    ];
    for (const [body, paths] of cases) {
      const run = await runWebhook(shopify, delivery("orders/create", JSON.stringify(body)), { config });
      expect(run.status).toBe(400);
      expect(run.error).toMatch(/^The orders\/create webhook body is not in the documented format: /);
      expect(run.issues?.map((issue) => issue.path)).toEqual(paths);
    }
  });

  test("answers 400 to a signed body that is not JSON, or that it does not read", async () => {
    const garbled = await runWebhook(shopify, delivery("orders/create", '{"id": 8209829119461545'), {
      config,
    });
    expect(garbled.status).toBe(400);
    expect(garbled.error).toMatch(/^The orders\/create webhook body is not JSON: /);

    const unknown = await runWebhook(shopify, delivery("products/update", "{}"), { config });
    expect(unknown).toMatchObject({
      status: 400,
      error: expect.stringMatching(/products\/update is not one/),
    });

    const otherShop = await runWebhook(
      shopify,
      delivery("orders/create", fixtureText("webhook-orders-create.json"), { shop: "other.myshopify.com" }),
      { config },
    );
    expect(otherShop).toMatchObject({
      status: 400,
      error: expect.stringMatching(/for the shop other.myshopify.com/),
    });
  });

  test("customers/redact becomes an erasure request naming the orders to redact", async () => {
    const run = await runWebhook(
      shopify,
      delivery("customers/redact", fixtureText("webhook-customers-redact.json")),
      {
        config,
      },
    );
    expect(run.invalid).toEqual([]);
    expect(run.records).toEqual([
      {
        type: "privacyRequest",
        action: "erase",
        requestId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        // The documented phone (555-625-1199) has no country code: it cannot name one person, so it is left out.
        identities: [
          { kind: "shop_customer_id", namespace: SHOP, value: "191167" },
          { kind: "email", namespace: "", value: "john@example.com" },
        ],
        externalIds: [
          "gid://shopify/Order/299938",
          "gid://shopify/Order/280263",
          "gid://shopify/Order/220458",
        ],
        requestedAt: new Date("2026-03-06T09:00:00Z"),
      },
    ]);
  });

  test("customers/data_request becomes an export request with Shopify's request id", async () => {
    const run = await runWebhook(
      shopify,
      delivery("customers/data_request", fixtureText("webhook-customers-data-request.json")),
      { config },
    );
    expect(run.records).toEqual([
      {
        type: "privacyRequest",
        action: "export",
        requestId: "9999",
        identities: [
          { kind: "shop_customer_id", namespace: SHOP, value: "191167" },
          { kind: "email", namespace: "", value: "john@example.com" },
        ],
        externalIds: [
          "gid://shopify/Order/299938",
          "gid://shopify/Order/280263",
          "gid://shopify/Order/220458",
        ],
        requestedAt: new Date("2026-03-06T09:00:00Z"),
      },
    ]);
  });

  test("shop/redact is refused with what to do, as the hub has no record for erasing a whole shop", async () => {
    const run = await runWebhook(shopify, delivery("shop/redact", fixtureText("webhook-shop-redact.json")), {
      config,
    });
    expect(run.status).toBe(400);
    expect(run.error).toMatch(/^shop\/redact for acme.myshopify.com: .*delete this connector's data/);
  });

  test("customers/delete and orders/delete become deletions, with the exact 64-bit ids", async () => {
    const customer = await runWebhook(
      shopify,
      delivery("customers/delete", fixtureText("webhook-customers-delete.json")),
      { config },
    );
    expect(customer.records).toEqual([
      {
        type: "deletion",
        entity: "customer",
        identities: [{ kind: "shop_customer_id", namespace: SHOP, value: "706405506930370084" }],
        deletedAt: new Date("2026-03-06T09:00:00Z"),
        reason: "customers/delete",
      },
    ]);

    // The body is only {"id": 820982911946154508}: read as a double, it would be …154500.
    const order = await runWebhook(
      shopify,
      delivery("orders/delete", fixtureText("webhook-orders-delete.json")),
      {
        config,
      },
    );
    expect(order.records.map((r) => (r.type === "deletion" ? [r.entity, r.externalId] : r.type))).toEqual([
      ["interaction", "gid://shopify/Order/820982911946154508"],
      ["interaction", "gid://shopify/Order/820982911946154508:cancelled"],
    ]);
  });

  test("customers/create gives the customer a sync gives, less the tags the REST payload does not carry", async () => {
    server.use(adminApi(pages("CxHubCustomers", 100, [customersPage1, customersPage2])));
    const synced = (await runStream(shopify, "customers", { config })).records.find(
      (r) => r.type === "customer" && r.identities[0]?.value === "706405506930370084",
    );

    const run = await runWebhook(
      shopify,
      delivery("customers/create", fixtureText("webhook-customers-create.json")),
      {
        config,
      },
    );

    expect(run.records).toEqual([
      {
        type: "customer",
        identities: [
          { kind: "shop_customer_id", namespace: SHOP, value: "706405506930370084" },
          { kind: "email", namespace: "", value: "bob@biller.com" },
        ],
        displayName: "Bob Biller",
        traits: { shopifyCustomerId: "706405506930370084", shopifyState: "disabled" },
        // The customer's own version, as the documented payload writes it.
        sourceUpdatedAt: new Date("2022-01-01T00:00:00.000Z"),
      },
    ]);
    expect(synced).toEqual({
      ...run.records[0],
      traits: {
        shopifyCustomerId: "706405506930370084",
        shopifyState: "disabled",
        shopifyTags: ["wholesale"],
      },
      sourceUpdatedAt: new Date("2026-03-02T10:30:00Z"),
    });
  });
});
