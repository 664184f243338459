// The rate limits at the door: failed keys per client address and per key prefix answered 429 before
// the database is asked, requests per key when configured, counts shared through Redis between
// instances, and kept in memory when Redis is away. Requests go through the real server's fetch with
// the server context node's HTTP adapter gives it (the socket's remote address).
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { afterEach, describe, expect } from "vitest";
import WebSocket from "ws";
import { createApiKey } from "../../src/auth/api-keys.ts";
import type { RateLimitSettings } from "../../src/config.ts";
import type { Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/logger.ts";
import { startHubServer } from "../../src/server/create-server.ts";
import { createHubYoga } from "../../src/server/create-yoga.ts";
import { createRateLimits, type RateLimits } from "../../src/server/rate-limits.ts";
import { test } from "../helpers/database.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const OFF: RateLimitSettings = {
  failedAuthPerAddress: null,
  failedAuthPerKeyPrefix: null,
  requestsPerKey: null,
};

const opened: RateLimits[] = [];
afterEach(async () => {
  for (const limits of opened.splice(0)) await limits.close();
});

function limits(settings: Partial<RateLimitSettings>, redis?: { url: string; keyPrefix: string }) {
  const created = createRateLimits({
    settings: { ...OFF, ...settings },
    redis,
    logger: createLogger("silent"),
  });
  opened.push(created);
  return created;
}

/** A server and a way to call it as a client at an address, with a key. */
function server(database: Database, rateLimits: RateLimits) {
  const yoga = createHubYoga({ database, logger: createLogger("silent"), rateLimits });
  return async (address: string, key: string | null) => {
    const response = await yoga.fetch(
      "http://cx-hub.test/graphql",
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: JSON.stringify({ query: "{ __typename }" }),
      },
      // What node's HTTP adapter passes: the request's socket.
      { req: { socket: { remoteAddress: address } } },
    );
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const randomKey = (prefix = `cxh_${Array.from(randomBytes(12), (byte) => ALNUM[byte % 62]).join("")}`) =>
  `${prefix}_${randomBytes(32).toString("base64url")}`;

async function adminKey(database: Database) {
  return createApiKey(database.prisma, { principal: { name: "Ops" }, name: "ops", role: "ADMIN" });
}

// The first test pays for starting PGlite, which takes long on a busy machine.
describe("failed authentication", { timeout: 90_000 }, () => {
  test("many bad keys from one address get 429 with Retry-After once the limit is used", async ({ db }) => {
    const call = server(db, limits({ failedAuthPerAddress: { points: 5, seconds: 60 } }));
    const answers = [];
    for (let attempt = 0; attempt < 40; attempt++) answers.push(await call("203.0.113.7", randomKey()));
    expect(answers.slice(0, 5).map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(answers.slice(5).map((answer) => answer.status))).toEqual(new Set([429]));
    const limited = answers[5];
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited?.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(limited?.body).toEqual({
      errors: [
        {
          message: expect.stringMatching(/^Too many failed API keys came from this address: retry in \d+ s/),
          extensions: { code: "RATE_LIMITED" },
        },
      ],
    });
  });

  test("a good key is not locked out by someone else's failures on another address", async ({ db }) => {
    const { key } = await adminKey(db);
    const call = server(db, limits({ failedAuthPerAddress: { points: 3, seconds: 60 } }));
    for (let attempt = 0; attempt < 10; attempt++) await call("203.0.113.7", randomKey());
    expect((await call("198.51.100.20", key)).status).toBe(200);
    // The failing address itself waits, whatever key it sends: it is answered before any lookup.
    expect((await call("203.0.113.7", key)).status).toBe(429);
  });

  test("wrong keys for a prefix guessed from many addresses get 429 from any address; the key itself still works", async ({
    db,
  }) => {
    const target = await adminKey(db);
    const other = await adminKey(db);
    const call = server(db, limits({ failedAuthPerKeyPrefix: { points: 3, seconds: 60 } }));
    for (const address of ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) {
      expect((await call(address, randomKey(target.apiKey.prefix))).status).toBe(401);
    }
    expect((await call("192.0.2.4", randomKey(target.apiKey.prefix))).status).toBe(429);
    // A prefix is not a secret (logs and key lists show it): guessing must not lock its owner out.
    expect((await call("192.0.2.5", target.key)).status).toBe(200);
    expect((await call("192.0.2.4", other.key)).status).toBe(200);
  });

  test("requests without any key are answered 401 and not counted", async ({ db }) => {
    const { key } = await adminKey(db);
    const call = server(db, limits({ failedAuthPerAddress: { points: 2, seconds: 60 } }));
    for (let attempt = 0; attempt < 10; attempt++) expect((await call("203.0.113.9", null)).status).toBe(401);
    expect((await call("203.0.113.9", key)).status).toBe(200);
  });
});

describe("over a WebSocket", () => {
  test("failed keys count the same, and past the limit the socket is closed with 4429", async ({ db }) => {
    const hub = await startHubServer({
      database: db,
      logger: createLogger("silent"),
      rateLimits: limits({ failedAuthPerAddress: { points: 2, seconds: 60 } }),
      port: 0,
      host: "127.0.0.1",
    });
    try {
      const closeOf = (key: string) =>
        new Promise<{ code: number; reason: string }>((resolve) => {
          const socket = new WebSocket(`${hub.url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
          socket.on("open", () =>
            socket.send(
              JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${key}` } }),
            ),
          );
          socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
        });
      expect((await closeOf(randomKey())).code).toBe(4401);
      expect((await closeOf(randomKey())).code).toBe(4401);
      expect(await closeOf(randomKey())).toEqual({
        code: 4429,
        reason: expect.stringMatching(/^Too many failed API keys: retry in \d+ s, with a valid key\.$/),
      });
    } finally {
      await hub.close();
    }
  });
});

describe("requests per key", () => {
  test("past its limit a key gets 429 saying which setting to raise; other keys carry on", async ({ db }) => {
    const busy = await adminKey(db);
    const quiet = await adminKey(db);
    const call = server(db, limits({ requestsPerKey: { points: 3, seconds: 60 } }));
    const statuses = [];
    for (let attempt = 0; attempt < 5; attempt++) statuses.push((await call("10.0.0.1", busy.key)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await call("10.0.0.2", busy.key);
    expect(limited.body.errors[0]).toEqual({
      message: expect.stringMatching(
        /^This API key is over its request limit: retry in \d+ s.*CXHUB_REQUEST_LIMIT_PER_KEY/,
      ),
      extensions: { code: "RATE_LIMITED" },
    });
    expect((await call("10.0.0.1", quiet.key)).status).toBe(200);
  });
});

describe("across instances", () => {
  test("two instances share the failed-authentication count through Redis", async ({ db }) => {
    const redis = { url: REDIS_URL, keyPrefix: `cxhub-test-${randomBytes(6).toString("hex")}:` };
    const settings = { failedAuthPerAddress: { points: 4, seconds: 60 } };
    const [firstLimits, secondLimits] = [limits(settings, redis), limits(settings, redis)];
    // Until Redis is connected each instance counts in memory, on its own.
    await Promise.all([firstLimits.ready(), secondLimits.ready()]);
    const first = server(db, firstLimits);
    const second = server(db, secondLimits);
    expect((await first("203.0.113.50", randomKey())).status).toBe(401);
    expect((await second("203.0.113.50", randomKey())).status).toBe(401);
    expect((await first("203.0.113.50", randomKey())).status).toBe(401);
    expect((await second("203.0.113.50", randomKey())).status).toBe(401);
    // Four failures between them: each instance alone has seen two.
    expect((await first("203.0.113.50", randomKey())).status).toBe(429);
    expect((await second("203.0.113.50", randomKey())).status).toBe(429);
  });

  test("with Redis unreachable each instance counts in memory, and valid keys still pass", async ({ db }) => {
    const { key } = await adminKey(db);
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const call = server(
      db,
      limits(
        { failedAuthPerAddress: { points: 3, seconds: 60 } },
        { url: `redis://127.0.0.1:${port}`, keyPrefix: "x:" },
      ),
    );
    expect((await call("198.51.100.1", key)).status).toBe(200);
    const statuses = [];
    for (let attempt = 0; attempt < 5; attempt++)
      statuses.push((await call("203.0.113.60", randomKey())).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});
