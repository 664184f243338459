// The test kit's acceptance checks, on a small fake provider served by msw: a healthy plugin passes
// every check, and a plugin broken in one way fails that check (and only that one), saying why.
import { checkpoint, defineConnector, identity, record, type StreamContext } from "cx-hub/sdk";
import {
  AcceptanceError,
  type AcceptanceOptions,
  checkAcceptance,
  expectAcceptance,
  signedRequest,
} from "cx-hub/sdk/testing";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";

const API = "https://api.fake-orders.example";

/** Four orders, oldest change first, served two to a page. */
const ORDERS = [
  { id: "o1", email: "ana@example.com", updated_at: "2026-02-01T10:00:00Z" },
  { id: "o2", email: "bo@example.com", updated_at: "2026-02-02T10:00:00Z" },
  { id: "o3", email: "cy@example.com", updated_at: "2026-02-03T10:00:00Z" },
  { id: "o4", email: "di@example.com", updated_at: "2026-02-04T10:00:00Z" },
];
type Order = (typeof ORDERS)[number];
interface OrderPage {
  data: Order[];
  next: string | null;
}

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** GET /orders?since=&page=: the orders changed at or after `since`, two to a page. */
const ordersApi = http.get(`${API}/orders`, ({ request }) => {
  const query = new URL(request.url).searchParams;
  const since = query.get("since") ?? "";
  const changed = ORDERS.filter((order) => order.updated_at >= since);
  const start = Number(query.get("page") ?? "0");
  const data = changed.slice(start, start + 2);
  return HttpResponse.json({ data, next: start + 2 < changed.length ? String(start + 2) : null });
});
beforeEach(() => server.use(ordersApi));

type Ctx = StreamContext<{ token: string }, { since: string }>;

const orderRecord = (order: Order) =>
  record.interaction({
    externalId: `order:${order.id}`,
    identities: [identity.email(order.email), identity.external("fake-orders", order.id)],
    kind: "order.placed",
    direction: "inbound",
    occurredAt: order.updated_at,
  });

function pageUrl(ctx: Ctx, page: string | null): string {
  const url = new URL(`${API}/orders`);
  if (ctx.cursor) url.searchParams.set("since", ctx.cursor.since);
  if (page) url.searchParams.set("page", page);
  return url.toString();
}

/** Reads the orders page by page with `get` (ctx.fetch by default); ends when `get` gives up. */
async function* orderPages(
  ctx: Ctx,
  get: (url: string) => Promise<Response | undefined> = (url) => ctx.fetch(url),
): AsyncGenerator<OrderPage> {
  let page: string | null = null;
  do {
    const response = await get(pageUrl(ctx, page));
    if (!response?.ok) return;
    const body = (await response.json()) as OrderPage;
    yield body;
    page = body.next;
  } while (page);
}

/** Each page's records, then a checkpoint at the page's last change: what a healthy stream yields. */
async function* recordsThenCheckpoint(pages: AsyncGenerator<OrderPage>) {
  for await (const body of pages) {
    for (const order of body.data) yield orderRecord(order);
    const last = body.data.at(-1);
    if (last) yield checkpoint({ since: last.updated_at });
  }
}

async function* healthyRead(ctx: Ctx) {
  yield* recordsThenCheckpoint(orderPages(ctx));
}

function fakeConnector(read: (ctx: Ctx) => AsyncGenerator<unknown>, http?: object) {
  return defineConnector({
    id: "fake-orders",
    name: "Fake Orders",
    channel: "ecommerce",
    version: "1.0.0",
    config: z.object({ token: z.string() }),
    ...(http ? { http } : {}),
    check: () => ({ ok: true }),
    streams: {
      orders: {
        cursor: z.object({ since: z.string() }),
        read: read as (ctx: Ctx) => AsyncGenerator<never>,
      },
    },
    webhooks: {
      verify: (request) => request.headers.get("x-fake-signature") !== null,
      parse: (request) => {
        const body = JSON.parse(new TextDecoder().decode(request.rawBody)) as { order: Order };
        return [orderRecord(body.order)];
      },
    },
  });
}

const options: AcceptanceOptions = { config: { token: "t" } };
const checksFailed = (failures: Array<{ check: string }>) => [...new Set(failures.map((f) => f.check))];

describe("the acceptance checks", () => {
  test("pass a healthy plugin, having resumed from every checkpoint and waited out a 429", async () => {
    const report = await expectAcceptance(fakeConnector(healthyRead), options);
    expect(report.failures).toEqual([]);
    expect(report.streams.orders).toEqual({
      records: 4,
      checkpoints: 2,
      droppedIdentities: 0,
      resumedRuns: 2,
      rateLimitWaitMs: 7000,
    });
  });

  test("validRecords: fail a plugin that yields a record the SDK's schema refuses", async () => {
    const connector = fakeConnector(async function* (ctx) {
      for await (const output of healthyRead(ctx)) {
        yield output.type === "interaction" && output.externalId === "order:o3"
          ? { ...output, occurredAt: "the third of February" }
          : output;
      }
    });
    const report = await checkAcceptance(connector, options);
    expect(checksFailed(report.failures)).toEqual(["validRecords"]);
    expect(report.failures[0]?.message).toMatch(/^the full run, output 3: .*occurredAt/);
    await expect(expectAcceptance(connector, options)).rejects.toThrow(AcceptanceError);
  });

  test("validRecords: pass a record that only loses an invalid identity, as the hub keeps it, and count it", async () => {
    const connector = fakeConnector(async function* (ctx) {
      for await (const output of healthyRead(ctx)) {
        yield output.type === "interaction" && output.externalId === "order:o2"
          ? { ...output, identities: [...output.identities, identity.phone("555-1234")] }
          : output;
      }
    });
    const report = await expectAcceptance(connector, options);
    expect(report.streams.orders?.droppedIdentities).toBe(1);
  });

  test("validRecords: fail a plugin whose webhook yields an invalid record", async () => {
    const delivery = signedRequest({
      body: { order: { ...ORDERS[0], email: "nobody", id: " " } },
      secret: "s",
      header: "X-Fake-Signature",
    });
    const report = await checkAcceptance(fakeConnector(healthyRead), { ...options, webhooks: [delivery] });
    expect(checksFailed(report.failures)).toEqual(["validRecords"]);
    expect(report.failures[0]).toMatchObject({ where: "webhooks" });
  });

  test("checkpointsFollowRecords: fail a plugin that checkpoints a page before yielding its records", async () => {
    const connector = fakeConnector(async function* (ctx) {
      for await (const body of orderPages(ctx)) {
        const last = body.data.at(-1);
        if (last) yield checkpoint({ since: last.updated_at });
        for (const order of body.data) yield orderRecord(order);
      }
    });
    const report = await checkAcceptance(connector, options);
    expect(checksFailed(report.failures)).toEqual(["checkpointsFollowRecords"]);
    // Resumed from the first page's checkpoint (o2's change), o1 (yielded after it) is never read again.
    expect(report.failures[0]?.message).toMatch(
      /resumed from checkpoint \{"since":"2026-02-02T10:00:00Z"\} did not yield 1 record.*interaction order:o1/,
    );
  });

  test("checkpointsFollowRecords: fail a stream that never checkpoints", async () => {
    const connector = fakeConnector(async function* (ctx) {
      for await (const output of healthyRead(ctx)) if (output.type !== "checkpoint") yield output;
    });
    const report = await checkAcceptance(connector, options);
    expect(report.failures).toEqual([
      {
        check: "checkpointsFollowRecords",
        where: "orders",
        message: "the full run yielded no checkpoint: no later run could resume.",
      },
    ]);
  });

  test("incrementalSubset: fail a plugin whose resumed run yields records the full run does not", async () => {
    const connector = fakeConnector(async function* (ctx) {
      yield* healthyRead(ctx);
      if (ctx.cursor) {
        // Invents a record from the cursor: not something the provider has.
        yield orderRecord({
          id: `resumed-${ctx.cursor.since}`,
          email: "ana@example.com",
          updated_at: ctx.cursor.since,
        });
      }
    });
    const report = await checkAcceptance(connector, options);
    expect(checksFailed(report.failures)).toEqual(["incrementalSubset"]);
    expect(report.failures).toHaveLength(2);
    expect(report.failures[0]?.message).toMatch(
      /yielded 1 record\(s\) the full run did not \(first: interaction order:resumed-/,
    );
  });

  test("incrementalSubset: fail a plugin whose checkpoint cannot be resumed from", async () => {
    const connector = fakeConnector(async function* (ctx) {
      for await (const output of healthyRead(ctx)) {
        yield output.type === "checkpoint"
          ? checkpoint({ sinceDate: (output.cursor as { since: string }).since })
          : output;
      }
    });
    const report = await checkAcceptance(connector, options);
    expect(checksFailed(report.failures)).toEqual(["incrementalSubset"]);
    expect(report.failures[0]?.message).toMatch(
      /failed: The stored checkpoint of stream "orders" .* at since/,
    );
  });

  test("rateLimitHonoured: fail a plugin that takes a 429 for the end of the data", async () => {
    const connector = fakeConnector(async function* (ctx) {
      // Takes the 429 for the end of the data.
      yield* recordsThenCheckpoint(
        orderPages(ctx, (url) => ctx.fetch(url, { retry: false }).catch(() => undefined)),
      );
    });
    const report = await checkAcceptance(connector, options);
    expect(checksFailed(report.failures)).toEqual(["rateLimitHonoured"]);
    expect(report.failures.map((f) => f.message)).toEqual([
      `after the 429 to ${API}/orders, the request was never sent again.`,
      "the run with a 429 lost 4 of the full run's 4 record(s) (first: interaction order:o1).",
    ]);
  });

  test("rateLimitHonoured: fail a plugin that gives up on a 429", async () => {
    const report = await checkAcceptance(fakeConnector(healthyRead, { maxAttempts: 1 }), options);
    expect(report.failures).toEqual([
      {
        check: "rateLimitHonoured",
        where: "orders",
        message: `the run failed on the 429 to ${API}/orders: GET ${API}/orders failed after 1 attempt: 429.`,
      },
    ]);
  });

  test("rateLimitHonoured: fail a plugin that retries a 429 at once instead of after its Retry-After", async () => {
    const impatient = {
      rateLimit: (response: Response) => (response.status === 429 ? { retry: true, waitMs: 0 } : undefined),
    };
    const report = await checkAcceptance(fakeConnector(healthyRead, impatient), options);
    expect(report.failures).toEqual([
      {
        check: "rateLimitHonoured",
        where: "orders",
        message: `after the 429 to ${API}/orders, the request was sent again after a wait of 0 ms, not the 7000 ms its Retry-After asked.`,
      },
    ]);
  });

  test("rateLimitHonoured: fail a plugin that fetches around ctx.fetch", async () => {
    const connector = fakeConnector(async function* (ctx) {
      yield* recordsThenCheckpoint(orderPages(ctx, (url) => globalThis.fetch(url)));
    });
    const report = await checkAcceptance(connector, options);
    expect(report.failures).toEqual([
      {
        check: "rateLimitHonoured",
        where: "orders",
        message:
          "the run sent 0 request(s) through ctx.fetch, fewer than the 1 needed to answer one with a 429: send every request with ctx.fetch.",
      },
    ]);
  });

  test("reads a Retry-After date on the injected clock, and throttles the request asked for", async () => {
    const now = Date.parse("2026-02-05T12:00:00Z");
    const report = await expectAcceptance(fakeConnector(healthyRead), {
      ...options,
      now: () => now,
      rateLimitedRequest: 2,
      rateLimited: () =>
        new Response(null, { status: 429, headers: { "Retry-After": "Thu, 05 Feb 2026 12:00:30 GMT" } }),
    });
    expect(report.streams.orders?.rateLimitWaitMs).toBe(30_000);
  });

  test("fail a stream whose full run yields nothing, rather than passing it vacuously", async () => {
    server.use(http.get(`${API}/orders`, () => HttpResponse.json({ data: [], next: null })));
    const report = await checkAcceptance(fakeConnector(healthyRead), options);
    expect(report.failures.map((f) => f.message)).toContain(
      "the full run yielded no valid record: serve the provider's fixtures to it.",
    );
  });
});
