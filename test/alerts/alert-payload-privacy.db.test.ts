// A live alert carries its customer: without the pii scope, the same masking as a query applies to
// what the event says about them (the display name a channel gave as an email, traits, summaries).
// Live alerts are executed once per document, variables and viewer and the result shared among that
// viewer's sockets (server/use-shared-event-execution.ts): what each socket receives must still be
// what it alone would have received. The same manager's key with and without the pii scope gets the
// alert unmasked and masked; another manager never gets it. (test/server/shared-event-execution.test.ts
// counts the executions.)

import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { parse } from "graphql";
import { afterEach, describe, expect } from "vitest";
import { encodeStreamCursor } from "../../src/alerts/stream-cursor.ts";
import { createApiKey } from "../../src/auth/api-keys.ts";
import type { Database } from "../../src/db/database.ts";
import { test } from "../helpers/database.ts";
import { upsertCustomer } from "../helpers/writes.ts";
import {
  detractorAnswer,
  type EventStream,
  type LiveHub,
  managerWithCustomer,
  startLiveHub,
  subscribeOverWebSocket,
} from "./helpers/live-hub.ts";

const hubs: LiveHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

interface AlertEvent {
  churnRiskAlerts: { alert: { customer: { displayName: string; traits: Record<string, unknown> } } | null };
}

const ALERT_WITH_CUSTOMER = parse(
  "subscription ($since: String) { churnRiskAlerts(since: $since) { alert { customer { displayName traits } } } }",
) as TypedDocumentNode<AlertEvent, { since: string }>;

describe("an alert event without the pii scope", () => {
  test("masks the personal data of the customer it carries", async ({ db }) => {
    const hub = await startLiveHub(db);
    hubs.push(hub);
    const ana = await managerWithCustomer(db, "Ana");
    await db.prisma.customer.update({
      where: { id: ana.customerId },
      data: {
        displayName: "zoe.private@example.org",
        traits: { plan: "pro", homePhone: "+44 20 7946 0958" },
      },
    });
    const feed = await subscribeOverWebSocket(hub.wsUrl, ana.key, ALERT_WITH_CUSTOMER, {
      since: encodeStreamCursor(0n),
    });
    await detractorAnswer(db, ana.customerId);
    const event = await feed.next();
    feed.close();
    expect(event.errors).toBeUndefined();
    expect(event.data?.churnRiskAlerts.alert?.customer).toEqual({
      displayName: "z•••@example.org",
      traits: { plan: "pro", homePhone: "+4•••••••0958" },
    });
  });
});

interface SharedAlertEvent {
  churnRiskAlerts: { replayed: boolean; alert: { customer: { id: string; displayName: string } } | null };
}
const ALERTS = parse(
  "subscription ($since: String) { churnRiskAlerts(since: $since) { replayed alert { customer { id displayName } } } }",
) as TypedDocumentNode<SharedAlertEvent, { since: string }>;
const globalId = (id: string) => Buffer.from(`Customer:${id}`).toString("base64");

async function customerOf(db: Database, ownerId: string, email: string) {
  const { customer } = await upsertCustomer(db.prisma, {
    identities: [{ kind: "EMAIL", value: email }],
    displayName: email,
  });
  await db.prisma.customer.update({ where: { id: customer.id }, data: { ownerId } });
  return customer.id;
}

async function nextAlert(feed: EventStream<SharedAlertEvent>) {
  const event = await feed.next();
  expect(event.errors).toBeUndefined();
  return event.data?.churnRiskAlerts;
}

describe("a live alert shared among subscribers", () => {
  test("reaches each socket of one key alike, masked by each key's scopes, and no other owner", async ({
    db,
  }) => {
    const hub = await startLiveHub(db);
    hubs.push(hub);
    const ana = await managerWithCustomer(db, "Ana");
    const ben = await managerWithCustomer(db, "Ben");
    const anaWithPii = await createApiKey(db.prisma, {
      principal: { id: ana.principal.id },
      name: "pii key",
      role: "ACCOUNT_MANAGER",
      scopes: ["pii"],
    });
    const since = { since: encodeStreamCursor(0n) };
    const anaFeeds = [
      await subscribeOverWebSocket(hub.wsUrl, ana.key, ALERTS, since),
      await subscribeOverWebSocket(hub.wsUrl, ana.key, ALERTS, since),
    ];
    const piiFeed = await subscribeOverWebSocket(hub.wsUrl, anaWithPii.key, ALERTS, since);
    const benFeed = await subscribeOverWebSocket(hub.wsUrl, ben.key, ALERTS, since);
    const feeds = [...anaFeeds, piiFeed, benFeed];
    try {
      // A first alert for each, replayed or live: after it every feed is live.
      await detractorAnswer(db, ana.customerId);
      await detractorAnswer(db, ben.customerId);
      for (const feed of [...anaFeeds, piiFeed]) {
        expect((await nextAlert(feed))?.alert?.customer.id).toBe(globalId(ana.customerId));
      }
      expect((await nextAlert(benFeed))?.alert?.customer.id).toBe(globalId(ben.customerId));

      const zoe = await customerOf(db, ana.principal.id, "zoe.private@example.org");
      await detractorAnswer(db, zoe);
      const masked = { id: globalId(zoe), displayName: "z•••@example.org" };
      for (const feed of anaFeeds) {
        expect(await nextAlert(feed)).toEqual({ replayed: false, alert: { customer: masked } });
      }
      expect(await nextAlert(piiFeed)).toEqual({
        replayed: false,
        alert: { customer: { id: globalId(zoe), displayName: "zoe.private@example.org" } },
      });

      // Ben's next event is his own next alert: Ana's went to her sockets only.
      const bens = await customerOf(db, ben.principal.id, "bens.second@example.org");
      await detractorAnswer(db, bens);
      expect((await nextAlert(benFeed))?.alert?.customer.id).toBe(globalId(bens));
    } finally {
      for (const feed of feeds) feed.close();
    }
  });
});
