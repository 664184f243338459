// The life of a sync run: one per connector at a time, cancellation (here or from another instance),
// runs abandoned by a crashed process, a runner that lost its lease, and shutdown.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import { reapAbandonedRuns } from "../../src/connectors/sync/sync-runs.ts";
import { ConflictError } from "../../src/domain/errors.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { test } from "../helpers/database.ts";
import { type Deferred, deferred, installTemplate, testEngine } from "./helpers/hub.ts";
import { makeTickets, type TinyDeskApi, tinyDeskTickets } from "./helpers/tiny-desk-api.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Six tickets in pages of three; the second page is held back until `release`, or forever. */
function heldProvider() {
  const api: TinyDeskApi = { tickets: makeTickets(6), requests: [] };
  const secondPageAsked = deferred();
  const release = deferred();
  server.use(
    tinyDeskTickets(api, {
      pageSize: 3,
      onPage: async (page) => {
        if (page !== 1) return;
        secondPageAsked.resolve();
        await release.promise;
      },
    }),
  );
  return { api, secondPageAsked, release };
}

let releases: Deferred[] = [];
afterEach(() => {
  for (const release of releases) release.resolve();
  releases = [];
});

async function storedInteractions(db: PrismaClient) {
  const rows = await db.interaction.findMany({
    orderBy: { externalId: "asc" },
    select: { externalId: true },
  });
  return rows.map((row) => row.externalId);
}

const FIRST_PAGE = ["ticket:t_0001", "ticket:t_0002", "ticket:t_0003"];

describe("sync runs", () => {
  test("one run per connector at a time: a second trigger, here or on another instance, names the running one", async ({
    db,
  }) => {
    const { secondPageAsked, release } = heldProvider();
    releases.push(release);
    await installTemplate(db.prisma);
    const engine = testEngine(db.prisma);
    const otherInstance = testEngine(db.prisma);

    const run = await engine.trigger({ name: "tinydesk" });
    await secondPageAsked.promise;
    for (const instance of [engine, otherInstance]) {
      const refused = await instance.trigger({ name: "tinydesk" }).catch((e) => e);
      expect(refused).toBeInstanceOf(ConflictError);
      expect(refused.message).toMatch(
        new RegExp(
          `^Connector "tinydesk" already has sync run ${run.id} \\(running since .*\\): one run per connector at a time`,
        ),
      );
    }
    release.resolve();
    expect((await engine.wait(run.id)).status).toBe("SUCCEEDED");
    expect((await engine.run({ name: "tinydesk" })).status).toBe("SUCCEEDED");
    expect(await db.prisma.syncRun.count()).toBe(2);
  });

  test("cancelling stops the run at once; what it committed stays, with its cursor", async ({ db }) => {
    const { api, secondPageAsked, release } = heldProvider();
    releases.push(release);
    const connector = await installTemplate(db.prisma);
    const engine = testEngine(db.prisma);

    const run = await engine.trigger({ name: "tinydesk" });
    await secondPageAsked.promise;
    const cancelled = await engine.cancel(run.id);

    expect(cancelled).toMatchObject({ status: "CANCELLED", error: null });
    expect(cancelled.cancelRequestedAt).toBeInstanceOf(Date);
    expect(await storedInteractions(db.prisma)).toEqual(FIRST_PAGE);
    const cursor = await db.prisma.syncCursor.findFirstOrThrow({ where: { connectorId: connector.id } });
    expect(cursor.cursor).toEqual({ updatedSince: api.tickets[2]?.updated_at });
  });

  test("a cancellation asked on another instance stops the run at its next heartbeat", async ({ db }) => {
    const { secondPageAsked, release } = heldProvider();
    releases.push(release);
    await installTemplate(db.prisma);
    const runner = testEngine(db.prisma, { heartbeatMs: 50 });
    const otherInstance = testEngine(db.prisma);

    const run = await runner.trigger({ name: "tinydesk" });
    await secondPageAsked.promise;
    const asked = await otherInstance.cancel(run.id);
    expect(asked).toMatchObject({ status: "RUNNING" });

    expect(await runner.wait(run.id)).toMatchObject({ status: "CANCELLED" });
    expect(await storedInteractions(db.prisma)).toEqual(FIRST_PAGE);
  });

  test("a run left RUNNING by a crashed process does not block the connector", async ({ db }) => {
    server.use(tinyDeskTickets({ tickets: makeTickets(2), requests: [] }));
    const connector = await installTemplate(db.prisma);
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    const crashed = await db.prisma.syncRun.create({
      data: {
        connectorId: connector.id,
        trigger: "SCHEDULED",
        status: "RUNNING",
        startedAt: tenMinutesAgo,
        heartbeatAt: tenMinutesAgo,
        owner: "dead-host:4242:abcdef",
      },
    });
    const engine = testEngine(db.prisma);

    const run = await engine.run({ name: "tinydesk" });

    expect(run.status).toBe("SUCCEEDED");
    const reaped = await db.prisma.syncRun.findUniqueOrThrow({ where: { id: crashed.id } });
    expect(reaped).toMatchObject({ status: "FAILED" });
    expect(reaped.error).toMatch(
      /^Abandoned: its runner \(dead-host:4242:abcdef\) stopped renewing its lease at .* The next run resumes from the last committed checkpoint\.$/,
    );
    expect(reaped.durationMs).toBeGreaterThanOrEqual(10 * 60_000);

    // A run whose runner is alive (a fresh heartbeat) is respected.
    await db.prisma.syncRun.create({
      data: { connectorId: connector.id, trigger: "MANUAL", status: "RUNNING", startedAt: new Date() },
    });
    await expect(engine.trigger({ name: "tinydesk" })).rejects.toThrow(ConflictError);
  });

  test("a runner whose run was reaped meanwhile cannot write: its batch rolls back", async ({ db }) => {
    const { secondPageAsked, release } = heldProvider();
    releases.push(release);
    await installTemplate(db.prisma);
    // The first page is read ahead of its commit: wait for the commit as well as the second page.
    const firstCommit = deferred();
    const engine = testEngine(db.prisma, { onCommit: () => firstCommit.resolve() });

    const run = await engine.trigger({ name: "tinydesk" });
    await Promise.all([secondPageAsked.promise, firstCommit.promise]);
    // As if the runner had stalled past the staleness limit and another instance reaped its run.
    expect(await reapAbandonedRuns(db.prisma, { staleAfterMs: 0 })).toEqual([run.id]);
    release.resolve();

    const ended = await engine.wait(run.id);
    expect(ended.status).toBe("FAILED");
    expect(ended.error).toMatch(/^Abandoned/);
    expect(await storedInteractions(db.prisma)).toEqual(FIRST_PAGE);
    // Only the first page's 6 records count: the second page's batch was rolled back with its counts.
    expect(ended.recordsFetched).toBe(6);
  });

  test("shutting down interrupts runs; the next run resumes from their cursor", async ({ db }) => {
    const { api, secondPageAsked, release } = heldProvider();
    releases.push(release);
    await installTemplate(db.prisma);
    const engine = testEngine(db.prisma);

    const run = await engine.trigger({ name: "tinydesk" });
    await secondPageAsked.promise;
    await engine.close();

    const interrupted = await db.prisma.syncRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(interrupted).toMatchObject({ status: "CANCELLED" });
    expect(interrupted.error).toMatch(/^Interrupted: the hub shut down/);
    await expect(engine.trigger({ name: "tinydesk" })).rejects.toThrow(/shutting down/);

    release.resolve();
    api.requests.length = 0;
    const next = await testEngine(db.prisma).run({ name: "tinydesk" });
    expect(next.status).toBe("SUCCEEDED");
    expect(api.requests[0]?.updatedSince).toBe(api.tickets[2]?.updated_at);
    expect(await storedInteractions(db.prisma)).toHaveLength(6);
  });
});
