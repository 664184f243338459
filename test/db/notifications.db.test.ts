// LISTEN on PostgreSQL (src/db/notifications.ts): notifications reach the listener, a heartbeat keeps
// checking that the connection is alive, and a heartbeat that does not come back in time counts as
// a lost connection (a half-open socket raises no error): the listener is told, reconnects, and
// receives again. The embedded database's listen is PGlite's own and has no connection to lose.
import { describe, expect, inject } from "vitest";
import { listenWithPostgres } from "../../src/db/notifications.ts";
import { test } from "../helpers/database.ts";
import { databaseUrl } from "../helpers/postgres-admin.ts";

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
    const url = databaseUrl(inject("postgresAdminUrl"), name as string);
    const received: string[] = [];
    const events: string[] = [];
    const listen = listenWithPostgres(url, { heartbeatMs: 200, heartbeatTimeoutMs: 3000 });
    const stop = await listen(CHANNEL, (payload) => received.push(payload), {
      onLost: () => events.push("lost"),
      onReconnect: () => events.push("reconnected"),
    });
    // The server process behind the LISTEN connection, frozen with SIGSTOP: its socket stays open
    // and silent, as one a NAT dropped, and no error is ever raised.
    const backend = (
      await db.prisma.$queryRaw<Array<{ pid: number }>>`
        SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = ${`cxhub listen ${CHANNEL}`}`
    )[0]?.pid;
    if (!backend) throw new Error("The LISTEN connection's server process was not found.");
    try {
      await db.prisma.$executeRaw`SELECT pg_notify(${CHANNEL}, 'before')`;
      await until(2000, () => received.includes("before"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(events).toEqual([]);

      process.kill(backend, "SIGSTOP");
      await until(10_000, () => events.includes("reconnected"));
      expect(events).toEqual(["lost", "reconnected"]);
      await db.prisma.$executeRaw`SELECT pg_notify(${CHANNEL}, 'after')`;
      await until(2000, () => received.includes("after"));
      // Heartbeats are the listener's own business: never handed to the application.
      expect(received).toEqual(["before", "after"]);
    } finally {
      try {
        process.kill(backend, "SIGCONT");
      } catch {
        // Already gone: PostgreSQL ended the backend whose client left.
      }
      await stop();
    }
  });
});
