// The Customer360 page is one SQL statement: the customer with its owner, identities and survey
// answers, its journeys and its timeline page read together, where they took three. A timeline page
// other than the one that statement read (another alias's arguments, a cursor) is still read and
// answered as before. Counted with Prisma's query events, which see every statement when the client
// is not the database's own (directSql then sends through Prisma's raw queries).
import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { advanceJourneys } from "../../src/domain/journeys/advance-journeys.ts";
import { defineJourney } from "../../src/domain/journeys/define-journey.ts";
import { Customer360Document } from "../generated/graphql/graphql.ts";
import { countingPrismaClient } from "../helpers/counted-statements.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");
const at = (day: number) => new Date(Date.UTC(2026, 2, day, 9));

/** A customer with a journey, three interactions and two survey answers, interleaved in time. */
async function seed(db: Database) {
  await defineJourney(db.prisma, {
    key: "purchase",
    name: "Purchase",
    stages: [
      { key: "visited", name: "Visited", enteredBy: ["web.visit"] },
      { key: "ordered", name: "Ordered", enteredBy: ["order.placed"] },
    ],
  });
  const customer = await db.prisma.customer.create({
    data: {
      displayName: "Ada",
      identities: { create: { kind: "EMAIL", namespace: "", value: "ada@example.com", source: "test" } },
    },
  });
  for (const [day, kind] of [
    [1, "web.visit"],
    [3, "order.placed"],
    [5, "email.received"],
  ] as const) {
    const interaction = await db.prisma.interaction.create({
      data: {
        customerId: customer.id,
        source: "test",
        externalId: randomUUID(),
        channel: "WEB",
        kind,
        direction: "INBOUND",
        occurredAt: at(day),
      },
    });
    await advanceJourneys(db.prisma, {
      customerId: customer.id,
      interactionId: interaction.id,
      kind,
      occurredAt: at(day),
    });
  }
  for (const day of [2, 4]) {
    await db.prisma.feedback.create({
      data: {
        customerId: customer.id,
        source: "test",
        externalId: randomUUID(),
        kind: "NPS",
        score: day,
        respondedAt: at(day),
      },
    });
  }
  return globalId("Customer", customer.id);
}

async function countingClient(db: Database) {
  const { prisma: counting, count } = countingPrismaClient(db);
  const client = await createTestClient({ ...db, prisma: counting });
  await client.execute(Customer360Document, { id: globalId("Customer", randomUUID()) }); // records the key's use
  return {
    counting,
    client,
    async counted<T>(run: () => Promise<T>) {
      const before = count();
      const result = await run();
      return { result, statements: count() - before };
    },
  };
}

type Edge = { cursor: string; node: { __typename: string; kind?: string; score?: number } };
const entries = (edges: Edge[]) =>
  edges.map(({ node }) => (node.__typename === "Interaction" ? node.kind : `NPS ${node.score}`));

describe("the Customer360 page", () => {
  test("is one statement: the customer with its journeys and its timeline", async ({ db }) => {
    const id = await seed(db);
    const { counting, client, counted } = await countingClient(db);
    try {
      const { result, statements } = await counted(() => client.execute(Customer360Document, { id }));
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      expect(statements).toBe(1);
      const customer = result.data?.customer;
      expect(customer?.identities.map((identity) => identity.value)).toEqual(["ada@example.com"]);
      expect(customer?.journeys.map((journey) => [journey.journeyKey, journey.currentStage.key])).toEqual([
        ["purchase", "ordered"],
      ]);
      expect(customer?.journeys[0]?.transitions.map((move) => move.toStageKey)).toEqual([
        "visited",
        "ordered",
      ]);
      expect(entries(customer?.timeline.edges as Edge[])).toEqual([
        "email.received",
        "NPS 4",
        "order.placed",
        "NPS 2",
        "web.visit",
      ]);
      expect(customer?.timeline.pageInfo.hasNextPage).toBe(false);

      // A later page from a cursor: still one statement, the page after it.
      const cursor = customer?.timeline.edges[1]?.cursor;
      const next = await counted(() =>
        client.execute(Customer360Document, { id, timelineFirst: 2, timelineAfter: cursor }),
      );
      expect(next.statements).toBe(1);
      expect(entries(next.result.data?.customer?.timeline.edges as Edge[])).toEqual([
        "order.placed",
        "NPS 2",
      ]);
      expect(next.result.data?.customer?.timeline.pageInfo.hasNextPage).toBe(true);
    } finally {
      await counting.$disconnect();
    }
  });

  test("reads a second timeline page of other arguments by itself, and answers both", async ({ db }) => {
    const id = await seed(db);
    const { counting, client, counted } = await countingClient(db);
    try {
      const query = `query Two($id: ID!) {
        customer(id: $id) {
          newest: timeline(first: 2) { edges { cursor node { __typename ... on Interaction { kind } ... on Feedback { score } } } }
          oldest: timeline(last: 2) { edges { cursor node { __typename ... on Interaction { kind } ... on Feedback { score } } } }
        }
      }`;
      const { result, statements } = await counted(async () => {
        const response = await client.fetch("/graphql", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query, variables: { id } }),
        });
        return (await response.json()) as {
          data?: { customer: { newest: { edges: Edge[] }; oldest: { edges: Edge[] } } };
          errors?: unknown;
        };
      });
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      expect(entries(result.data?.customer.newest.edges ?? [])).toEqual(["email.received", "NPS 4"]);
      expect(entries(result.data?.customer.oldest.edges ?? [])).toEqual(["NPS 2", "web.visit"]);
      expect(statements).toBe(2);
    } finally {
      await counting.$disconnect();
    }
  });
});
