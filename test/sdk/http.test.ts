// The connector fetch's retry rules, against a scripted provider: which answers it retries, how long
// it waits (backoff with full jitter, Retry-After, rate-limit resets, a plugin's throttle hook), when
// it gives up and what it says then, and how timeouts and the run's abort signal stop it.
import { describe, expect, test } from "vitest";
import {
  backoffDelay,
  type CreateFetchOptions,
  createFetch,
  DEFAULT_HTTP_OPTIONS,
  HttpError,
  type PlannedWait,
  realSleep,
} from "../../src/sdk/http.ts";

const NOW = Date.parse("2026-01-01T00:00:00Z");

type Step = Response | Error | ((init: RequestInit) => Promise<Response>);

/** A provider that answers with `steps` in order, and remembers each request. */
function provider(steps: Step[]) {
  const requests: Array<{ url: string; method: string }> = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    requests.push({ url: String(input), method: init.method ?? "GET" });
    const step = steps.shift();
    if (!step) throw new Error("the provider was called more often than scripted");
    if (step instanceof Error) throw step;
    return typeof step === "function" ? step(init) : step;
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

function client(steps: Step[], options: Partial<CreateFetchOptions> = {}) {
  const waits: PlannedWait[] = [];
  const scripted = provider(steps);
  const fetch = createFetch({
    fetch: scripted.fetch,
    sleep: async () => {},
    now: () => NOW,
    random: () => 0.5,
    onWait: (wait) => waits.push(wait),
    ...options,
  });
  return { fetch, waits, requests: scripted.requests };
}

const status = (code: number, headers: Record<string, string> = {}, body: string | null = null) =>
  new Response(body, { status: code, headers });

describe("retries", () => {
  test("waits the seconds a 429's Retry-After gives, then returns the success", async () => {
    const { fetch, waits, requests } = client([status(429, { "Retry-After": "3" }), status(200, {}, "ok")]);
    const response = await fetch("https://api.example.com/orders");
    expect(await response.text()).toBe("ok");
    expect(requests).toHaveLength(2);
    expect(waits.map((w) => w.ms)).toEqual([3000]);
  });

  test("reads a Retry-After written as an HTTP date against the clock", async () => {
    const { fetch, waits } = client([
      status(503, { "Retry-After": "Thu, 01 Jan 2026 00:00:30 GMT" }),
      status(200),
    ]);
    await fetch("https://api.example.com/orders");
    expect(waits.map((w) => w.ms)).toEqual([30_000]);
  });

  test("waits until X's x-rate-limit-reset (epoch seconds) on a 429", async () => {
    const reset = String(NOW / 1000 + 42);
    const { fetch, waits } = client([status(429, { "x-rate-limit-reset": reset }), status(200)]);
    await fetch("https://api.x.com/2/tweets/search/recent");
    expect(waits.map((w) => w.ms)).toEqual([42_000]);
  });

  test("reads RateLimit-Reset as seconds to wait and X-RateLimit-Reset as an epoch time", async () => {
    const delta = client([status(429, { "RateLimit-Reset": "12" }), status(200)]);
    await delta.fetch("https://api.example.com/a");
    const epoch = client([status(429, { "X-RateLimit-Reset": String(NOW / 1000 + 90) }), status(200)]);
    await epoch.fetch("https://api.example.com/b");
    expect([delta.waits[0]?.ms, epoch.waits[0]?.ms]).toEqual([12_000, 90_000]);
  });

  test("backs off exponentially with full jitter below a cap when the provider says nothing", async () => {
    const http = { baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 6 };
    const half = client([status(500), status(502), status(503), status(504), status(500), status(200)], {
      http,
    });
    await half.fetch("https://api.example.com/orders");
    // random() = 0.5: half of each ceiling 100, 200, 400, 800, then the 1000 cap.
    expect(half.waits.map((w) => w.ms)).toEqual([50, 100, 200, 400, 500]);

    const options = { ...DEFAULT_HTTP_OPTIONS, ...http };
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = Math.min(1000, 100 * 2 ** (attempt - 1));
      expect(backoffDelay(attempt, options, () => 0)).toBe(0);
      const highest = backoffDelay(attempt, options, () => 0.999_999);
      expect(highest).toBeLessThan(ceiling);
      expect(highest).toBeGreaterThanOrEqual(ceiling - 1);
    }
  });

  test("retries a network error of a GET", async () => {
    const { fetch, requests } = client([new TypeError("fetch failed"), status(200)]);
    expect((await fetch("https://api.example.com/orders")).status).toBe(200);
    expect(requests).toHaveLength(2);
  });

  test("hands back answers that retrying cannot change, such as 404 and 401, at once", async () => {
    const { fetch, requests } = client([status(404)]);
    expect((await fetch("https://api.example.com/orders/9")).status).toBe(404);
    expect(requests).toHaveLength(1);
  });

  test("does not resend a POST after a 5xx or a network error, unless told it is idempotent", async () => {
    const post = client([status(503)]);
    expect((await post.fetch("https://api.example.com/orders", { method: "POST", body: "{}" })).status).toBe(
      503,
    );
    expect(post.requests).toHaveLength(1);

    const lost = client([new TypeError("fetch failed")]);
    await expect(
      lost.fetch("https://api.example.com/orders", { method: "POST", body: "{}" }),
    ).rejects.toThrow(/not retried, POST is not idempotent/);

    const query = client([status(503), status(200)]);
    const graphql = { method: "POST", body: '{"query":"{ shop { name } }"}', idempotent: true };
    expect((await query.fetch("https://shop.example.com/admin/api/graphql.json", graphql)).status).toBe(200);
    expect(query.requests).toHaveLength(2);
  });

  test("resends a POST refused with 429, which the provider did not process", async () => {
    const { fetch, requests } = client([status(429, { "Retry-After": "1" }), status(201)]);
    expect((await fetch("https://api.example.com/messages", { method: "POST", body: "hi" })).status).toBe(
      201,
    );
    expect(requests.map((r) => r.method)).toEqual(["POST", "POST"]);
  });
});

describe("giving up", () => {
  test("throws an HttpError with the status, the attempts and the URL without its secrets", async () => {
    const { fetch, requests } = client([status(503), status(503), status(503)], { http: { maxAttempts: 3 } });
    const error = await fetch("https://user:pw@api.example.com/orders?api_key=SECRET123&page=2").catch(
      (e) => e,
    );
    expect(requests).toHaveLength(3);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 503, attempts: 3, method: "GET" });
    expect(error.message).toBe(
      "GET https://api.example.com/orders?api_key=***&page=2 failed after 3 attempts: 503.",
    );
    expect(error.message).not.toContain("SECRET123");
    expect(error.message).not.toContain("pw@");
  });

  test("gives up at once when the provider asks to wait longer than maxWaitMs", async () => {
    const { fetch, requests, waits } = client([status(429, { "Retry-After": "3600" })], {
      http: { maxWaitMs: 60_000 },
    });
    await expect(fetch("https://api.example.com/orders")).rejects.toThrow(
      /failed after 1 attempt: 429, and the provider asked to wait 3600 s, more than the 60 s allowed \(maxWaitMs\)/,
    );
    expect(requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  test("retry: false makes one attempt", async () => {
    const { fetch, requests } = client([status(500)]);
    await expect(fetch("https://api.example.com/orders", { retry: false })).rejects.toBeInstanceOf(HttpError);
    expect(requests).toHaveLength(1);
  });
});

describe("timeouts and cancellation", () => {
  /** An answer that never comes: it only ends when the request's signal aborts. */
  const hang = (init: RequestInit) =>
    new Promise<Response>((_resolve, reject) => {
      init.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true });
    });

  test("abandons an attempt after timeoutMs, retries it, and says so when it gives up", async () => {
    const { fetch, requests } = client([hang, hang], { http: { timeoutMs: 20, maxAttempts: 2 } });
    const started = Date.now();
    await expect(fetch("https://api.example.com/slow")).rejects.toThrow(
      "GET https://api.example.com/slow failed after 2 attempts: no answer within 20 ms.",
    );
    expect(requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test("stops waiting as soon as the run is aborted, with the run's reason", async () => {
    const run = new AbortController();
    const { fetch, requests } = client([status(429, { "Retry-After": "600" })], {
      signal: run.signal,
      sleep: realSleep,
    });
    const started = Date.now();
    const pending = fetch("https://api.example.com/orders");
    setTimeout(() => run.abort(new Error("sync cancelled")), 20);
    await expect(pending).rejects.toThrow("sync cancelled");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(requests).toHaveLength(1);
  });

  test("stops an attempt in flight when the run is aborted, without retrying", async () => {
    const run = new AbortController();
    const { fetch, requests } = client([hang, hang], { signal: run.signal });
    const pending = fetch("https://api.example.com/orders");
    setTimeout(() => run.abort(new Error("shutting down")), 10);
    await expect(pending).rejects.toThrow("shutting down");
    expect(requests).toHaveLength(1);
  });
});

describe("provider-specific throttling", () => {
  /** Shopify GraphQL Admin API: 200 with a THROTTLED error and the cost budget in extensions. */
  const throttled = () =>
    Response.json({
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
      extensions: {
        cost: {
          requestedQueryCost: 100,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 20, restoreRate: 100 },
        },
      },
    });

  const shopifyThrottle = async (response: Response) => {
    const body = (await response.clone().json()) as {
      errors?: Array<{ extensions?: { code?: string } }>;
      extensions?: {
        cost?: {
          requestedQueryCost: number;
          throttleStatus: { currentlyAvailable: number; restoreRate: number };
        };
      };
    };
    const cost = body.extensions?.cost;
    if (!cost || !body.errors?.some((e) => e.extensions?.code === "THROTTLED")) return undefined;
    const missing = cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable;
    return {
      retry: true,
      waitMs: (missing / cost.throttleStatus.restoreRate) * 1000,
      reason: "query cost budget used up",
    };
  };

  test("retries after the wait a plugin's hook reads from a throttled 200", async () => {
    const { fetch, waits } = client([throttled(), Response.json({ data: { shop: { name: "Acme" } } })], {
      http: { rateLimit: shopifyThrottle },
    });
    const response = await fetch("https://acme.myshopify.com/admin/api/2025-01/graphql.json", {
      method: "POST",
      body: "{}",
      idempotent: true,
    });
    expect(await response.json()).toEqual({ data: { shop: { name: "Acme" } } });
    expect(waits).toEqual([expect.objectContaining({ ms: 800, reason: "query cost budget used up" })]);
  });

  test("pauses before the next request when a success says the rate-limit window is used up", async () => {
    const reset = String(NOW / 1000 + 5);
    const { fetch, waits, requests } = client([
      status(200, { "x-rate-limit-remaining": "0", "x-rate-limit-reset": reset }),
      status(200),
    ]);
    await fetch("https://api.x.com/2/users/1/mentions");
    expect(waits).toEqual([]);
    await fetch("https://api.x.com/2/users/1/mentions?pagination_token=b");
    expect(waits.map((w) => [w.ms, w.reason])).toEqual([[5000, "rate-limit window used up"]]);
    expect(requests).toHaveLength(2);
  });
});
