// Segment entries as outgoing webhooks: a write that puts a customer in a segment, and the daily
// check that finds entries no write caused, each send one signed segment.entered to the endpoints
// subscribed to it (masked unless the endpoint has includePersonalData), once, and nothing to others.
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, vi } from "vitest";
import { recordSegmentEntryWebhooks } from "../../src/alerts/segment-entry-webhooks.ts";
import type { Database } from "../../src/db/database.ts";
import { recordSegmentEntries } from "../../src/domain/segments/segment-entries.ts";
import { runSegmentCountJob } from "../../src/jobs/segment-count-jobs.ts";
import { deliverDueWebhooks } from "../../src/webhooks/deliver-webhooks.ts";
import { buildPopulation } from "../domain/segments/segment-population.ts";
import {
  LATER,
  supportMessage,
  supportMessageOutsidePipeline,
  supportSegment,
} from "../domain/segments/support-contacts.ts";
import { test } from "../helpers/database.ts";
import { header, one, T0, webhookHub } from "./helpers/webhook-hub.ts";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver.ts";

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  vi.useRealTimers();
  await receiver.close();
});

/** When the customer entered the segment, by its membership row. */
async function enteredAt(db: Database, segmentId: string, customerId: string) {
  const row = await db.prisma.segmentMembership.findUnique({
    where: { segmentId_customerId: { segmentId, customerId } },
  });
  return row?.enteredAt ?? null;
}

describe("segment.entered webhooks", () => {
  test("a write that puts a customer in a segment sends one signed segment.entered, masked without includePersonalData", async ({
    db,
  }) => {
    const population = await buildPopulation(db);
    const segment = await supportSegment(db, population);
    const hub = webhookHub(db);
    const masked = await hub.endpoint({ url: `${receiver.url}/masked`, eventTypes: ["SEGMENT_ENTERED"] });
    await hub.endpoint({
      url: `${receiver.url}/whole`,
      eventTypes: ["SEGMENT_ENTERED"],
      includePersonalData: true,
    });
    await hub.endpoint({ url: `${receiver.url}/alerts`, eventTypes: ["ALERT_RAISED", "SYNC_FAILED"] });
    const ada = population.ids.ada;
    await db.prisma.customer.update({ where: { id: ada }, data: { displayName: "ada.private@example.org" } });

    await supportMessage(db, ada, "ticket-1");
    await supportMessage(db, ada, "ticket-2"); // Already in the segment: no second event.
    expect(await enteredAt(db, segment.id, ada)).toEqual(LATER);
    expect(await db.prisma.webhookEvent.count({ where: { type: "SEGMENT_ENTERED" } })).toBe(1);

    expect(await deliverDueWebhooks(hub.deps)).toBe(2);
    const received = await receiver.waitFor(2);
    expect(received.map((webhook) => webhook.path).sort()).toEqual(["/hooks/masked", "/hooks/whole"]);
    const byPath = new Map(received.map((webhook) => [webhook.path, webhook]));
    const maskedWebhook = byPath.get("/hooks/masked");
    if (!maskedWebhook) throw new Error("the masked endpoint received nothing");
    expect(header(maskedWebhook, "webhook-timestamp")).toBe(String(T0.getTime() / 1000));
    vi.useFakeTimers({ toFake: ["Date"], now: T0 });
    const payload = new Webhook(masked.secret).verify(
      maskedWebhook.body,
      maskedWebhook.headers as Record<string, string>,
    );
    vi.useRealTimers();
    const data = {
      segment: { id: segment.id, name: "Support contacts" },
      customer: { id: ada, displayName: "a•••@example.org", ownerId: population.ana },
      enteredAt: LATER.toISOString(),
    };
    expect(payload).toEqual({ type: "segment.entered", timestamp: LATER.toISOString(), data });
    expect(JSON.parse(byPath.get("/hooks/whole")?.body ?? "null")).toEqual({
      type: "segment.entered",
      timestamp: LATER.toISOString(),
      data: { ...data, customer: { ...data.customer, displayName: "ada.private@example.org" } },
    });
    // Delivered once: nothing is due any more.
    expect(await deliverDueWebhooks(hub.deps)).toBe(0);
  });

  test("the daily check's entries are sent too, as a Slack message to a Slack endpoint", async ({ db }) => {
    const population = await buildPopulation(db);
    await supportSegment(db, population);
    const hub = webhookHub(db);
    const { secret } = await hub.endpoint({
      url: receiver.url,
      eventTypes: ["SEGMENT_ENTERED"],
      format: "SLACK",
    });
    // Cy's message stored without the pipeline: only the daily check can see that he entered.
    await supportMessageOutsidePipeline(db, population.ids.cy);
    expect(await db.prisma.webhookEvent.count()).toBe(0);
    const check = { slot: LATER.toISOString(), day: "2026-03-01", asOf: LATER.toISOString() };
    expect((await runSegmentCountJob(db.prisma, check)).entries).toBe(1);
    expect((await runSegmentCountJob(db.prisma, check)).entries).toBe(0);

    expect(await deliverDueWebhooks(hub.deps)).toBe(1);
    const webhook = one(await receiver.waitFor(1));
    vi.useFakeTimers({ toFake: ["Date"], now: T0 });
    const body = new Webhook(secret).verify(webhook.body, webhook.headers as Record<string, string>);
    vi.useRealTimers();
    const text = "Cy Young entered the segment Support contacts.";
    expect(body).toEqual({
      text,
      blocks: [
        { type: "section", text: { type: "mrkdwn", text } },
        {
          type: "context",
          elements: [{ type: "mrkdwn", text: `segment.entered · ${LATER.toISOString()}` }],
        },
      ],
    });
  });

  test("an entry rolled back with its transaction sends nothing and is found again, then sent once", async ({
    db,
  }) => {
    const population = await buildPopulation(db);
    const segment = await supportSegment(db, population);
    const hub = webhookHub(db);
    await hub.endpoint({ url: receiver.url, eventTypes: ["SEGMENT_ENTERED"] });
    const ada = population.ids.ada;
    await supportMessageOutsidePipeline(db, ada);

    // The entry and its event are written in the caller's transaction; the caller then fails.
    const failing = db.prisma.$transaction(async (tx) => {
      const entries = await recordSegmentEntries(tx, { customerIds: [ada] }, LATER);
      await recordSegmentEntryWebhooks(tx, entries, LATER);
      expect(await tx.webhookEvent.count()).toBe(1);
      throw new Error("the caller failed after the entry");
    });
    await expect(failing).rejects.toThrow("the caller failed after the entry");
    expect(await enteredAt(db, segment.id, ada)).toBeNull();
    expect(await db.prisma.webhookEvent.count()).toBe(0);

    // Not lost: the daily check finds the entry again, and it is sent once.
    const check = { slot: LATER.toISOString(), day: "2026-03-01", asOf: LATER.toISOString() };
    expect((await runSegmentCountJob(db.prisma, check)).entries).toBe(1);
    expect(await deliverDueWebhooks(hub.deps)).toBe(1);
    expect(JSON.parse(one(await receiver.waitFor(1)).body).data.customer.id).toBe(ada);
    expect(await deliverDueWebhooks(hub.deps)).toBe(0);
  });

  test("an endpoint not subscribed to segment entries gets nothing, and nothing is stored", async ({
    db,
  }) => {
    const population = await buildPopulation(db);
    const segment = await supportSegment(db, population);
    const hub = webhookHub(db);
    await hub.endpoint({ url: receiver.url, eventTypes: ["ALERT_RESOLVED", "SYNC_FAILED"] });
    const disabled = await hub.endpoint({ url: receiver.url, eventTypes: ["SEGMENT_ENTERED"] });
    await db.prisma.webhookEndpoint.update({ where: { id: disabled.endpoint.id }, data: { enabled: false } });

    await supportMessage(db, population.ids.ada, "ticket-1");
    expect(await enteredAt(db, segment.id, population.ids.ada)).toEqual(LATER);
    expect(await db.prisma.webhookEvent.count()).toBe(0);
    expect(await deliverDueWebhooks(hub.deps)).toBe(0);
    expect(receiver.received).toEqual([]);
  });
});
