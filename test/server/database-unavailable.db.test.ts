// When the database drops or refuses connections, every door answers 503 with Retry-After and a
// GraphQL-style JSON body that says to retry, and nothing internal: no driver text, no stack, no paths.
// The failures are real: a closed PGlite instance, a PostgreSQL port nobody listens on, and a
// PostgreSQL connection terminated by the server in the middle of a resolver's statement.
import { readFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { describe, expect, inject } from "vitest";
import { createApiKey } from "../../src/auth/api-keys.ts";
import { type Database, fromPostgresUrl } from "../../src/db/database.ts";
import { fromPGlite } from "../../src/db/embedded-database.ts";
import { createLogger } from "../../src/logger.ts";
import { createHubYoga } from "../../src/server/create-yoga.ts";
import { databaseKind, test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";
import { databaseUrl } from "../helpers/postgres-admin.ts";

const UNAVAILABLE = {
  errors: [
    {
      message: "The hub cannot reach its database right now; retry in a few seconds.",
      extensions: { code: "SERVICE_UNAVAILABLE" },
    },
  ],
};
const A_KEY = `cxh_AbC123dEf456_${"a".repeat(43)}`;

let closedPGlite: Promise<PGlite> | undefined;

/** A database of the project's kind that cannot be reached: a closed instance, or a closed port. */
async function unreachableDatabase(): Promise<Database> {
  if (databaseKind === "pglite") {
    // One closed instance serves every test, loaded from the run's empty tarball: initialising one takes seconds.
    closedPGlite ??= readFile(inject("pgliteEmptySnapshotPath"))
      .then((bytes) => PGlite.create({ loadDataDir: new Blob([bytes]) }))
      .then(async (pglite) => {
        await pglite.close();
        return pglite;
      });
    return fromPGlite(await closedPGlite, async () => {});
  }
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  return fromPostgresUrl(`postgresql://postgres@127.0.0.1:${port}/cxhub`);
}

async function expectUnavailable(response: Response) {
  const text = await response.text();
  expect(response.status, text).toBe(503);
  expect(response.headers.get("retry-after")).toBe("5");
  expect(response.headers.get("content-type")).toMatch(/json/);
  // From a resolver the body also has `data: null` and the field's path.
  const body = JSON.parse(text);
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0]).toMatchObject(UNAVAILABLE.errors[0] ?? {});
  expect(body.errors[0].extensions).toEqual({ code: "SERVICE_UNAVAILABLE" });
  expect(text).not.toMatch(/prisma|invocation|PGlite|127\.0\.0\.1|src\/|\.ts|\bat /i);
}

describe("an unreachable database", () => {
  test("is a 503 with Retry-After at the API-key lookup, before GraphQL runs", {
    timeout: 90_000,
  }, async () => {
    const yoga = createHubYoga({ database: await unreachableDatabase(), logger: createLogger("silent") });
    const response = await yoga.fetch("http://cx-hub.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${A_KEY}` },
      body: JSON.stringify({ query: "{ customers(first: 1) { totalCount } }" }),
    });
    await expectUnavailable(response);
  });

  test.runIf(databaseKind === "postgres")(
    "is a 503 when the database host accepts but never answers, after the connect timeout",
    async () => {
      // A listener that takes the connection and says nothing, as a hung server or a full backlog does.
      const held: Socket[] = [];
      const silent = createServer((socket) => held.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const { port } = silent.address() as { port: number };
      const database = fromPostgresUrl(`postgresql://postgres@127.0.0.1:${port}/cxhub`, {
        connectTimeoutMs: 300,
      });
      try {
        const yoga = createHubYoga({ database, logger: createLogger("silent") });
        const response = await yoga.fetch("http://cx-hub.test/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${A_KEY}` },
          body: JSON.stringify({ query: "{ __typename }" }),
        });
        await expectUnavailable(response);
      } finally {
        for (const socket of held) socket.destroy();
        silent.close();
        await database.close();
      }
    },
  );

  test("makes /ready answer 503 in JSON, without the driver's message", async () => {
    const yoga = createHubYoga({ database: await unreachableDatabase(), logger: createLogger("silent") });
    await expectUnavailable(await yoga.fetch("http://cx-hub.test/ready"));
  });

  test("is a 503 with Retry-After for a webhook delivery, so the provider retries", async () => {
    const yoga = createHubYoga({ database: await unreachableDatabase(), logger: createLogger("silent") });
    const response = await yoga.fetch("http://cx-hub.test/webhooks/shop", { method: "POST", body: "{}" });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.text()).not.toMatch(/prisma|invocation|PGlite|\.ts|\bat /i);
  });

  test("leaves the alerts page served: it needs no database", async () => {
    const yoga = createHubYoga({ database: await unreachableDatabase(), logger: createLogger("silent") });
    const response = await yoga.fetch("http://cx-hub.test/alerts");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch("text/html");
  });

  test.runIf(databaseKind === "postgres")(
    "is a 503 when the server terminates the connection under a resolver's statement",
    async ({ db }) => {
      const client = await createTestClient(db);
      // A connection of the test's own holds a lock the customer list's statement waits behind; the
      // server then terminates the hub's waiting connection.
      const [current] = await db.prisma.$queryRaw<Array<{ name: string }>>`SELECT current_database() AS name`;
      const locker = new pg.Client({
        connectionString: databaseUrl(inject("postgresAdminUrl"), current?.name ?? ""),
      });
      await locker.connect();
      let answer: Response;
      try {
        await locker.query(`BEGIN; LOCK TABLE "Customer" IN ACCESS EXCLUSIVE MODE`);
        const pending = client.fetch("/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
          // The page reads "Customer" (its unfiltered totalCount alone would read the tally).
          body: JSON.stringify({ query: "{ customers(first: 1) { edges { node { id } } } }" }),
        });
        for (let attempt = 0; attempt < 400; attempt++) {
          // OFFSET 0 keeps the filter apart, so only the waiting connection is terminated.
          const { rowCount } = await locker.query(`
            SELECT pg_terminate_backend(pid) FROM (
              SELECT pid FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
              OFFSET 0
            ) AS waiting`);
          if (rowCount) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        answer = await pending;
      } finally {
        await locker.query("ROLLBACK");
        await locker.end();
      }
      await expectUnavailable(answer);
      // The pool recovers: the next request is served.
      const next = await client.fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ customers(first: 1) { totalCount } }" }),
      });
      expect(next.status).toBe(200);
    },
  );
});

// Its first test is the file's first to start PGlite, which takes long on a busy machine.
describe("paths next to the endpoint", { timeout: 90_000 }, () => {
  test("POST /graphql/ is the endpoint, authenticated like /graphql", async ({ db }) => {
    const client = await createTestClient(db);
    const request = (authorization?: string) =>
      client.fetch("/graphql/", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: authorization ?? `Bearer ${client.key}`,
        },
        body: JSON.stringify({ query: "{ customers(first: 1) { totalCount } }" }),
      });
    const served = await request();
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual({ data: { customers: { totalCount: 0 } } });
    const refused = await request("Bearer nope");
    expect(refused.status).toBe(401);
    expect((await refused.json()).errors[0].extensions.code).toBe("UNAUTHENTICATED");
  });

  test("a URL yoga would also run GraphQL for is authenticated, not an unexpected error", async ({ db }) => {
    const client = await createTestClient(db);
    const response = await client.fetch("/anything?next=/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(response.status).toBe(401);
    expect((await response.json()).errors[0].extensions.code).toBe("UNAUTHENTICATED");
  });

  test("a webhook path with broken percent-encoding is a 400 in JSON, not a stack trace", async ({ db }) => {
    const client = await createTestClient(db);
    const response = await client.fetch("/webhooks/%E0%A4%A", { method: "POST", body: "{}" });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/percent-encoding/);
  });
});

test("a key is still checked against a live database after these failures", async ({ db }) => {
  const { key } = await createApiKey(db.prisma, { principal: { name: "Ops" }, name: "ops", role: "ADMIN" });
  const yoga = createHubYoga({ database: db, logger: createLogger("silent") });
  const response = await yoga.fetch("http://cx-hub.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: "{ __typename }" }),
  });
  expect(response.status).toBe(200);
});
