// Dead letters: a record the hub refuses is kept with its raw payload and the reason while the run goes
// on, is not stored twice when a resumed run reads it again, and is replayed once fixed (or discarded).
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import type { TinyDeskTicket } from "../../plugins/template/client.ts";
import template from "../../plugins/template/index.ts";
import { ticketRecords } from "../../plugins/template/mapping.ts";
import { discardDeadLetter, replayDeadLetter } from "../../src/connectors/dead-letters/replay-dead-letter.ts";
import { createPluginRegistry } from "../../src/connectors/plugin-registry.ts";
import { handleWebhook } from "../../src/connectors/webhooks/handle-webhook.ts";
import { ConflictError } from "../../src/domain/errors.ts";
import { bodyJson, type WebhookRequest } from "../../src/sdk/webhooks.ts";
import { test } from "../helpers/database.ts";
import { writesAt } from "../helpers/writes.ts";
import {
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

describe("dead letters", () => {
  test("keep a refused record's payload, reason and issues while the run goes on; replay it once fixed", async ({
    db,
  }) => {
    const api: TinyDeskApi = { tickets: makeTickets(4), requests: [] };
    (api.tickets[1] as TinyDeskTicket).customer = { id: " ", email: "li.wei at example.org", name: null };
    server.use(tinyDeskTickets(api));
    const connector = await installTemplate(db.prisma);
    const engine = testEngine(db.prisma);

    const run = await engine.run({ name: "tinydesk" });

    expect(run).toMatchObject({ status: "SUCCEEDED", recordsDeadLettered: 1, recordsCreated: 8 });
    expect(await db.prisma.interaction.count()).toBe(3);
    const [letter] = await db.prisma.deadLetter.findMany();
    expect(letter).toMatchObject({
      connectorId: connector.id,
      syncRunId: run.id,
      stream: "tickets",
      kind: "RECORD",
      status: "PENDING",
    });
    expect(letter?.reason).toBe(
      'The interaction record is invalid at identities.0.value: "li.wei at example.org" is not an email address (expected name@domain). (and 1 more)',
    );
    expect(letter?.details).toEqual({
      issues: [
        {
          path: "identities.0.value",
          message: '"li.wei at example.org" is not an email address (expected name@domain).',
        },
        { path: "identities.1.value", message: "An external id needs a non-empty value." },
      ],
    });
    const payload = JSON.parse(letter?.payload ?? "null");
    expect(payload).toMatchObject({
      type: "interaction",
      externalId: "ticket:t_0002",
      body: "The body of t_0002.",
    });

    // A full re-sync reads the record again: still one pending letter.
    await db.prisma.syncCursor.deleteMany();
    expect(await engine.run({ name: "tinydesk" })).toMatchObject({
      recordsDeadLettered: 1,
      recordsCreated: 0,
    });
    expect(await db.prisma.deadLetter.count()).toBe(1);

    const options = { db: db.prisma, plugins, secretKey: SECRET_KEY };
    const id = letter?.id as string;
    // Replayed as it is: still refused, still pending.
    expect(await replayDeadLetter(options, id)).toMatchObject({
      replayed: false,
      deadLetter: { status: "PENDING" },
    });

    // Replayed with the record corrected: stored, its customer scored, the letter closed.
    payload.identities[0].value = "li.wei@example.org";
    const replayed = await replayDeadLetter(options, id, { payload });
    expect(replayed).toMatchObject({
      replayed: true,
      counts: { created: 1 },
      deadLetter: { status: "REPLAYED" },
    });
    expect(replayed.deadLetter.resolvedAt).toBeInstanceOf(Date);
    expect(JSON.parse(replayed.deadLetter.payload).identities[0].value).toBe("li.wei@example.org");
    const stored = await db.prisma.interaction.findUniqueOrThrow({
      where: { source_externalId: { source: "tinydesk", externalId: "ticket:t_0002" } },
      include: { customer: { include: { score: true } } },
    });
    expect(stored.customer.score).not.toBeNull();
    await expect(replayDeadLetter(options, id)).rejects.toThrow(ConflictError);
  });

  test("can be discarded", async ({ db }) => {
    const api: TinyDeskApi = { tickets: makeTickets(2), requests: [] };
    (api.tickets[0] as TinyDeskTicket).satisfaction = {
      score: 9,
      comment: null,
      rated_at: "2026-03-01T09:00:00Z",
    };
    server.use(tinyDeskTickets(api));
    await installTemplate(db.prisma);
    await testEngine(db.prisma).run({ name: "tinydesk" });

    const letter = await db.prisma.deadLetter.findFirstOrThrow();
    expect(letter.reason).toMatch(
      /^The feedback record is invalid at score: A CSAT score is a whole number from 1 to 5; got 9/,
    );
    expect(await discardDeadLetter(db.prisma, letter.id)).toMatchObject({ status: "DISCARDED" });
    await expect(discardDeadLetter(db.prisma, letter.id)).rejects.toThrow(ConflictError);
  });

  test("a delivery the plugin could not read is parsed again on replay, once the plugin reads it", async ({
    db,
  }) => {
    await installTemplate(db.prisma);
    const event = { ...fixture("webhook-ticket-updated.json"), event: "ticket.merged" };
    const response = await handleWebhook(
      { db: db.prisma, plugins, secretKey: SECRET_KEY, writes: writesAt(new Date("2026-03-05T08:01:00Z")) },
      "tinydesk",
      tinyDeskDelivery(event, { deliveryId: "dlv_5" }),
    );
    // Signed, so acknowledged (a retry would fail alike) and kept whole as a dead letter.
    expect(response.status).toBe(200);
    const letter = await db.prisma.deadLetter.findFirstOrThrow();

    // The same plugin still cannot read it.
    const options = { db: db.prisma, plugins, secretKey: SECRET_KEY };
    expect(await replayDeadLetter(options, letter.id)).toMatchObject({
      replayed: false,
      reason: 'Unknown Tiny Desk event "ticket.merged".',
    });

    // A new version of the plugin understands the event.
    const webhooks = template.webhooks as NonNullable<typeof template.webhooks>;
    const upgraded = {
      ...template,
      webhooks: {
        ...webhooks,
        parse: (request: WebhookRequest) =>
          ticketRecords((bodyJson(request) as { ticket: TinyDeskTicket }).ticket),
      },
    };
    const replayed = await replayDeadLetter(
      { ...options, plugins: createPluginRegistry([upgraded]) },
      letter.id,
    );
    expect(replayed).toMatchObject({
      replayed: true,
      counts: { created: 2 },
      deadLetter: { status: "REPLAYED" },
    });
    expect(await db.prisma.interaction.count()).toBe(1);
  });

  test("a kept delivery whose stored headers are damaged stays pending, saying which column and what to do", async ({
    db,
  }) => {
    await installTemplate(db.prisma);
    const event = { ...fixture("webhook-ticket-updated.json"), event: "ticket.merged" };
    await handleWebhook(
      { db: db.prisma, plugins, secretKey: SECRET_KEY, writes: writesAt(new Date("2026-03-05T08:01:00Z")) },
      "tinydesk",
      tinyDeskDelivery(event, { deliveryId: "dlv_6" }),
    );
    const letter = await db.prisma.deadLetter.findFirstOrThrow();
    expect(letter.details).toMatchObject({ encoding: "utf-8", method: "POST", verified: true });
    await db.prisma.deadLetter.update({ where: { id: letter.id }, data: { headers: ["not", "a", "map"] } });

    const result = await replayDeadLetter({ db: db.prisma, plugins, secretKey: SECRET_KEY }, letter.id);
    expect(result).toMatchObject({ replayed: false, deadLetter: { status: "PENDING" } });
    expect(result.reason).toBe(
      `DeadLetter.headers of DeadLetter ${letter.id} does not have the shape this hub reads: Invalid input: expected record, received array. The delivery cannot be rebuilt from it: discard the letter, and ask the provider to send the event again.`,
    );
  });
});
