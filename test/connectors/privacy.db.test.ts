// Privacy requests and customer deletions: an erasure removes a person's personal data and keeps the
// anonymised facts aggregate figures need; an export collects everything the hub holds on them.
import { describe, expect } from "vitest";
import { writeDeadLetters } from "../../src/connectors/dead-letters/write-dead-letters.ts";
import { commitIngest, type IngestItem } from "../../src/connectors/ingest/ingest-records.ts";
import { handleWebhook } from "../../src/connectors/webhooks/handle-webhook.ts";
import { findCustomerByIdentity } from "../../src/domain/customers/find-customer.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { type ConnectorRecordInput, identity, record, validateRecord } from "../../src/sdk/records.ts";
import { test } from "../helpers/database.ts";
import { writes, writesAt } from "../helpers/writes.ts";
import { fixture, installTemplate, plugins, SECRET_KEY, tinyDeskDelivery } from "./helpers/hub.ts";

const LI_EMAIL = identity.email("Li.Wei@example.org");
const LI_ID = identity.external("tinydesk", "c_502");
const LI = [LI_EMAIL, LI_ID];
const ANA = [identity.email("ana.souza@example.com"), identity.external("tinydesk", "c_501")];

/** Ingests records as the connector "tinydesk" would, through the one ingest path. */
async function ingest(db: PrismaClient, connectorId: string, records: ConnectorRecordInput[]) {
  const items = records.map((value): IngestItem => {
    const result = validateRecord(value);
    if (!result.success) throw new Error(result.reason);
    return { type: "record", record: result.data, payload: value };
  });
  const origin = { connectorId, source: "tinydesk", channel: "support" as const, stream: "test" };
  return (await commitIngest(db, writes(), origin, items)).counts;
}

const order = (externalId: string, identities: typeof LI) =>
  record.interaction({
    externalId,
    identities,
    channel: "ecommerce",
    kind: "order.placed",
    direction: "inbound",
    occurredAt: "2026-03-01T10:00:00Z",
    summary: `Order ${externalId} for 2 kettles`,
    body: "Please gift-wrap it, it is for my mother at 12 Rua Augusta.",
    amount: { amount: "19.90", currency: "EUR" },
    sentiment: 0.4,
    conversationId: `thread-${externalId}`,
    metadata: { shippingAddress: "12 Rua Augusta" },
  });

describe("a privacy erasure", () => {
  test("removes the person's personal data, keeps anonymised facts, and leaves others alone", async ({
    db,
  }) => {
    const connector = await installTemplate(db.prisma);
    // Li is known by two identities first seen on different records, then joined by a later batch (a
    // merge; within one batch, records that share identities make one customer from the start).
    await ingest(db.prisma, connector.id, [
      record.customer({ identities: [LI_ID], displayName: "Li Wei", traits: { city: "Lisbon" } }),
      order("order-1", [LI_EMAIL]),
    ]);
    await ingest(db.prisma, connector.id, [
      record.customer({ identities: LI }),
      record.feedback({
        externalId: "nps-1",
        identities: LI,
        kind: "nps",
        score: 9,
        comment: "Love the kettles, Li",
        respondedAt: "2026-03-02T10:00:00Z",
      }),
      record.customer({ identities: ANA, displayName: "Ana Souza" }),
      order("order-2", ANA),
      record.privacyRequest({
        action: "export",
        requestId: "dr_1",
        identities: LI,
        requestedAt: "2026-03-03T00:00:00Z",
      }),
    ]);
    expect(await db.prisma.customerMerge.count()).toBe(1);
    await db.prisma.$transaction((tx) =>
      writeDeadLetters(tx, { connectorId: connector.id }, [
        {
          stream: "tickets",
          payload: '{"identities":[{"kind":"email","value":"LI.WEI@example.org"}]}',
          reason: "x",
        },
        {
          stream: "tickets",
          payload: '{"identities":[{"kind":"email","value":"ana.souza@example.com"}]}',
          reason: "y",
        },
      ]),
    );

    const response = await handleWebhook(
      { db: db.prisma, plugins, secretKey: SECRET_KEY, writes: writesAt(new Date("2026-03-06T09:01:00Z")) },
      "tinydesk",
      tinyDeskDelivery(fixture("webhook-erasure-requested.json"), { deliveryId: "dlv_er_77" }),
    );
    expect(await response.json()).toMatchObject({ received: 1, deleted: 1 });

    const li = await db.prisma.customer.findFirstOrThrow({
      where: { mergedIntoId: null, interactions: { some: { externalId: "order-1" } } },
      include: { identities: true, interactions: true, feedback: true, score: true, mergesSurvived: true },
    });
    expect(li).toMatchObject({ displayName: null, traits: {}, identities: [] });
    expect(li.interactions[0]).toMatchObject({
      summary: null,
      body: null,
      metadata: null,
      conversationId: null,
      kind: "order.placed",
      channel: "ECOMMERCE",
      currency: "EUR",
      sentiment: 0.4,
    });
    expect(li.interactions[0]?.amount?.toString()).toBe("19.9");
    expect(li.feedback[0]).toMatchObject({ comment: null, score: 9, kind: "NPS" });
    expect(li.score).not.toBeNull();
    expect(li.mergesSurvived[0]).toMatchObject({
      reason: "(details erased at the customer's request)",
      traitConflicts: [],
    });
    expect(
      await findCustomerByIdentity(db.prisma, { kind: "EMAIL", value: "li.wei@example.org" }),
    ).toBeNull();
    // The earlier export of Li's data is gone; the erasure is on record.
    const requests = await db.prisma.privacyRequest.findMany({ orderBy: { action: "asc" } });
    expect(requests.map((r) => [r.action, r.requestId, r.customerIds, r.export])).toEqual([
      ["ERASE", "er_77", [li.id], null],
      ["EXPORT", "dr_1", [li.id], null],
    ]);
    expect(requests[0]?.summary).toMatchObject({
      customers: 2,
      identities: 2,
      interactions: 1,
      feedback: 1,
      merges: 1,
    });
    // The dead letter quoting Li's email is scrubbed; Ana's is untouched.
    const letters = await db.prisma.deadLetter.findMany({ orderBy: { reason: "asc" } });
    expect(letters.map((l) => [l.status, l.payload.includes("@"), l.reason])).toEqual([
      ["DISCARDED", false, "x — erased at the customer's request"],
      ["PENDING", true, "y"],
    ]);

    // Ana keeps everything.
    const ana = await findCustomerByIdentity(db.prisma, { kind: "EMAIL", value: "ana.souza@example.com" });
    expect(ana?.displayName).toBe("Ana Souza");
    expect((await db.prisma.interaction.findFirstOrThrow({ where: { externalId: "order-2" } })).body).toMatch(
      /gift-wrap/,
    );

    // The same request delivered again changes nothing. (A new event, sent 40 s later: the very same
    // signed body would be answered as a duplicate before reaching the privacy requests.)
    const again = await handleWebhook(
      { db: db.prisma, plugins, secretKey: SECRET_KEY, writes: writesAt(new Date("2026-03-06T09:01:00Z")) },
      "tinydesk",
      tinyDeskDelivery(
        { ...fixture("webhook-erasure-requested.json"), sent_at: "2026-03-06T09:00:40Z" },
        { deliveryId: "dlv_er_78" },
      ),
    );
    expect(await again.json()).toMatchObject({ unchanged: 1, deleted: 0 });
    expect(await db.prisma.privacyRequest.count()).toBe(2);
  });

  test("scrubs the records the request names even when they are filed under another customer", async ({
    db,
  }) => {
    const connector = await installTemplate(db.prisma);
    // A guest order the shop filed under Ana, which Li's request names (Shopify's orders_to_redact).
    await ingest(db.prisma, connector.id, [
      order("order-7", ANA),
      order("order-8", ANA),
      order("order-9", LI),
    ]);

    const counts = await ingest(db.prisma, connector.id, [
      record.privacyRequest({
        action: "erase",
        requestId: "redact-1",
        identities: LI,
        externalIds: ["order-7"],
        requestedAt: "2026-03-06T00:00:00Z",
      }),
    ]);

    expect(counts).toMatchObject({ deleted: 1 });
    const bodies = await db.prisma.interaction.findMany({
      orderBy: { externalId: "asc" },
      select: { body: true },
    });
    expect(bodies.map((row) => row.body === null)).toEqual([true, false, true]);
  });

  test("of someone the hub does not know creates no one, and is recorded", async ({ db }) => {
    const connector = await installTemplate(db.prisma);
    const counts = await ingest(db.prisma, connector.id, [
      record.privacyRequest({
        action: "erase",
        requestId: "er_1",
        identities: LI,
        requestedAt: "2026-03-06T00:00:00Z",
      }),
    ]);
    expect(counts).toMatchObject({ deleted: 1 });
    expect(await db.prisma.customer.count()).toBe(0);
    expect((await db.prisma.privacyRequest.findFirstOrThrow()).customerIds).toEqual([]);
  });
});

describe("a privacy export", () => {
  test("collects everything the hub holds on the person, once per request", async ({ db }) => {
    const connector = await installTemplate(db.prisma);
    await ingest(db.prisma, connector.id, [
      record.customer({ identities: ANA, displayName: "Ana Souza", traits: { plan: "pro" } }),
      order("order-1", ANA),
      record.feedback({
        externalId: "csat-1",
        identities: ANA,
        kind: "csat",
        score: 4,
        comment: "Fast",
        respondedAt: "2026-03-02T10:00:00Z",
      }),
      order("order-2", LI),
    ]);
    const exportRequest = record.privacyRequest({
      action: "export",
      requestId: "dr_9",
      identities: [identity.email("ANA.SOUZA@example.com")],
      requestedAt: "2026-03-03T00:00:00Z",
    });

    expect(await ingest(db.prisma, connector.id, [exportRequest])).toMatchObject({ created: 1 });
    expect(await ingest(db.prisma, connector.id, [exportRequest])).toMatchObject({
      created: 0,
      unchanged: 1,
    });

    const [request] = await db.prisma.privacyRequest.findMany();
    expect(request).toMatchObject({
      action: "EXPORT",
      requestId: "dr_9",
      summary: { customers: 1, interactions: 1, feedback: 1 },
    });
    const exported = request?.export as { requestId: string; customers: Array<Record<string, unknown>> };
    expect(exported.requestId).toBe("dr_9");
    expect(exported.customers).toHaveLength(1);
    expect(exported.customers[0]).toMatchObject({
      displayName: "Ana Souza",
      traits: { plan: "pro" },
      identities: [
        { kind: "EMAIL", namespace: "", value: "ana.souza@example.com", source: "tinydesk" },
        { kind: "EXTERNAL_ID", namespace: "tinydesk", value: "c_501", source: "tinydesk" },
      ],
      interactions: [
        {
          externalId: "order-1",
          amount: "19.9",
          currency: "EUR",
          body: expect.stringMatching(/gift-wrap/),
          occurredAt: "2026-03-01T10:00:00.000Z",
        },
      ],
      feedback: [{ externalId: "csat-1", kind: "CSAT", score: 4, comment: "Fast" }],
      score: expect.objectContaining({ churnRiskLevel: expect.any(String) }),
    });
    expect(JSON.stringify(exported)).not.toContain("order-2");
  });
});

describe("a customer deletion", () => {
  test("erases the customer the provider deleted", async ({ db }) => {
    const connector = await installTemplate(db.prisma);
    await ingest(db.prisma, connector.id, [
      record.customer({ identities: ANA, displayName: "Ana Souza" }),
      order("order-1", ANA),
    ]);

    const counts = await ingest(db.prisma, connector.id, [
      record.deletion({ entity: "customer", identities: [identity.external("tinydesk", "c_501")] }),
      record.deletion({ entity: "customer", identities: [identity.external("tinydesk", "c_999")] }),
    ]);

    expect(counts).toMatchObject({ deleted: 1, unchanged: 1 });
    const customer = await db.prisma.customer.findFirstOrThrow({
      include: { identities: true, interactions: true },
    });
    expect(customer).toMatchObject({ displayName: null, identities: [] });
    expect(customer.interactions[0]).toMatchObject({ body: null, kind: "order.placed" });
  });
});
