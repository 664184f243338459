// Issue 14: rate limits per address behind a reverse proxy. With the proxy trusted
// (CXHUB_TRUSTED_PROXIES), each client is limited on its own address from X-Forwarded-For; without, the
// header is ignored, so a client cannot escape its limit by naming itself a new address each time.
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/logger.ts";
import { createHubYoga } from "../../src/server/create-yoga.ts";
import { createRateLimits, type RateLimits } from "../../src/server/rate-limits.ts";
import { test } from "../helpers/database.ts";

const PROXY = "10.0.0.1";

const opened: RateLimits[] = [];
afterEach(async () => {
  for (const limits of opened.splice(0)) await limits.close();
});

/** A hub limiting failed keys to 2 per address, called through a socket at `PROXY`. */
function viaProxy(database: Database, trustedProxies: string[]) {
  const rateLimits = createRateLimits({
    settings: {
      failedAuthPerAddress: { points: 2, seconds: 60 },
      failedAuthPerKeyPrefix: null,
      requestsPerKey: null,
    },
    logger: createLogger("silent"),
  });
  opened.push(rateLimits);
  const yoga = createHubYoga({ database, logger: createLogger("silent"), rateLimits, trustedProxies });
  return async (forwardedFor: string) => {
    const wrongKey = `cxh_${randomBytes(6).toString("hex")}_${randomBytes(32).toString("base64url")}`;
    const response = await yoga.fetch(
      "http://cx-hub.test/graphql",
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${wrongKey}`,
          "x-forwarded-for": forwardedFor,
        },
        body: JSON.stringify({ query: "{ __typename }" }),
      },
      { req: { socket: { remoteAddress: PROXY } } },
    );
    return response.status;
  };
}

describe("X-Forwarded-For and the rate limits", { timeout: 90_000 }, () => {
  test("from a trusted proxy, each client is limited on its own address", async ({ db }) => {
    const call = viaProxy(db, [PROXY]);
    expect([await call("203.0.113.7"), await call("203.0.113.7"), await call("203.0.113.7")]).toEqual([
      401, 401, 429,
    ]);
    // Another client behind the same proxy is not held to the first one's failures.
    expect(await call("198.51.100.20")).toBe(401);
  });

  test("with no trusted proxy, the header is ignored: a client naming new addresses stays limited", async ({
    db,
  }) => {
    const call = viaProxy(db, []);
    expect([await call("203.0.113.1"), await call("203.0.113.2"), await call("203.0.113.3")]).toEqual([
      401, 401, 429,
    ]);
  });
});
