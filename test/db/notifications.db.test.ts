// LISTEN on PostgreSQL (src/db/notifications.ts): notifications reach the listener, a heartbeat keeps
// checking that the connection is alive, and a heartbeat that does not come back in time counts as
// a lost connection (a half-open socket raises no error): the listener is told, reconnects, and
// receives again. The embedded database's listen is PGlite's own and has no connection to lose.
import { describe, expect, inject } from "vitest";
import { listenWithPostgres } from "../../src/db/notifications.ts";
import { test } from "../helpers/database.ts";
import { databaseUrl } from "../helpers/postgres-admin.ts";
import { startSilenceableProxy } from "../helpers/silenceable-proxy.ts";

const CHANNEL = "cxhub_test_channel";

async function until(ms: number, check: () => boolean): Promise<void> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > ms) throw new Error(`Not within ${ms} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(inject("databaseKind") !== "postgres")("LISTEN on PostgreSQL", () => {
  test("treats a heartbeat that does not come back in time as a lost connection, then listens again", async ({
    db,
  }) => {
    const name = (await db.prisma.$queryRaw<Array<{ name: string }>>`SELECT current_database() AS name`)[0]
      ?.name;
    const direct = new URL(databaseUrl(inject("postgresAdminUrl"), name as string));
    // The listener connects through a proxy that can silence its connection: the socket stays open
    // and nothing comes back, as when a NAT drops it, and no error is ever raised.
    const proxy = await startSilenceableProxy({
      host: direct.hostname.replace(/^\[(.*)\]$/, "$1"), // an IPv6 host without its URL brackets
      port: Number(direct.port || 5432),
    });
    const url = new URL(direct);
    url.host = `127.0.0.1:${proxy.port}`;
    const received: string[] = [];
    const events: string[] = [];
    const listen = listenWithPostgres(url.toString(), { heartbeatMs: 200, heartbeatTimeoutMs: 3000 });
    let stop: (() => Promise<void>) | undefined;
    try {
      stop = await listen(CHANNEL, (payload) => received.push(payload), {
        onLost: () => events.push("lost"),
        onReconnect: () => events.push("reconnected"),
      });
      await db.prisma.$executeRaw`SELECT pg_notify(${CHANNEL}, 'before')`;
      await until(2000, () => received.includes("before"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(events).toEqual([]);

      proxy.silenceOpenConnections();
      await until(10_000, () => events.includes("reconnected"));
      expect(events).toEqual(["lost", "reconnected"]);
      await db.prisma.$executeRaw`SELECT pg_notify(${CHANNEL}, 'after')`;
      await until(2000, () => received.includes("after"));
      // Heartbeats are the listener's own business: never handed to the application.
      expect(received).toEqual(["before", "after"]);
    } finally {
      await stop?.();
      await proxy.close();
    }
  });
});
