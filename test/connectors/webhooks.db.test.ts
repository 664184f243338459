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
      skippedStale: 0,
      identitiesDropped: 0,
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

  test("the same delivery twice changes nothing, and so does the same signed body under another delivery id", async ({
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

    // The delivery-id header is not signed: a captured body re-sent under a new id is the same delivery.
    const resent = await handleWebhook(
      options(db.prisma),
      "tinydesk",
      tinyDeskDelivery(ticketUpdated, { deliveryId: "dlv_2" }),
    );
    expect(resent.status).toBe(200);
    expect(await resent.json()).toEqual({ duplicate: true });

    expect(await snapshot(db.prisma)).toEqual(before);
    const remembered = await db.prisma.webhookDelivery.findMany();
    expect(remembered).toHaveLength(1);
    expect(remembered[0]?.deliveryId).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The provider's id is kept for tracing only.
    expect(remembered[0]?.providerDeliveryId).toBe("dlv_1");
  });

  test("a signed body the plugin cannot use is acknowledged, kept whole as a dead letter, once", async ({
    db,
  }) => {
    const connector = await installTemplate(db.prisma);
    const body = JSON.stringify({ event: "ticket.exploded", sent_at: "2026-03-05T08:00:30Z" });

    const first = await handleWebhook(
      options(db.prisma),
      "tinydesk",
      tinyDeskDelivery(body, { deliveryId: "dlv_9" }),
    );
    // 200, not 400: the provider would resend the same bytes, which would fail the same way.
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      received: 0,
      deadLettered: 1,
      reason: 'Unknown Tiny Desk event "ticket.exploded".',
      issues: [],
    });
    const retry = await handleWebhook(
      options(db.prisma),
      "tinydesk",
      tinyDeskDelivery(body, { deliveryId: "dlv_9" }),
    );
    expect(await retry.json()).toEqual({ duplicate: true });

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
  });

  test("a signed body whose fields have the wrong types is dead-lettered with each issue's path", async ({
    db,
  }) => {
    await installTemplate(db.prisma);
    const body = {
      ...ticketUpdated,
      ticket: { ...(ticketUpdated.ticket as object), customer: "x", satisfaction: [null] },
    };

    const response = await handleWebhook(options(db.prisma), "tinydesk", tinyDeskDelivery(body));

    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer).toMatchObject({ received: 0, deadLettered: 1 });
    expect(answer.issues.map((issue: { path: string }) => issue.path)).toEqual([
      "ticket.customer",
      "ticket.satisfaction",
    ]);
    const [letter] = await db.prisma.deadLetter.findMany();
    expect(letter).toMatchObject({ kind: "WEBHOOK_DELIVERY", payload: JSON.stringify(body) });
    expect(letter?.reason).toMatch(
      /^The Tiny Desk delivery is not in the documented format: ticket\.customer: /,
    );
    expect(letter?.details).toMatchObject({
      issues: [{ path: "ticket.customer" }, { path: "ticket.satisfaction" }],
    });
    expect(await db.prisma.interaction.count()).toBe(0);
  });

  test("a signed body that is not JSON is acknowledged and kept", async ({ db }) => {
    await installTemplate(db.prisma);
    const response = await handleWebhook(options(db.prisma), "tinydesk", tinyDeskDelivery("{not json"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ received: 0, deadLettered: 1 });
    const [letter] = await db.prisma.deadLetter.findMany();
    expect(letter).toMatchObject({ payload: "{not json", kind: "WEBHOOK_DELIVERY" });
    expect(letter?.reason).toMatch(/^The webhook body is not JSON/);
  });

  test("records of a delivery the hub refuses are dead-lettered, the others stored", async ({ db }) => {
    await installTemplate(db.prisma);
    const broken = structuredClone(ticketUpdated) as { ticket: { customer: { id: string; email: string } } };
    // No identity left once the invalid ones are left out: the records cannot name their customer.
    broken.ticket.customer.email = "not an email";
    broken.ticket.customer.id = " ";

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
