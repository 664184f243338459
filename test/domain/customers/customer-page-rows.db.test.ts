import { describe, expect } from "vitest";
import { readCustomerPageRows } from "../../../src/domain/customers/customer-page-rows.ts";
import type { Prisma, PrismaClient } from "../../../src/generated/prisma/client.ts";
import { test } from "../../helpers/database.ts";

/** Two customers with every column of every relation filled, one bare customer, and one not asked for. */
async function population(prisma: PrismaClient) {
  const owner = await prisma.principal.create({ data: { name: "Ana Owner", email: "ana@hub.example" } });
  const rich = await prisma.customer.create({
    data: {
      displayName: "Mia Weber",
      traits: { plan: "pro", seats: 3 },
      lifecycleStage: "CUSTOMER",
      ownerId: owner.id,
      firstSeenAt: new Date("2026-01-02T03:04:05.006Z"),
      lastSeenAt: new Date("2026-03-01T00:00:00.000Z"),
      identities: {
        create: [
          { kind: "SOCIAL_HANDLE", namespace: "x", value: "mia", source: "social" },
          { kind: "EMAIL", value: "mia@example.com", source: "email" },
          { kind: "PHONE", value: "+14155550123" },
        ],
      },
      interactions: {
        create: [
          {
            source: "shop",
            externalId: "o-1",
            channel: "ECOMMERCE",
            kind: "order.placed",
            direction: "INBOUND",
            occurredAt: new Date("2026-02-01T10:00:00.000Z"),
            summary: "2 items",
            amount: "1234567890.1234",
            currency: "EUR",
            metadata: { items: [{ sku: "a", qty: 2 }], note: null },
            sourceUpdatedAt: new Date("2026-02-01T10:00:01.000Z"),
          },
          {
            source: "mail",
            externalId: "m-1",
            channel: "EMAIL",
            kind: "email.received",
            direction: "INBOUND",
            occurredAt: new Date("2026-02-20T08:30:00.000Z"),
            summary: "Where is my order?",
            body: "Hello,\nwhere is it? — Mia",
            sentiment: -0.3125,
            conversationId: "thread-1",
          },
          {
            source: "mail",
            externalId: "m-2",
            channel: "EMAIL",
            kind: "email.sent",
            direction: "OUTBOUND",
            occurredAt: new Date("2026-02-20T08:30:00.000Z"),
            summary: "Re: Where is my order?",
            conversationId: "thread-1",
          },
          {
            source: "social",
            externalId: "s-1",
            channel: "SOCIAL",
            kind: "social.mention",
            direction: "INBOUND",
            occurredAt: new Date("2026-03-01T00:00:00.000Z"),
            amount: "0.5000",
            currency: "USD",
          },
        ],
      },
      feedback: {
        create: [
          {
            source: "survey",
            externalId: "f-1",
            kind: "NPS",
            score: 9,
            comment: "Fast delivery",
            channel: "EMAIL",
            touchpoint: "delivery",
            sentiment: 0.75,
            respondedAt: new Date("2026-02-02T09:00:00.000Z"),
            sourceUpdatedAt: new Date("2026-02-02T09:00:01.000Z"),
          },
          {
            source: "survey",
            externalId: "f-2",
            kind: "CSAT",
            score: 2,
            respondedAt: new Date("2026-02-21T12:00:00.000Z"),
          },
          {
            source: "survey",
            externalId: "f-3",
            kind: "CSAT",
            score: 4,
            respondedAt: new Date("2026-02-21T12:00:00.000Z"),
          },
        ],
      },
    },
  });
  // Every column of the score filled: decimals with every digit, dates, the reasons' JSON.
  await prisma.score.create({
    data: {
      customerId: rich.id,
      churnRisk: 0.8125,
      churnRiskLevel: "HIGH",
      reasons: [{ factor: "recency", value: 0.9, weight: 0.5, explanation: "No order for 90 days" }],
      probabilityAlive: 0.1875,
      expectedTransactions: 1.0625,
      clv: "1234567.1234",
      currency: "EUR",
      health: 42,
      modelVersion: "churn-v2/test",
      forecastMonths: 12,
      repeatTransactions: 3,
      firstPurchaseOn: new Date("2025-06-01T00:00:00.000Z"),
      lastPurchaseOn: new Date("2026-02-01T00:00:00.000Z"),
      averageRepeatSpend: "99.9900",
      computedAt: new Date("2026-03-02T01:02:03.004Z"),
    },
  });
  const bare = await prisma.customer.create({ data: {} });
  await prisma.customer.create({ data: { displayName: "Not on the page" } });
  return { ids: [rich.id, bare.id] };
}

const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

const LIST_ORDER = {
  identities: { orderBy: [{ kind: "asc" }, { value: "asc" }] },
  interactionOrder: [{ occurredAt: "desc" }, { id: "desc" }],
  feedbackOrder: [{ respondedAt: "desc" }, { id: "desc" }],
} satisfies {
  identities: Prisma.Customer$identitiesArgs;
  interactionOrder: Prisma.InteractionOrderByWithRelationInput[];
  feedbackOrder: Prisma.FeedbackOrderByWithRelationInput[];
};

/** The includes Pothos builds for the customer list's and the customer page's selections (customer.ts). */
const READ_HERE: Record<string, Prisma.CustomerInclude | undefined> = {
  "no relation": undefined,
  "the list page's": {
    owner: true,
    identities: LIST_ORDER.identities,
    interactions: { where: {}, orderBy: [...LIST_ORDER.interactionOrder], take: 2, skip: 0 },
  },
  "interactions narrowed by channel, kind and time, one page on": {
    interactions: {
      where: {
        channel: { in: ["EMAIL", "SOCIAL"] },
        kind: { in: ["email.received", "email.sent", "social.mention"] },
        occurredAt: { gte: new Date("2026-02-01T00:00:00.000Z"), lt: new Date("2026-03-01T00:00:00.000Z") },
      },
      orderBy: [...LIST_ORDER.interactionOrder],
      take: 2,
      skip: 1,
    },
  },
  "only the owner": { owner: true },
  "the customer page's (Customer360)": {
    owner: true,
    identities: LIST_ORDER.identities,
    feedback: { orderBy: [...LIST_ORDER.feedbackOrder], take: 6, skip: 0 },
    _count: { select: { feedback: true } },
  },
  "the at-risk list's (with the score)": { owner: true, identities: LIST_ORDER.identities, score: true },
  "survey answers one page on, without their count": {
    feedback: { orderBy: [...LIST_ORDER.feedbackOrder], take: 2, skip: 1 },
  },
};

describe("readCustomerPageRows", () => {
  for (const [shape, include] of Object.entries(READ_HERE)) {
    test(`reads the same rows as Prisma's include: ${shape}`, async ({ db }) => {
      const { ids } = await population(db.prisma);
      const read = await readCustomerPageRows(db.prisma, ids, include);
      const fromPrisma = await db.prisma.customer.findMany({
        ...(include && { include }),
        where: { id: { in: ids } },
      });
      expect(read).not.toBeNull();
      expect(byId(read ?? [])).toStrictEqual(byId(fromPrisma));
      // One customer (the customer 360's) is read by another statement, a prepared one.
      for (const id of ids) {
        const [one] = (await readCustomerPageRows(db.prisma, [id], include)) ?? [];
        expect(one).toStrictEqual(fromPrisma.find((row) => row.id === id));
      }
    });
  }

  test("keeps an amount's every digit and reads each interaction's text, metadata and sentiment", async ({
    db,
  }) => {
    const { ids } = await population(db.prisma);
    const rows = await readCustomerPageRows(db.prisma, ids, {
      interactions: { where: {}, orderBy: [...LIST_ORDER.interactionOrder], take: 10, skip: 0 },
    });
    const interactions = rows?.flatMap((row) => row.interactions ?? []) ?? [];
    expect(interactions.map((interaction) => interaction.externalId)).toEqual(["s-1", "m-2", "m-1", "o-1"]);
    const order = interactions.find((interaction) => interaction.externalId === "o-1");
    expect(order?.amount?.toFixed(4)).toBe("1234567890.1234");
    expect(order?.metadata).toEqual({ items: [{ sku: "a", qty: 2 }], note: null });
    const email = interactions.find((interaction) => interaction.externalId === "m-1");
    expect(email?.body).toBe("Hello,\nwhere is it? — Mia");
    expect(email?.sentiment).toBe(-0.3125);
  });

  test("answers null for any other include, so that the caller reads it through Prisma", async ({ db }) => {
    const { ids } = await population(db.prisma);
    const interactions = { where: {}, orderBy: [...LIST_ORDER.interactionOrder], take: 2, skip: 0 };
    const others: Prisma.CustomerInclude[] = [
      { score: { include: { model: true } } },
      { identities: true },
      { owner: { include: { apiKeys: true } } },
      { interactions: { ...interactions, cursor: { id: ids[0] as string } } },
      { interactions: { ...interactions, include: { customer: true } } },
      { interactions: { ...interactions, orderBy: [{ occurredAt: "asc" }, { id: "asc" }] } },
      { interactions: { ...interactions, where: { direction: "INBOUND" } } },
      { _count: { select: { interactions: true } } },
      { _count: { select: { feedback: { where: { kind: "NPS" } } } } },
      { feedback: { orderBy: [...LIST_ORDER.feedbackOrder], take: 2, skip: 0, where: { kind: "NPS" } } },
      { feedback: { orderBy: [{ respondedAt: "asc" }, { id: "asc" }], take: 2, skip: 0 } },
      // A size that is no row count is Prisma's to refuse, not this module's to write into its SQL.
      { feedback: { orderBy: [...LIST_ORDER.feedbackOrder], take: 2.5, skip: 0 } },
      { interactions: { ...interactions, skip: -1 } },
    ];
    for (const include of others) expect(await readCustomerPageRows(db.prisma, ids, include)).toBeNull();
  });
});
