// graphql-ws when the database goes away under open sockets: a key check that cannot be made never
// ends the process. A connecting socket is closed with 1013 (try again later) and a reason, a
// subscribe is refused with SERVICE_UNAVAILABLE while its socket stays open, and the periodic
// re-check logs the failure and leaves the sockets alone. The database really goes away: a closed
// PGlite instance, or a PostgreSQL database that stops accepting connections and drops its own.

import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { afterEach, describe, expect, inject } from "vitest";
import WebSocket from "ws";
import { uncachedApiKeys } from "../../src/auth/api-key-cache.ts";
import { createApiKey, revokeApiKey } from "../../src/auth/api-keys.ts";
import { systemClock } from "../../src/clock.ts";
import { DEFAULT_RATE_LIMITS } from "../../src/config.ts";
import type { Database } from "../../src/db/database.ts";
import { fromPGlite } from "../../src/db/embedded-database.ts";
import type { Logger } from "../../src/logger.ts";
import { createHubYoga } from "../../src/server/create-yoga.ts";
import { attachGraphqlWebSocket, TRY_AGAIN_LATER_CLOSE_CODE } from "../../src/server/graphql-ws.ts";
import { createRateLimits } from "../../src/server/rate-limits.ts";
import { createTestDatabase, databaseKind, test } from "../helpers/database.ts";
import { withAdminClient } from "../helpers/postgres-admin.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** A database of the project's kind of this test's own, and a way to make it go away. */
async function databaseThatGoesAway(): Promise<{ database: Database; goAway(): Promise<void> }> {
  if (databaseKind === "pglite") {
    const pglite = await PGlite.create({
      loadDataDir: new Blob([await readFile(inject("pgliteSnapshotPath"))]),
    });
    const database = fromPGlite(pglite, async () => {
      if (!pglite.closed) await pglite.close();
    });
    cleanups.push(() => database.close());
    return { database, goAway: () => pglite.close() };
  }
  const database = await createTestDatabase();
  cleanups.push(() => database.close());
  const [current] = await database.prisma.$queryRaw<
    Array<{ name: string }>
  >`SELECT current_database() AS name`;
  const name = current?.name ?? "";
  return {
    database,
    goAway: () =>
      withAdminClient(inject("postgresAdminUrl"), async (admin) => {
        await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
        await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [
          name,
        ]);
      }),
  };
}

function recordingLogger() {
  const lines: Array<{ level: string; text: string }> = [];
  const at =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push({ level, text: args.map(String).join(" ") });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

/** graphql-ws on a real HTTP server on a free port, re-checking open sockets' keys every 100 ms. */
async function listen(database: Database, logger: Logger) {
  const yoga = createHubYoga({ database, logger });
  const server = createServer(yoga);
  const sockets = attachGraphqlWebSocket({
    server,
    yoga,
    authenticate: uncachedApiKeys(database.prisma, systemClock),
    path: "/graphql",
    logger,
    rateLimits: createRateLimits({ settings: DEFAULT_RATE_LIMITS, logger }),
    reauthenticateEveryMs: 100,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    await sockets.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

/** A socket that sent connection_init; `acknowledged` resolves on connection_ack. */
function connect(url: string, key: string) {
  const socket = new WebSocket(url, "graphql-transport-ws");
  const messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
  const waiting: Array<() => void> = [];
  socket.on("open", () =>
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${key}` } })),
  );
  socket.on("message", (data) => {
    messages.push(JSON.parse(String(data)));
    for (const wake of waiting.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const message = async (type: string) => {
    for (;;) {
      const found = messages.find((m) => m.type === type);
      if (found) return found;
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  cleanups.push(async () => socket.close());
  return { socket, closed, message, acknowledged: () => message("connection_ack") };
}

async function until(condition: () => boolean, what: string) {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 20_000) throw new Error(`Gave up waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("graphql-ws when the database goes away", { timeout: 90_000 }, () => {
  test("a connecting socket is closed with 1013 and a reason, and the failure is logged", async () => {
    const { database, goAway } = await databaseThatGoesAway();
    const { key } = await createApiKey(database.prisma, {
      principal: { name: "Ops" },
      name: "ops",
      role: "ADMIN",
    });
    const { logger, lines } = recordingLogger();
    const url = await listen(database, logger);
    await goAway();
    const { closed } = connect(url, key);
    expect(await closed).toEqual({
      code: TRY_AGAIN_LATER_CLOSE_CODE,
      reason: "The hub cannot reach its database right now; reconnect in a few seconds.",
    });
    expect(lines).toContainEqual({
      level: "warn",
      text: expect.stringMatching(
        /^Could not authenticate a WebSocket connection: the database is unreachable/,
      ),
    });
  });

  test("a subscribe is refused with SERVICE_UNAVAILABLE while the socket stays open", async () => {
    const { database, goAway } = await databaseThatGoesAway();
    const { key } = await createApiKey(database.prisma, {
      principal: { name: "Ops" },
      name: "ops",
      role: "ADMIN",
    });
    const { logger } = recordingLogger();
    const url = await listen(database, logger);
    const client = connect(url, key);
    await client.acknowledged();
    await goAway();
    client.socket.send(
      JSON.stringify({
        id: "1",
        type: "subscribe",
        payload: { query: "{ customers(first: 1) { totalCount } }" },
      }),
    );
    expect(await client.message("error")).toEqual({
      id: "1",
      type: "error",
      payload: [
        {
          message: "The hub cannot reach its database right now; retry in a few seconds.",
          extensions: { code: "SERVICE_UNAVAILABLE" },
        },
      ],
    });
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });

  test("the periodic re-check closes every socket of a revoked key, and logs (not crashes) when it cannot check", async () => {
    const { database, goAway } = await databaseThatGoesAway();
    const make = () =>
      createApiKey(database.prisma, { principal: { name: "Ops" }, name: "ops", role: "ADMIN" });
    const [leaving, staying] = [await make(), await make()];
    const { logger, lines } = recordingLogger();
    const url = await listen(database, logger);
    const revoked = [connect(url, leaving.key), connect(url, leaving.key)];
    const kept = [connect(url, staying.key), connect(url, staying.key)];
    for (const client of [...revoked, ...kept]) await client.acknowledged();

    await revokeApiKey(database.prisma, leaving.apiKey.prefix);
    for (const client of revoked) {
      expect(await client.closed).toEqual({
        code: 4401,
        reason: "The API key was revoked: ask an admin for a new one.",
      });
    }

    await goAway();
    await until(
      () => lines.some((line) => line.text.startsWith("Could not check an API key of an open WebSocket")),
      "the re-check's failure in the log",
    );
    for (const client of kept) expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });
});
