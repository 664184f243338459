// Live alerts through a real server on a real port: graphql-ws and server-sent events, API keys at
// connection time, each account manager hearing only their own customers' alerts, each alert once and
// only after its transaction committed, a reconnect with `since` that misses nothing, and a
// customer's score followed as it changes. These tests await events instead of sleeping: a feed
// subscribes with `since` the stream's start, so an alert raised before the server has set up the
// subscription is replayed rather than missed; and an alert that should not arrive is followed by one
// that should, which it would have preceded (every feed sees one publish order).
import { afterEach, describe, expect, vi } from "vitest";
import { MAX_LIVE_BACKLOG } from "../../src/alerts/alert-stream.ts";
import { raiseAlerts } from "../../src/alerts/raise-alerts.ts";
import { encodeStreamCursor } from "../../src/alerts/stream-cursor.ts";
import { revokeApiKey } from "../../src/auth/api-keys.ts";
import type { Database } from "../../src/db/database.ts";
import { shownProbability } from "../../src/graph/probability.ts";
import { resolveAlertPolicy } from "../../src/policy/alert-policy-settings.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { ChurnRiskAlertsDocument, CustomerScoreChangedDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import {
  createKey,
  detractorAnswer,
  type LiveHub,
  managerWithCustomer,
  startLiveHub,
  subscribeOverSse,
  subscribeOverWebSocket,
  WebSocket,
} from "./helpers/live-hub.ts";
import { changesOf, customers, intoHigh } from "./helpers/score-changes.ts";

const hubs: LiveHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});
async function hubFor(db: Database) {
  const hub = await startLiveHub(db);
  hubs.push(hub);
  return hub;
}
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");
/** The cursor before the first alert a test raises: the start of its fresh database's stream. */
const fromTheStart = encodeStreamCursor(0n);

describe("churnRiskAlerts over graphql-ws", () => {
  test("an account manager hears their own customer's alerts once, and not another manager's; minimumLevel filters", async ({
    db,
  }) => {
    const hub = await hubFor(db);
    const ana = await managerWithCustomer(db, "Ana");
    const ben = await managerWithCustomer(db, "Ben");
    const admin = await createKey(db, "ADMIN");
    const anaFeed = await subscribeOverWebSocket(hub.wsUrl, ana.key, ChurnRiskAlertsDocument, {
      since: fromTheStart,
    });
    const allFeed = await subscribeOverWebSocket(hub.wsUrl, admin.key, ChurnRiskAlertsDocument, {
      scope: "ALL",
      since: fromTheStart,
    });
    const criticalFeed = await subscribeOverWebSocket(hub.wsUrl, ana.key, ChurnRiskAlertsDocument, {
      minimumLevel: "CRITICAL",
      since: fromTheStart,
    });

    await detractorAnswer(db, ben.customerId); // Ben's customer first: Ana must not hear it.
    await detractorAnswer(db, ana.customerId);

    const anaEvent = await anaFeed.next();
    expect(anaEvent.errors).toBeUndefined();
    expect(anaEvent.data?.churnRiskAlerts).toMatchObject({
      alert: {
        level: "HIGH",
        previousLevel: "MEDIUM",
        status: "OPEN",
        customer: { id: globalId("Customer", ana.customerId) },
      },
    });
    expect(anaEvent.data?.churnRiskAlerts.alert?.reasons.map((r) => r.factor)).toContain("NPS");
    const stored = await db.prisma.alert.findFirstOrThrow({ where: { customerId: ana.customerId } });
    expect(stored.publishedAt).not.toBeNull();
    expect(anaEvent.data?.churnRiskAlerts.alert?.churnRisk).toBe(shownProbability(stored.score));

    // The admin's feed has both, in the order they were published.
    const first = await allFeed.next();
    const second = await allFeed.next();
    expect([first, second].map((e) => e.data?.churnRiskAlerts.alert?.customer.id)).toEqual([
      globalId("Customer", ben.customerId),
      globalId("Customer", ana.customerId),
    ]);

    // An escalation is the next thing Ana hears: the HIGH alert did not arrive twice.
    await detractorAnswer(db, ana.customerId, 0).then(() =>
      db.prisma.interaction.create({
        data: {
          customerId: ana.customerId,
          source: "mail",
          externalId: "angry-1",
          channel: "EMAIL",
          kind: "email.received",
          direction: "INBOUND",
          occurredAt: new Date(Date.now() - 60_000),
          sentiment: -0.9,
        },
      }),
    );
    await detractorAnswer(db, ana.customerId, 0); // rescored with the angry message: CRITICAL
    const escalation = await anaFeed.next();
    expect(escalation.data?.churnRiskAlerts.alert?.level).toBe("CRITICAL");
    // minimumLevel: CRITICAL left the HIGH alert out: the escalation is the first thing it heard.
    expect((await criticalFeed.next()).data?.churnRiskAlerts.alert?.id).toBe(
      escalation.data?.churnRiskAlerts.alert?.id,
    );
    for (const feed of [anaFeed, allFeed, criticalFeed]) feed.close();
  });

  test("many alerts for one manager from one rescore arrive as one digest listing them, replayed as one too; other managers do not hear it", async ({
    db,
  }) => {
    const hub = await hubFor(db);
    const ana = await managerWithCustomer(db, "Ana");
    const ben = await managerWithCustomer(db, "Ben");
    const anaFeed = await subscribeOverWebSocket(hub.wsUrl, ana.key, ChurnRiskAlertsDocument, {
      since: fromTheStart,
    });
    const benFeed = await subscribeOverWebSocket(hub.wsUrl, ben.key, ChurnRiskAlertsDocument, {
      since: fromTheStart,
    });
    // A scheduled rescore's slice, under a policy that digests more than 3 alerts for one owner.
    const policy = {
      ...resolveAlertPolicy(DEFAULT_SCORING_POLICY.alerts, DEFAULT_SCORING_POLICY.levels),
      digestAbove: 3,
    };
    const anas = await customers(db, 4, ana.principal.id);
    const now = new Date("2026-03-02T10:00:00Z");
    await db.prisma.$transaction((tx) =>
      raiseAlerts(tx, changesOf(anas.map(intoHigh), now), policy, { now }),
    );

    const first = (await anaFeed.next()).data?.churnRiskAlerts;
    expect(first?.alert).toBeNull();
    expect(first?.digest).toMatchObject({
      alertCount: 4,
      highCount: 4,
      criticalCount: 0,
      owner: { name: "Ana" },
      alerts: { totalCount: 4, pageInfo: { hasNextPage: false } },
    });
    expect(first?.digest?.alerts.edges.map((edge) => edge.node.customer.id).sort()).toEqual(
      anas.map((customer) => globalId("Customer", customer.id)).sort(),
    );
    expect(first?.digest?.alerts.edges[0]?.node.reasons[0]?.factor).toBe("NPS");
    // Single alerts again after it: none of the four came one by one before it.
    await detractorAnswer(db, ana.customerId);
    expect((await anaFeed.next()).data?.churnRiskAlerts.alert?.customer.id).toBe(
      globalId("Customer", ana.customerId),
    );
    await detractorAnswer(db, ben.customerId);
    expect((await benFeed.next()).data?.churnRiskAlerts).toMatchObject({
      digest: null,
      alert: { customer: { id: globalId("Customer", ben.customerId) } },
    });

    const replay = await subscribeOverWebSocket(hub.wsUrl, ana.key, ChurnRiskAlertsDocument, {
      since: fromTheStart,
    });
    const replayed = [
      (await replay.next()).data?.churnRiskAlerts,
      (await replay.next()).data?.churnRiskAlerts,
    ];
    expect(replayed.map((event) => [event?.replayed, event?.digest?.id ?? event?.alert?.id])).toEqual([
      [true, first?.digest?.id],
      [true, expect.any(String)],
    ]);
    expect(replayed[0]?.cursor).toBe(first?.cursor);
    for (const feed of [anaFeed, benFeed, replay]) feed.close();
  });

  test("a subscriber that reconnects with `since` gets every alert it missed, then live ones, none twice", async ({
    db,
  }) => {
    const hub = await hubFor(db);
    const admin = await createKey(db, "ADMIN");
    const [caio, dora, edu, fia] = await Promise.all(
      ["Caio", "Dora", "Edu", "Fia"].map((n) => managerWithCustomer(db, n)),
    );
    if (!caio || !dora || !edu || !fia) throw new Error("Four managers were made.");
    const feed = await subscribeOverWebSocket(hub.wsUrl, admin.key, ChurnRiskAlertsDocument, {
      scope: "ALL",
      since: fromTheStart,
    });
    await detractorAnswer(db, caio.customerId);
    const seen = await feed.next();
    feed.close();

    // Missed while disconnected.
    await detractorAnswer(db, dora.customerId);
    await detractorAnswer(db, edu.customerId);
    await hub.live.dispatcher.wake();

    const again = await subscribeOverWebSocket(hub.wsUrl, admin.key, ChurnRiskAlertsDocument, {
      scope: "ALL",
      since: seen.data?.churnRiskAlerts.cursor,
    });
    const events = [await again.next(), await again.next()];
    // The replay is done, so the subscription is live: this one arrives as it happens.
    await detractorAnswer(db, fia.customerId);
    events.push(await again.next());
    expect(
      events.map((e) => [e.data?.churnRiskAlerts.alert?.customer.id, e.data?.churnRiskAlerts.replayed]),
    ).toEqual([
      [globalId("Customer", dora.customerId), true],
      [globalId("Customer", edu.customerId), true],
      [globalId("Customer", fia.customerId), false],
    ]);
    const cursors = events.map((e) => e.data?.churnRiskAlerts.cursor);
    expect(new Set(cursors).size).toBe(3);
    again.close();
  });

  test("a subscriber that falls too far behind is ended with SLOW_CONSUMER; resubscribing with `since`, it misses none", async ({
    db,
  }) => {
    const hub = await hubFor(db);
    const admin = await createKey(db, "ADMIN");
    const lia = await managerWithCustomer(db, "Lia");
    // One alert raised for real: once the feed has it, the subscription is listening.
    const feed = await subscribeOverWebSocket(hub.wsUrl, admin.key, ChurnRiskAlertsDocument, {
      scope: "ALL",
      since: fromTheStart,
    });
    await detractorAnswer(db, lia.customerId);
    expect((await feed.next()).data?.churnRiskAlerts.alert?.level).toBe("HIGH");
    // The dispatcher publishes before it commits (dispatch-alerts.ts): the position is read once committed.
    const start = await vi.waitFor(async () => {
      const { streamPosition } = await db.prisma.alert.findFirstOrThrow();
      if (streamPosition === null)
        throw new Error("The first alert was published, so it has a stream position.");
      return streamPosition;
    });

    // A burst of alerts faster than any client reads: stored as the dispatcher stores them, then
    // handed to the bus in one go.
    const burst = MAX_LIVE_BACKLOG + 20;
    await db.prisma.alert.createMany({
      data: Array.from({ length: burst }, (_, i) => ({
        customerId: lia.customerId,
        ownerId: lia.principal.id,
        level: "HIGH" as const,
        score: 0.7,
        triggerKey: `burst-${i}`,
        publishedAt: new Date(),
        streamPosition: start + BigInt(i + 1),
      })),
    });
    const stored = await db.prisma.alert.findMany({
      where: { triggerKey: { startsWith: "burst-" } },
      include: { customer: true },
      orderBy: { streamPosition: "asc" },
    });
    for (const [index, alert] of stored.entries()) {
      void hub.live.bus.publish({ position: start + BigInt(index + 1), alert });
    }

    const heard: Array<{ id: string; cursor: string }> = [];
    let ending: unknown;
    for (;;) {
      try {
        const event = (await feed.next()).data?.churnRiskAlerts;
        if (event) heard.push({ id: event.alert?.id ?? "(not an alert)", cursor: event.cursor });
      } catch (error) {
        ending = error;
        break;
      }
    }
    expect(ending).toEqual([
      expect.objectContaining({
        message: `You fell more than ${MAX_LIVE_BACKLOG} alerts behind (your connection did not read them as fast as they came), so this subscription was ended: subscribe again with since: the cursor of the last event you received, and the alerts you missed are replayed first.`,
        extensions: { code: "SLOW_CONSUMER", limit: MAX_LIVE_BACKLOG },
      }),
    ]);
    expect(heard.length).toBeLessThan(burst);

    const last = heard.at(-1)?.cursor ?? encodeStreamCursor(start);
    const again = await subscribeOverWebSocket(hub.wsUrl, admin.key, ChurnRiskAlertsDocument, {
      scope: "ALL",
      since: last,
    });
    while (heard.length < burst) {
      const event = (await again.next()).data?.churnRiskAlerts;
      if (!event) throw new Error("The replay gave an event without data.");
      expect(event.replayed).toBe(true);
      heard.push({ id: event.alert?.id ?? "(not an alert)", cursor: event.cursor });
    }
    again.close();
    feed.close();
    expect(heard.map((event) => event.id)).toEqual(stored.map((alert) => globalId("Alert", alert.id)));
  });

  test("a connection without a valid key is closed with 4401 and a reason; roles and cursors are checked at subscribe", async ({
    db,
  }) => {
    const hub = await hubFor(db);
    const closeOf = (payload: Record<string, unknown> | undefined, headers: Record<string, string> = {}) =>
      new Promise<{ code: number; reason: string }>((resolve) => {
        const socket = new WebSocket(hub.wsUrl, "graphql-transport-ws", { headers });
        socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload })));
        socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
      });
    expect(await closeOf(undefined)).toEqual({
      code: 4401,
      reason:
        'Send your API key: connection_init payload {"authorization": "Bearer <key>"}, or an Authorization header.',
    });
    expect((await closeOf({ authorization: "Bearer cxh_nope" })).reason).toMatch(/^The API key is malformed/);
    expect((await closeOf({ apiKey: `cxh_AAAAAAAAAAAA_${"a".repeat(43)}` })).reason).toMatch(
      /not recognised/,
    );

    // A key in the upgrade request's header is accepted too.
    const { key } = await createKey(db, "ADMIN");
    const acknowledged = await new Promise<string>((resolve) => {
      const socket = new WebSocket(hub.wsUrl, "graphql-transport-ws", {
        headers: { authorization: `Bearer ${key}` },
      });
      socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
      socket.on("message", (data) => {
        resolve(JSON.parse(String(data)).type);
        socket.close();
      });
    });
    expect(acknowledged).toBe("connection_ack");

    // A key revoked while its socket is open stops working: the next subscribe closes the socket.
    const leaving = await createKey(db, "ADMIN");
    const revoked = await new Promise<{ code: number; reason: string }>((resolve) => {
      const socket = new WebSocket(hub.wsUrl, "graphql-transport-ws");
      socket.on("open", () =>
        socket.send(
          JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${leaving.key}` } }),
        ),
      );
      socket.on("message", async (data) => {
        if (JSON.parse(String(data)).type !== "connection_ack") return;
        await revokeApiKey(db.prisma, leaving.apiKey.prefix);
        const query = "subscription { churnRiskAlerts(scope: ALL) { cursor } }";
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query } }));
      });
      socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    expect(revoked).toEqual({ code: 4401, reason: "The API key was revoked: ask an admin for a new one." });

    // Valid keys, operations they may not run.
    const hal = await managerWithCustomer(db, "Hal");
    const integrator = await createKey(db, "INTEGRATOR");
    const all = await subscribeOverWebSocket(hub.wsUrl, hal.key, ChurnRiskAlertsDocument, { scope: "ALL" });
    const refused = await all.next();
    expect(refused.errors?.[0]).toMatchObject({
      message: "Account managers follow the alerts of their own customers: subscribe with scope: MINE.",
      extensions: { code: "FORBIDDEN" },
    });
    const sync = await subscribeOverWebSocket(hub.wsUrl, integrator.key, ChurnRiskAlertsDocument, {});
    expect((await sync.next()).errors?.[0]).toMatchObject({
      message: "Integrator keys do not receive alerts: use an admin, analyst or account manager key.",
      extensions: { code: "FORBIDDEN" },
    });
    const badCursor = await subscribeOverWebSocket(hub.wsUrl, hal.key, ChurnRiskAlertsDocument, {
      since: "nope",
    });
    expect((await badCursor.next()).errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    for (const feed of [all, sync, badCursor]) feed.close();
  });
});

describe("subscriptions over server-sent events", () => {
  test("churnRiskAlerts streams over SSE with the key in the Authorization header; without one, 401", async ({
    db,
  }) => {
    const hub = await hubFor(db);
    const ivo = await managerWithCustomer(db, "Ivo");
    const feed = await subscribeOverSse(hub.url, ivo.key, ChurnRiskAlertsDocument, { since: fromTheStart });
    expect(feed.response.headers.get("content-type")).toContain("text/event-stream");
    await detractorAnswer(db, ivo.customerId);
    expect((await feed.next()).data?.churnRiskAlerts.alert?.customer.id).toBe(
      globalId("Customer", ivo.customerId),
    );
    feed.close();

    const anonymous = await fetch(`${hub.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: "subscription { churnRiskAlerts { cursor } }" }),
    });
    expect(anonymous.status).toBe(401);
  });
});

describe("customerScoreChanged", () => {
  test("a customer's score arrives at once, then again after each fact that changes it; only their owner may follow it", async ({
    db,
  }) => {
    const hub = await hubFor(db);
    const jo = await managerWithCustomer(db, "Jo");
    const kim = await managerWithCustomer(db, "Kim");
    const feed = await subscribeOverWebSocket(hub.wsUrl, jo.key, CustomerScoreChangedDocument, {
      customerId: globalId("Customer", jo.customerId),
    });
    const current = await feed.next();
    expect(current.data?.customerScoreChanged.score.churnRiskLevel).toBe("MEDIUM");
    await detractorAnswer(db, jo.customerId);
    const change = await feed.next();
    const stored = await db.prisma.score.findUniqueOrThrow({ where: { customerId: jo.customerId } });
    expect(change.data?.customerScoreChanged).toMatchObject({
      customer: { id: globalId("Customer", jo.customerId) },
      score: { churnRisk: shownProbability(stored.churnRisk), churnRiskLevel: "HIGH" },
    });
    feed.close();

    const other = await subscribeOverWebSocket(hub.wsUrl, kim.key, CustomerScoreChangedDocument, {
      customerId: globalId("Customer", jo.customerId),
    });
    expect((await other.next()).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    other.close();
  });
});
