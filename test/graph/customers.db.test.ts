import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { CustomerListDocument, CustomerTimelineDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

async function seedCustomers(db: Database) {
  const day = (n: number) => new Date(Date.UTC(2026, 0, n, 12));
  const ada = await db.prisma.customer.create({
    data: {
      displayName: "Ada",
      lastSeenAt: day(20),
      firstSeenAt: day(2),
      traits: { plan: "pro" },
      identities: { create: [{ kind: "EMAIL", value: "ada@example.com" }] },
      interactions: {
        create: [
          {
            source: "shop",
            externalId: "o-1",
            channel: "ECOMMERCE",
            kind: "order.placed",
            direction: "INBOUND",
            occurredAt: day(2),
            amount: "1234.50",
            currency: "EUR",
          },
          {
            source: "mail",
            externalId: "m-1",
            channel: "EMAIL",
            kind: "email.received",
            direction: "INBOUND",
            occurredAt: day(20),
            summary: "Where is my order?",
            sentiment: -0.6,
          },
          {
            source: "mail",
            externalId: "m-2",
            channel: "EMAIL",
            kind: "email.sent",
            direction: "OUTBOUND",
            occurredAt: day(10),
          },
        ],
      },
    },
  });
  const grace = await db.prisma.customer.create({ data: { displayName: "Grace", lastSeenAt: day(25) } });
  const never = await db.prisma.customer.create({ data: { displayName: "Never seen" } });
  const mergedAway = await db.prisma.customer.create({
    data: { displayName: "Ada (old)", lastSeenAt: day(30), mergedIntoId: ada.id, mergedAt: day(30) },
  });
  return { ada, grace, never, mergedAway };
}

describe("customers over GraphQL", () => {
  test("lists customers seen most recently first, never-seen last, merged-away left out", async ({ db }) => {
    await seedCustomers(db);
    const client = await createTestClient(db);

    const result = await client.execute(CustomerListDocument, { first: 10 });

    expect(result.errors).toBeUndefined();
    expect(result.data?.customers.totalCount).toBe(3);
    expect(result.data?.customers.edges.map((edge) => edge.node.displayName)).toEqual([
      "Grace",
      "Ada",
      "Never seen",
    ]);
    const ada = result.data?.customers.edges[1]?.node;
    expect(ada?.identities).toEqual([{ kind: "EMAIL", namespace: "", value: "ada@example.com" }]);
    expect(ada?.latestInteraction.edges.map((edge) => edge.node.summary)).toEqual(["Where is my order?"]);
  });

  test("pages through customers with first/after", async ({ db }) => {
    await seedCustomers(db);
    const client = await createTestClient(db);

    const first = await client.execute(CustomerListDocument, { first: 2 });
    expect(first.data?.customers.pageInfo.hasNextPage).toBe(true);
    const second = await client.execute(CustomerListDocument, {
      first: 2,
      after: first.data?.customers.pageInfo.endCursor ?? null,
    });

    expect(second.data?.customers.edges.map((edge) => edge.node.displayName)).toEqual(["Never seen"]);
    expect(second.data?.customers.pageInfo.hasNextPage).toBe(false);
  });

  test("shows a customer's timeline newest first, with exact money", async ({ db }) => {
    const { ada } = await seedCustomers(db);
    const client = await createTestClient(db);
    const list = await client.execute(CustomerListDocument, { first: 10 });
    const adaId = list.data?.customers.edges.find((edge) => edge.node.displayName === "Ada")?.node.id;

    const result = await client.execute(CustomerTimelineDocument, { id: adaId ?? "", first: 10 });

    expect(result.errors).toBeUndefined();
    const customer = result.data?.node;
    if (customer?.__typename !== "Customer")
      throw new Error(`expected a Customer, got ${customer?.__typename}`);
    expect(customer).toMatchObject({ displayName: "Ada", traits: { plan: "pro" } });
    expect(Buffer.from(customer.id, "base64").toString()).toBe(`Customer:${ada.id}`);
    const timeline = customer.interactions;
    expect(timeline.totalCount).toBe(3);
    expect(timeline.edges.map((edge) => edge.node.kind)).toEqual([
      "email.received",
      "email.sent",
      "order.placed",
    ]);
    expect(timeline.edges[0]?.node.sentiment).toBe(-0.6);
    expect(timeline.edges[2]?.node.amount).toEqual({ amount: "1234.50", currency: "EUR" });
  });

  test("still resolves a merged-away customer's ID", async ({ db }) => {
    const { mergedAway } = await seedCustomers(db);
    const client = await createTestClient(db);
    const globalId = Buffer.from(`Customer:${mergedAway.id}`).toString("base64");

    const result = await client.execute(CustomerTimelineDocument, { id: globalId });

    expect(result.data?.node).toMatchObject({ displayName: "Ada (old)" });
  });
});
