// A live alert carries its customer: without the pii scope, the same masking as a query applies to
// what the event says about them (the display name a channel gave as an email, traits, summaries).

import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { parse } from "graphql";
import { afterEach, describe, expect } from "vitest";
import { encodeStreamCursor } from "../../src/alerts/stream-cursor.ts";
import { test } from "../helpers/database.ts";
import {
  detractorAnswer,
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
