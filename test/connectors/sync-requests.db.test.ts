// A webhook that says "tickets changed" without carrying them asks for a sync (Tiny Desk's
// tickets.imported, like Gmail's push): the request is stored with the delivery, answered at once by
// this instance's engine, or right after the run in progress, or by any instance's scheduler tick.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, onTestFinished } from "vitest";
import { createSyncScheduler } from "../../src/connectors/sync/scheduler.ts";
import { handleWebhook, type WebhookHandlerOptions } from "../../src/connectors/webhooks/handle-webhook.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { test } from "../helpers/database.ts";
import { writesAt } from "../helpers/writes.ts";
import {
  deferred,
  fixture,
  installTemplate,
  plugins,
  SECRET_KEY,
  testEngine,
  tinyDeskDelivery,
} from "./helpers/hub.ts";
import { makeTickets, type TinyDeskApi, tinyDeskTickets } from "./helpers/tiny-desk-api.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// The fixture was sent at 09:00:00; the hub receives it within its replay window.
const NOW = new Date("2026-03-05T09:00:30Z");
const imported = fixture("webhook-tickets-imported.json");

function options(db: PrismaClient, overrides: Partial<WebhookHandlerOptions> = {}): WebhookHandlerOptions {
  return { db, plugins, secretKey: SECRET_KEY, writes: writesAt(NOW), ...overrides };
}

const runsOf = (db: PrismaClient) =>
  db.syncRun.findMany({ orderBy: { queuedAt: "asc" }, select: { id: true, trigger: true, status: true } });

describe("a webhook's sync request", () => {
  test("runs the stream at once, as a WEBHOOK run; the repeated delivery asks nothing more", async ({
    db,
  }) => {
    const api: TinyDeskApi = { tickets: makeTickets(3), requests: [] };
    server.use(tinyDeskTickets(api));
    const connector = await installTemplate(db.prisma);
    const engine = testEngine(db.prisma);
    onTestFinished(() => engine.close());
    const answered: string[] = [];
    const hooked = options(db.prisma, {
      onSyncRequested: (id) => void engine.answerSyncRequest(id).then((run) => run && answered.push(run.id)),
    });

    const response = await handleWebhook(
      hooked,
      "tinydesk",
      tinyDeskDelivery(imported, { deliveryId: "dlv_9" }),
    );

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ received: 0, syncRequested: true });
    await expect.poll(() => answered.length).toBe(1);
    const run = await engine.wait(answered[0] as string);
    expect(run).toMatchObject({
      trigger: "WEBHOOK",
      status: "SUCCEEDED",
      recordsCreated: expect.any(Number),
    });
    expect(await db.prisma.interaction.count()).toBe(3);
    expect(await db.prisma.connector.findUniqueOrThrow({ where: { id: connector.id } })).toMatchObject({
      syncRequested: false, // answered
      syncRequestedAt: NOW,
      syncRequestReason: "Tiny Desk imported 3 tickets",
    });

    const again = await handleWebhook(
      hooked,
      "tinydesk",
      tinyDeskDelivery(imported, { deliveryId: "dlv_9" }),
    );
    expect(await again.json()).toEqual({ duplicate: true });
    expect(await runsOf(db.prisma)).toHaveLength(1);
  });

  test("that arrives while a run reads the provider is answered by a run right after it", async ({ db }) => {
    const firstPage = deferred();
    const release = deferred();
    const api: TinyDeskApi = { tickets: makeTickets(2), requests: [] };
    server.use(
      tinyDeskTickets(api, {
        onPage: async () => {
          if (api.requests.length > 1) return;
          firstPage.resolve();
          await release.promise;
        },
      }),
    );
    await installTemplate(db.prisma);
    const engine = testEngine(db.prisma);
    onTestFinished(() => engine.close());
    const manual = await engine.trigger({ name: "tinydesk" });
    await firstPage.promise;

    // The run is reading the provider: the import's tickets may or may not be in what it reads.
    api.tickets.push(...makeTickets(3, "2026-03-05T08:59:00Z", 100));
    const answers: Array<Promise<unknown>> = [];
    const response = await handleWebhook(
      options(db.prisma, { onSyncRequested: (id) => answers.push(engine.answerSyncRequest(id)) }),
      "tinydesk",
      tinyDeskDelivery(imported),
    );
    expect(response.status).toBe(200);
    expect(await Promise.all(answers)).toEqual([null]); // A run is active: its end answers.
    release.resolve();

    expect(await engine.wait(manual.id)).toMatchObject({ status: "SUCCEEDED" });
    await expect
      .poll(async () => (await runsOf(db.prisma)).map((run) => run.trigger))
      .toEqual(["MANUAL", "WEBHOOK"]);
    const [, followUp] = await runsOf(db.prisma);
    // The follow-up's row is committed just before the engine starts it, and until then wait() answers
    // with the row as it is (QUEUED): ask again until it answers with the run's end.
    await expect
      .poll(async () => (await engine.wait(followUp?.id as string)).status, { timeout: 60_000 })
      .toBe("SUCCEEDED");
    expect(await db.prisma.interaction.count()).toBe(5);
  });

  test("stored by an instance without an engine is answered by one scheduler tick, once, and waits while paused", async ({
    db,
  }) => {
    server.use(tinyDeskTickets({ tickets: makeTickets(2), requests: [] }));
    const connector = await installTemplate(db.prisma);
    await db.prisma.connector.update({ where: { id: connector.id }, data: { status: "PAUSED" } });
    const response = await handleWebhook(options(db.prisma), "tinydesk", tinyDeskDelivery(imported));
    expect(await response.json()).toMatchObject({ syncRequested: true });

    const engines = [testEngine(db.prisma), testEngine(db.prisma)];
    onTestFinished(async () => {
      await Promise.all(engines.map((engine) => engine.close()));
    });
    const schedulers = engines.map((engine) => createSyncScheduler({ db: db.prisma, engine }));
    // Paused: received (nothing is lost), not synced.
    expect((await Promise.all(schedulers.map((s) => s.tick()))).flat()).toEqual([]);

    await db.prisma.connector.update({ where: { id: connector.id }, data: { status: "ACTIVE" } });
    const ticks = await Promise.all(schedulers.map((s) => s.tick()));
    expect(ticks.flat().map((run) => run.trigger)).toEqual(["WEBHOOK"]);
    const runner = ticks.findIndex((runs) => runs.length === 1);
    const ended = await engines[runner]?.wait(ticks[runner]?.[0]?.id as string);
    expect(ended?.status).toBe("SUCCEEDED");
    // Answered: later ticks start nothing (the connector has no interval).
    expect((await Promise.all(schedulers.map((s) => s.tick()))).flat()).toEqual([]);
  });
});
