// CORS: only the origins in CXHUB_CORS_ORIGINS get the headers that let their pages read answers;
// none by default; never with credentials (the API authenticates with a key in a header).
import { describe, expect } from "vitest";
import { createApiKey } from "../../src/auth/api-keys.ts";
import type { Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/logger.ts";
import { createHubYoga } from "../../src/server/create-yoga.ts";
import { test } from "../helpers/database.ts";

const ALLOWED = "https://app.example.com";
const OTHER = "https://evil.example.net";

async function hub(database: Database, corsOrigins?: string[]) {
  const yoga = createHubYoga({
    database,
    logger: createLogger("silent"),
    ...(corsOrigins && { corsOrigins }),
  });
  const { key } = await createApiKey(database.prisma, {
    principal: { name: "Web" },
    name: "web",
    role: "ADMIN",
  });
  return {
    preflight: (origin: string) =>
      yoga.fetch("http://cx-hub.test/graphql", {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      }),
    post: (origin: string) =>
      yoga.fetch("http://cx-hub.test/graphql", {
        method: "POST",
        headers: { origin, "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: "{ __typename }" }),
      }),
  };
}

// The first test pays for starting PGlite, which takes long on a busy machine.
describe("CORS", { timeout: 90_000 }, () => {
  test("a configured origin's preflight and request are allowed, without credentials", async ({ db }) => {
    const { preflight, post } = await hub(db, [ALLOWED]);
    const before = await preflight(ALLOWED);
    expect(before.status).toBe(204);
    expect(before.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(before.headers.get("access-control-allow-methods")).toBe("GET, POST");
    expect(before.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    expect(before.headers.get("access-control-allow-credentials")).toBeNull();
    const answer = await post(ALLOWED);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(answer.headers.get("access-control-allow-credentials")).toBeNull();
  });

  test("another origin gets no CORS headers, so its page cannot read the answer", async ({ db }) => {
    const { preflight, post } = await hub(db, [ALLOWED]);
    const before = await preflight(OTHER);
    expect(before.status).toBe(204);
    expect(before.headers.get("access-control-allow-origin")).toBeNull();
    const answer = await post(OTHER);
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
    expect(answer.headers.get("access-control-allow-credentials")).toBeNull();
  });

  test("with no origins configured, no origin is allowed (not every origin reflected)", async ({ db }) => {
    const { preflight, post } = await hub(db);
    for (const origin of [ALLOWED, OTHER]) {
      expect((await preflight(origin)).headers.get("access-control-allow-origin")).toBeNull();
      const answer = await post(origin);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("access-control-allow-origin")).toBeNull();
      expect(answer.headers.get("access-control-allow-credentials")).toBeNull();
    }
  });
});
