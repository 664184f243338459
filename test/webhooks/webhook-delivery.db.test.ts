// Outgoing webhooks delivered to a real HTTP receiver on this machine: alerts raised and resolved and
// failed syncs become signed events that a receiver following the specification accepts; failures are
// retried on the schedule by the hub's clock, dead-lettered after the last attempt and replayable;
// endpoints without includePersonalData get masked data; Slack endpoints get a Slack message.
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, vi } from "vitest";
import { resolveAlert } from "../../src/alerts/work-alerts.ts";
import { eraseCustomers } from "../../src/connectors/privacy/erase-customers.ts";
import { finishSyncRun, queueSyncRun } from "../../src/connectors/sync/sync-runs.ts";
import {
  attemptDelivery,
  claimDueDeliveries,
  deliverDueWebhooks,
  webhookMessageId,
} from "../../src/webhooks/deliver-webhooks.ts";
import { rotateWebhookSecret } from "../../src/webhooks/manage-endpoints.ts";
import { replayWebhookDelivery } from "../../src/webhooks/replay-delivery.ts";
import { customers, intoCritical, intoHigh } from "../alerts/helpers/score-changes.ts";
import { test } from "../helpers/database.ts";
import { adminViewer, at, header, one, T0, two, webhookHub } from "./helpers/webhook-hub.ts";
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from "./helpers/webhook-receiver.ts";

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  vi.useRealTimers();
  await receiver.close();
});

/** What the reference library makes of a received webhook, its clock at `now` (the tolerance is 5 minutes). */
function verified(secret: string, webhook: ReceivedWebhook, now: Date): unknown {
  vi.useFakeTimers({ toFake: ["Date"], now });
  try {
    return new Webhook(secret).verify(webhook.body, webhook.headers as Record<string, string>);
  } finally {
    vi.useRealTimers();
  }
}

describe("delivering outgoing webhooks", () => {
  test("an alert raised reaches a subscribed endpoint signed so the reference library accepts it, and no one else", async ({
    db,
  }) => {
    const hub = webhookHub(db);
    const { secret } = await hub.endpoint({ url: receiver.url, eventTypes: ["ALERT_RAISED"] });
    await hub.endpoint({ url: `${receiver.url}/syncs`, eventTypes: ["SYNC_FAILED"] });
    const customer = one(await customers(db, 1));

    await hub.raise([intoCritical(customer)]);
    expect(await db.prisma.outgoingWebhookDelivery.count()).toBe(1);
    expect(await deliverDueWebhooks(hub.deps)).toBe(1);

    const webhook = one(await receiver.waitFor(1));
    expect(webhook.path).toBe("/hooks");
    expect(header(webhook, "content-type")).toBe("application/json");
    expect(header(webhook, "webhook-timestamp")).toBe(String(T0.getTime() / 1000));
    const alert = await db.prisma.alert.findFirstOrThrow();
    expect(verified(secret, webhook, T0)).toEqual({
      type: "alert.raised",
      timestamp: alert.createdAt.toISOString(),
      data: {
        alertId: alert.id,
        customer: { id: customer.id, displayName: "Customer 0", ownerId: null },
        level: "CRITICAL",
        score: 0.9,
        previousScore: 0.5,
        reasons: [
          expect.objectContaining({
            factor: "NPS",
            explanation: "Answered 0 to the NPS survey: a detractor.",
          }),
        ],
      },
    });
    const delivery = await db.prisma.outgoingWebhookDelivery.findFirstOrThrow({
      include: { attempts: true },
    });
    expect(delivery).toMatchObject({
      status: "SUCCEEDED",
      attemptCount: 1,
      lastStatusCode: 200,
      succeededAt: T0,
    });
    expect(header(webhook, "webhook-id")).toBe(webhookMessageId(delivery.eventId));
    expect(delivery.attempts).toEqual([
      expect.objectContaining({
        number: 1,
        attemptedAt: T0,
        statusCode: 200,
        error: null,
        responseBody: "ok",
      }),
    ]);
    expect(at(delivery.attempts, 0).durationMs).toBeGreaterThanOrEqual(0);
  });

  test("nothing is stored for events that no enabled endpoint subscribes to", async ({ db }) => {
    const hub = webhookHub(db);
    const { endpoint } = await hub.endpoint({ url: receiver.url, eventTypes: ["ALERT_RAISED"] });
    await db.prisma.webhookEndpoint.update({ where: { id: endpoint.id }, data: { enabled: false } });
    const customer = one(await customers(db, 1));

    await hub.raise([intoHigh(customer)]);

    expect(await db.prisma.webhookEvent.count()).toBe(0);
    expect(await db.prisma.outgoingWebhookDelivery.count()).toBe(0);
  });

  test("an alert resolving itself and a failed sync run are events too", async ({ db }) => {
    const hub = webhookHub(db);
    await hub.endpoint({ url: receiver.url, eventTypes: ["ALERT_RESOLVED", "SYNC_FAILED"] });
    const customer = one(await customers(db, 1));
    await hub.raise([intoCritical(customer)]);
    hub.advance(3600);
    await hub.raise([{ customer: customer, from: 0.9, to: 0.1 }]);
    const connector = await db.prisma.connector.create({ data: { pluginId: "template", name: "shop" } });
    const run = await queueSyncRun(db.prisma, { connectorId: connector.id, trigger: "MANUAL" });
    if (!run) throw new Error("A run was queued.");
    await finishSyncRun(db.prisma, run.id, {
      status: "FAILED",
      error: "The shop answered 401: check the token.",
    });

    expect(await deliverDueWebhooks(hub.deps)).toBe(2);
    const bodies = (await receiver.waitFor(2)).map((webhook) => JSON.parse(webhook.body));
    expect(bodies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: "alert.resolved",
          data: expect.objectContaining({ level: "CRITICAL", reason: "RISK_FELL", resolvedById: null }),
        }),
        expect.objectContaining({
          type: "sync.failed",
          data: {
            runId: run.id,
            connectorId: connector.id,
            connectorName: "shop",
            trigger: "MANUAL",
            error: "The shop answered 401: check the token.",
          },
        }),
      ]),
    );
  });

  test("a person resolving an alert sends alert.resolved with their note, masked for an endpoint without personal data", async ({
    db,
  }) => {
    const hub = webhookHub(db);
    await hub.endpoint({ url: receiver.url, eventTypes: ["ALERT_RESOLVED"] });
    await hub.raise([intoHigh(one(await customers(db, 1)))]);
    const alert = await db.prisma.alert.findFirstOrThrow();
    const viewer = adminViewer();
    await db.prisma.principal.create({ data: { id: viewer.principalId, name: "Ana Souza" } });
    hub.advance(600);

    await resolveAlert(
      db.prisma,
      alert.id,
      { note: "Called back, wrote to bea@example.com" },
      viewer,
      hub.clock(),
    );
    await deliverDueWebhooks(hub.deps);
    expect(JSON.parse(one(await receiver.waitFor(1)).body)).toMatchObject({
      type: "alert.resolved",
      timestamp: hub.clock().toISOString(),
      data: {
        alertId: alert.id,
        reason: "RESOLVED_BY_USER",
        resolvedById: viewer.principalId,
        note: "Called back, wrote to b•••@example.com",
      },
    });
  });

  test("failures are retried after the schedule's waits by the hub's clock, each attempt logged", async ({
    db,
  }) => {
    const hub = webhookHub(db, { retryDelaysSeconds: [5, 300] });
    await hub.endpoint({ url: receiver.url });
    const customer = one(await customers(db, 1));
    await hub.raise([intoHigh(customer)]);
    receiver.answers.push({ status: 500, body: "busy" }, { status: 503, headers: { "retry-after": "600" } });

    expect(await deliverDueWebhooks(hub.deps)).toBe(1);
    let delivery = await db.prisma.outgoingWebhookDelivery.findFirstOrThrow();
    expect(delivery).toMatchObject({ status: "PENDING", attemptCount: 1, lastStatusCode: 500 });
    expect(delivery.nextAttemptAt).toEqual(new Date(T0.getTime() + 5000));

    hub.advance(4);
    expect(await deliverDueWebhooks(hub.deps)).toBe(0);
    hub.advance(1);
    expect(await deliverDueWebhooks(hub.deps)).toBe(1);
    delivery = await db.prisma.outgoingWebhookDelivery.findFirstOrThrow();
    // The schedule says 300 s; the receiver's Retry-After asks for 600.
    expect(delivery).toMatchObject({ status: "PENDING", attemptCount: 2, lastStatusCode: 503 });
    expect(delivery.nextAttemptAt).toEqual(new Date(T0.getTime() + 5000 + 600_000));

    hub.advance(600);
    expect(await deliverDueWebhooks(hub.deps)).toBe(1);
    const done = await db.prisma.outgoingWebhookDelivery.findFirstOrThrow({
      include: { attempts: { orderBy: { number: "asc" } } },
    });
    expect(done).toMatchObject({ status: "SUCCEEDED", attemptCount: 3, nextAttemptAt: null });
    expect(done.attempts.map((a) => [a.number, a.statusCode, a.responseBody])).toEqual([
      [1, 500, "busy"],
      [2, 503, ""],
      [3, 200, "ok"],
    ]);
    // The same message each time, signed afresh with each attempt's timestamp.
    const received = await receiver.waitFor(3);
    expect(new Set(received.map((webhook) => webhook.headers["webhook-id"])).size).toBe(1);
    expect(received.map((webhook) => webhook.headers["webhook-timestamp"])).toEqual(
      [0, 5, 605].map((seconds) => String(T0.getTime() / 1000 + seconds)),
    );
  });

  test("after the last attempt a delivery is dead-lettered; a replay sends the same message again", async ({
    db,
  }) => {
    const hub = webhookHub(db, { retryDelaysSeconds: [5] });
    const { secret } = await hub.endpoint({ url: receiver.url });
    const customer = one(await customers(db, 1));
    await hub.raise([intoHigh(customer)]);
    receiver.fallback = { status: 500 };

    await deliverDueWebhooks(hub.deps);
    hub.advance(5);
    await deliverDueWebhooks(hub.deps);
    const dead = await db.prisma.outgoingWebhookDelivery.findFirstOrThrow();
    expect(dead).toMatchObject({ status: "DEAD", attemptCount: 2, deadAt: hub.clock(), nextAttemptAt: null });
    hub.advance(3600);
    expect(await deliverDueWebhooks(hub.deps)).toBe(0);

    receiver.fallback = { status: 204 };
    const replay = await replayWebhookDelivery(db.prisma, dead.id, hub.clock());
    expect(replay).toMatchObject({ status: "PENDING", replayOfId: dead.id, eventId: dead.eventId });
    expect(await deliverDueWebhooks(hub.deps)).toBe(1);
    const received = await receiver.waitFor(3);
    expect(header(at(received, 2), "webhook-id")).toBe(header(at(received, 0), "webhook-id"));
    expect(verified(secret, at(received, 2), hub.clock())).toMatchObject({ type: "alert.raised" });
    expect(
      await db.prisma.outgoingWebhookDelivery.findUniqueOrThrow({ where: { id: replay.id } }),
    ).toMatchObject({
      status: "SUCCEEDED",
      lastStatusCode: 204,
    });
    await expect(replayWebhookDelivery(db.prisma, replay.id, hub.clock())).resolves.toMatchObject({
      replayOfId: replay.id,
    });
  });

  test("a receiver that does not answer in time is a failed attempt, as is a redirect", async ({ db }) => {
    const hub = webhookHub(db, { timeoutMs: 300, retryDelaysSeconds: [5, 5] });
    await hub.endpoint({ url: receiver.url });
    const customer = one(await customers(db, 1));
    await hub.raise([intoHigh(customer)]);
    receiver.answers.push("hang", { status: 302, headers: { location: "https://elsewhere.example" } });

    await deliverDueWebhooks(hub.deps);
    hub.advance(5);
    await deliverDueWebhooks(hub.deps);
    const attempts = await db.prisma.outgoingWebhookAttempt.findMany({ orderBy: { number: "asc" } });
    expect(attempts.map((a) => [a.statusCode, a.error])).toEqual([
      [null, "No answer within 300 ms (CXHUB_WEBHOOK_TIMEOUT_SECONDS)."],
      [302, "The endpoint answered 302."],
    ]);
    expect(at(attempts, 0).durationMs).toBeGreaterThanOrEqual(250);
  });

  test("410 Gone dead-letters the delivery and disables the endpoint, which then gets nothing", async ({
    db,
  }) => {
    const hub = webhookHub(db);
    const { endpoint } = await hub.endpoint({ url: receiver.url });
    const [first, second] = two(await customers(db, 2));
    await hub.raise([intoHigh(first)]);
    receiver.answers.push({ status: 410 });

    await deliverDueWebhooks(hub.deps);
    expect(await db.prisma.outgoingWebhookDelivery.findFirstOrThrow()).toMatchObject({ status: "DEAD" });
    expect(await db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining("410 Gone"),
    });
    await hub.raise([intoHigh(second)]);
    expect(await db.prisma.outgoingWebhookDelivery.count()).toBe(1);
  });

  test("an endpoint without includePersonalData gets names masked; one with it gets them whole", async ({
    db,
  }) => {
    const hub = webhookHub(db);
    await hub.endpoint({ url: `${receiver.url}/masked` });
    await hub.endpoint({ url: `${receiver.url}/whole`, includePersonalData: true });
    const customer = await db.prisma.customer.create({ data: { displayName: "zoe.private@example.org" } });
    await hub.raise([intoHigh({ id: customer.id, ownerId: null })]);

    await deliverDueWebhooks(hub.deps);
    const byPath = new Map(
      (await receiver.waitFor(2)).map((webhook) => [webhook.path, JSON.parse(webhook.body)]),
    );
    expect(byPath.get("/hooks/masked").data.customer.displayName).toBe("z•••@example.org");
    expect(byPath.get("/hooks/whole").data.customer.displayName).toBe("zoe.private@example.org");
  });

  test("an erasure removes the customer's name from their events before a retry sends them again", async ({
    db,
  }) => {
    const hub = webhookHub(db, { retryDelaysSeconds: [5] });
    await hub.endpoint({ url: receiver.url, includePersonalData: true });
    const customer = await db.prisma.customer.create({ data: { displayName: "Zoe Private" } });
    await hub.raise([intoHigh({ id: customer.id, ownerId: null })]);
    receiver.answers.push({ status: 503 });
    await deliverDueWebhooks(hub.deps);

    await db.prisma.$transaction((tx) => eraseCustomers(tx, { customerIds: [customer.id] }));
    hub.advance(5);
    await deliverDueWebhooks(hub.deps);
    const [before, after] = two(await receiver.waitFor(2));
    expect(JSON.parse(before.body).data.customer.displayName).toBe("Zoe Private");
    expect(JSON.parse(after.body).data.customer).toEqual({
      id: customer.id,
      displayName: null,
      ownerId: null,
    });
  });

  test("a SLACK endpoint gets a Slack message, signed like any other", async ({ db }) => {
    const hub = webhookHub(db);
    const { secret } = await hub.endpoint({ url: receiver.url, format: "SLACK" });
    const customer = await db.prisma.customer.create({ data: { displayName: "Bea <Lima> & Co" } });
    await hub.raise([intoCritical({ id: customer.id, ownerId: null })]);

    await deliverDueWebhooks(hub.deps);
    const webhook = one(await receiver.waitFor(1));
    const text = "CRITICAL churn risk: Bea &lt;Lima&gt; &amp; Co is at 90% (was 50%).";
    expect(verified(secret, webhook, T0)).toEqual({
      text,
      blocks: [
        { type: "section", text: { type: "mrkdwn", text } },
        { type: "context", elements: [{ type: "mrkdwn", text: expect.stringMatching(/^alert\.raised · /) }] },
      ],
    });
  });

  test("after a rotation both secrets sign until the grace period ends, then only the new one", async ({
    db,
  }) => {
    const hub = webhookHub(db, { rotationGraceSeconds: 3600 });
    const { endpoint, secret: old } = await hub.endpoint({ url: receiver.url });
    const { secret: rotated } = await rotateWebhookSecret(
      { db: db.prisma, secretKey: hub.secretKey, settings: hub.settings, now: hub.clock() },
      endpoint.id,
    );
    const [first, second] = two(await customers(db, 2));
    await hub.raise([intoHigh(first)]);
    await deliverDueWebhooks(hub.deps);
    hub.advance(3600);
    await hub.raise([intoHigh(second)]);
    await deliverDueWebhooks(hub.deps);

    const [during, after] = two(await receiver.waitFor(2));
    expect(header(during, "webhook-signature").split(" ")).toHaveLength(2);
    expect(verified(old, during, T0)).toMatchObject({ type: "alert.raised" });
    expect(verified(rotated, during, T0)).toMatchObject({ type: "alert.raised" });
    expect(header(after, "webhook-signature").split(" ")).toHaveLength(1);
    expect(verified(rotated, after, hub.clock())).toMatchObject({ type: "alert.raised" });
    expect(() => verified(old, after, hub.clock())).toThrow(/No matching signature/);
  });

  test("a claim whose lease passed is claimed again, and the first worker's late outcome is not recorded", async ({
    db,
  }) => {
    const hub = webhookHub(db);
    await hub.endpoint({ url: receiver.url });
    const customer = one(await customers(db, 1));
    await hub.raise([intoHigh(customer)]);

    const stale = one(await claimDueDeliveries(hub.deps, 10));
    expect(await claimDueDeliveries(hub.deps, 10)).toEqual([]);
    hub.advance(hub.settings.timeoutMs / 1000 + 31);
    const again = one(await claimDueDeliveries(hub.deps, 10));
    expect(again).toMatchObject({ id: stale.id, attemptCount: 0 });
    expect(again.leaseUntil > stale.leaseUntil).toBe(true);
    // The first claimant wakes up late: its claim is no longer the delivery's, so nothing is sent.
    expect(await attemptDelivery(hub.deps, stale)).toMatchObject({ status: "SKIPPED" });
    expect(await attemptDelivery(hub.deps, again)).toMatchObject({ status: "SUCCEEDED" });
    expect(await db.prisma.outgoingWebhookAttempt.count()).toBe(1);
    expect(receiver.received).toHaveLength(1);
  });

  test("a backlog is claimed as claims end, never more than maxClaimed alive at once", async ({ db }) => {
    const hub = webhookHub(db);
    await hub.endpoint({ url: receiver.url });
    await hub.raise((await customers(db, 3)).map(intoHigh));

    const first = await claimDueDeliveries(hub.deps, 10, { maxClaimed: 2 });
    expect(first).toHaveLength(2);
    expect(await claimDueDeliveries(hub.deps, 10, { maxClaimed: 2 })).toEqual([]);
    await attemptDelivery(hub.deps, at(first, 0));
    expect(await claimDueDeliveries(hub.deps, 10, { maxClaimed: 2 })).toHaveLength(1);
  });
});
