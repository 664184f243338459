// Scheduled syncs: a connector runs when its interval has passed since its last run, once even when
// several hub instances tick at the same moment; paused and manual-only connectors are left alone.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import { pauseConnector, reconfigureConnector } from "../../src/connectors/connector-store.ts";
import { createSyncScheduler } from "../../src/connectors/sync/scheduler.ts";
import { startJobs } from "../../src/jobs/start-jobs.ts";
import { test } from "../helpers/database.ts";
import { dropJobSchema, silentLogger } from "../helpers/jobs.ts";
import { writes } from "../helpers/writes.ts";
import { installTemplate, plugins, SECRET_KEY, testEngine } from "./helpers/hub.ts";
import { makeTickets, tinyDeskTickets } from "./helpers/tiny-desk-api.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("the sync scheduler", () => {
  test("on an instance without a secret key, leaves connectors with stored secrets alone", async ({ db }) => {
    const deps = { db: db.prisma, plugins, secretKey: SECRET_KEY };
    const due = await installTemplate(db.prisma, "hourly");
    await reconfigureConnector(deps, { id: due.id }, { syncIntervalSeconds: 3600 });
    const keyless = testEngine(db.prisma, { secretKey: null });
    try {
      expect(await createSyncScheduler({ db: db.prisma, engine: keyless }).tick()).toEqual([]);
      expect(await keyless.answerSyncRequest(due.id)).toBeNull();
      expect(await db.prisma.connector.findUniqueOrThrow({ where: { id: due.id } })).toMatchObject({
        status: "ACTIVE",
      });
    } finally {
      await keyless.close();
    }
    // The instance with the key runs it.
    server.use(tinyDeskTickets({ tickets: makeTickets(1), requests: [] }));
    const keyed = testEngine(db.prisma);
    try {
      const [run] = await createSyncScheduler({ db: db.prisma, engine: keyed }).tick();
      expect((await keyed.wait(run?.id as string)).status).toBe("SUCCEEDED");
    } finally {
      await keyed.close();
    }
  });

  test("runs a connector each time its interval passes, once across instances", async ({ db }) => {
    server.use(tinyDeskTickets({ tickets: makeTickets(3), requests: [] }));
    const deps = { db: db.prisma, plugins, secretKey: SECRET_KEY };
    const hourly = await installTemplate(db.prisma, "hourly");
    await reconfigureConnector(deps, { id: hourly.id }, { syncIntervalSeconds: 3600 });
    const paused = await installTemplate(db.prisma, "paused");
    await reconfigureConnector(deps, { id: paused.id }, { syncIntervalSeconds: 3600 });
    await pauseConnector(deps, { id: paused.id });
    await installTemplate(db.prisma, "manual-only");

    let offsetMs = 0;
    const now = () => new Date(Date.now() + offsetMs);
    const engines = [testEngine(db.prisma), testEngine(db.prisma)];
    const [first, second] = engines.map((engine) => createSyncScheduler({ db: db.prisma, engine, now }));
    const tickBoth = async () =>
      (await Promise.all([first?.tick(), second?.tick()])).flatMap((runs) => runs ?? []);

    const started = await tickBoth();
    expect(started.map((run) => [run.connectorId, run.trigger])).toEqual([[hourly.id, "SCHEDULED"]]);
    await Promise.all(engines.map((engine) => engine.wait(started[0]?.id as string)));
    expect(await db.prisma.syncRun.findUniqueOrThrow({ where: { id: started[0]?.id } })).toMatchObject({
      status: "SUCCEEDED",
    });

    offsetMs = 30 * 60_000;
    expect(await tickBoth()).toEqual([]);

    offsetMs = 61 * 60_000;
    const later = await tickBoth();
    expect(later).toHaveLength(1);
    await Promise.all(engines.map((engine) => engine.close()));
    expect(await db.prisma.syncRun.count()).toBe(2);
  });

  test("ticks on its own on the job engine, and reaps abandoned runs", async ({ db }) => {
    server.use(tinyDeskTickets({ tickets: makeTickets(1), requests: [] }));
    const connector = await installTemplate(db.prisma);
    await reconfigureConnector(
      { db: db.prisma, plugins, secretKey: SECRET_KEY },
      { id: connector.id },
      {
        syncIntervalSeconds: 60,
      },
    );
    const old = new Date(Date.now() - 3600_000);
    const abandoned = await db.prisma.syncRun.create({
      data: {
        connectorId: connector.id,
        trigger: "SCHEDULED",
        status: "RUNNING",
        queuedAt: old,
        heartbeatAt: old,
      },
    });
    const engine = testEngine(db.prisma);
    // Nothing calls tick here: the job engine's own tick job finds the connector due and a sync job
    // runs it.
    const jobs = await startJobs({ database: db, logger: silentLogger, writes: writes(), sync: engine });
    try {
      await expect
        .poll(() => db.prisma.syncRun.count({ where: { status: "SUCCEEDED" } }), { timeout: 20_000 })
        .toBe(1);
    } finally {
      await jobs.stop();
      await engine.close();
      await dropJobSchema(db);
    }

    expect(await db.prisma.syncRun.findUniqueOrThrow({ where: { id: abandoned.id } })).toMatchObject({
      status: "FAILED",
    });
  });
});
