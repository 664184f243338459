// POST /webhooks/<connector> as the server will mount it: Tiny Desk deliveries (the template plugin's
// documented format) verified over the raw body, ingested through the sync's path, replays refused.
import { describe, expect } from "vitest";
import { handleWebhook, type WebhookHandlerOptions } from "../../src/connectors/webhooks/handle-webhook.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { test } from "../helpers/database.ts";
import { writesAt } from "../helpers/writes.ts";
import { fixture, installTemplate, plugins, SECRET_KEY, tinyDeskDelivery } from "./helpers/hub.ts";

// The fixture was sent at 08:00:05; the hub receives it within its replay window.
const NOW = new Date("2026-03-05T08:01:00Z");
const ticketUpdated = fixture("webhook-ticket-updated.json");

function options(db: PrismaClient, overrides: Partial<WebhookHandlerOptions> = {}): WebhookHandlerOptions {
  return { db, plugins, secretKey: SECRET_KEY, writes: writesAt(NOW), ...overrides };
}

async function snapshot(db: PrismaClient) {
  return {
    customers: await db.customer.findMany({
      orderBy: { id: "asc" },
      include: { identities: true, score: true },
    }),
    interactions: await db.interaction.findMany({ orderBy: { id: "asc" } }),
  };
}

describe("webhooks", () => {
  test("a correctly signed delivery is stored through the ingest path and its customer rescored", async ({
    db,
  }) => {
    await installTemplate(db.prisma);

    const response = await handleWebhook(
      options(db.prisma),
      "tinydesk",
      tinyDeskDelivery(ticketUpdated, { deliveryId: "dlv_1" }),
    );

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      received: 2,
      created: 2,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      deadLettered: 0,
    });
    const interaction = await db.prisma.interaction.findFirstOrThrow({
      include: { customer: { include: { score: true } } },
    });
    expect(interaction).toMatchObject({
      source: "tinydesk",
      externalId: "ticket:t_1004",
      channel: "SUPPORT",
    });
    expect(interaction.customer.displayName).toBe("Sam Okafor");
    expect(interaction.customer.score?.computedAt).toBeInstanceOf(Date);
  });

  test("a bad, missing or tampered signature is answered 401 and nothing is stored", async ({ db }) => {
    await installTemplate(db.prisma);
    const tampered = tinyDeskDelivery(ticketUpdated);
    const body = (await tampered.text()).replace("sam@", "eve@");
    const deliveries = [
      tinyDeskDelivery(ticketUpdated, { secret: "whsec_someone_else_0000" }),
      new Request("https://hub.example.com/webhooks/tinydesk", {
        method: "POST",
        body: JSON.stringify(ticketUpdated),
      }),
      new Request("https://hub.example.com/webhooks/tinydesk", {
        method: "POST",
        headers: tampered.headers,
        body,
      }),
    ];
    for (const delivery of deliveries) {
      const response = await handleWebhook(options(db.prisma), "tinydesk", delivery);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: "The delivery's signature does not verify." });
    }
    expect(await db.prisma.interaction.count()).toBe(0);
    expect(await db.prisma.customer.count()).toBe(0);
    expect(await db.prisma.deadLetter.count()).toBe(0);
  });

  test("a signed time outside the replay window is answered 401", async ({ db }) => {
    await installTemplate(db.prisma);
    const anHourLater = () => new Date("2026-03-05T09:00:05Z");
    const response = await handleWebhook(
      options(db.prisma, { writes: writesAt(anHourLater()) }),
      "tinydesk",
      tinyDeskDelivery(ticketUpdated, { deliveryId: "dlv_1" }),
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "The delivery was signed outside the replay window." });
    expect(await db.prisma.interaction.count()).toBe(0);
  });

  test("the same delivery twice changes nothing; the same content under another id is unchanged", async ({
    db,
  }) => {
    await installTemplate(db.prisma);
    const first = await handleWebhook(
      options(db.prisma),
      "tinydesk",
      tinyDeskDelivery(ticketUpdated, { deliveryId: "dlv_1" }),
    );
    expect(first.status).toBe(200);
    const before = await snapshot(db.prisma);

    const again = await handleWebhook(
      options(db.prisma),
      "tinydesk",
      tinyDeskDelivery(ticketUpdated, { deliveryId: "dlv_1" }),
    );
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ duplicate: true });

    const resent = await handleWebhook(
      options(db.prisma),
      "tinydesk",
      tinyDeskDelivery(ticketUpdated, { deliveryId: "dlv_2" }),
    );
    expect(await resent.json()).toMatchObject({ received: 2, created: 0, unchanged: 2 });

    expect(await snapshot(db.prisma)).toEqual(before);
    expect(await db.prisma.webhookDelivery.count()).toBe(2);
  });

  test("a body the plugin cannot read is answered 400 and kept whole as a dead letter, once", async ({
    db,
  }) => {
    const connector = await installTemplate(db.prisma);
    const body = JSON.stringify({ event: "ticket.exploded", sent_at: "2026-03-05T08:00:30Z" });

    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await handleWebhook(
        options(db.prisma),
        "tinydesk",
        tinyDeskDelivery(body, { deliveryId: "dlv_9" }),
      );
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'Unknown Tiny Desk event "ticket.exploded".' });
    }

    const letters = await db.prisma.deadLetter.findMany();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      connectorId: connector.id,
      kind: "WEBHOOK_DELIVERY",
      stream: "webhook",
      payload: body,
      reason: 'Unknown Tiny Desk event "ticket.exploded".',
      status: "PENDING",
      details: { verified: true, encoding: "utf-8", method: "POST" },
    });
    expect(letters[0]?.headers).toMatchObject({ "x-tinydesk-delivery": "dlv_9" });
    // Not marked as seen: once the plugin reads it, the provider's retry is ingested.
    expect(await db.prisma.webhookDelivery.count()).toBe(0);
  });

  test("a signed body that is not JSON is answered 400 and kept", async ({ db }) => {
    await installTemplate(db.prisma);
    const response = await handleWebhook(options(db.prisma), "tinydesk", tinyDeskDelivery("{not json"));
    expect(response.status).toBe(400);
    const [letter] = await db.prisma.deadLetter.findMany();
    expect(letter).toMatchObject({ payload: "{not json", kind: "WEBHOOK_DELIVERY" });
    expect(letter?.reason).toMatch(/^The webhook body is not JSON/);
  });

  test("records of a delivery the hub refuses are dead-lettered, the others stored", async ({ db }) => {
    await installTemplate(db.prisma);
    const broken = structuredClone(ticketUpdated) as { ticket: { customer: { email: string } } };
    broken.ticket.customer.email = "not an email";

    const response = await handleWebhook(options(db.prisma), "tinydesk", tinyDeskDelivery(broken));

    expect(await response.json()).toMatchObject({ received: 2, created: 0, deadLettered: 2 });
    const letters = await db.prisma.deadLetter.findMany({ orderBy: { payload: "asc" } });
    expect(letters.map((letter) => [letter.kind, letter.stream, JSON.parse(letter.payload).type])).toEqual([
      ["RECORD", "webhook", "customer"],
      ["RECORD", "webhook", "interaction"],
    ]);
    expect(letters[0]?.reason).toMatch(/identities\.0\.value: "not an email" is not an email address/);
  });

  test("an unknown connector is answered 404", async ({ db }) => {
    const response = await handleWebhook(options(db.prisma), "nobody", tinyDeskDelivery(ticketUpdated));
    expect(response.status).toBe(404);
  });
});
