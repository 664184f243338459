// The customer list loads its nested data in a fixed number of SQL statements, however many
// customers the page holds: no N+1. Counted with Prisma's query events on the real database.
import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { PrismaClient } from "../../src/generated/prisma/client.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const PAGE_QUERY = (first: number) => `{
  customers(first: ${first}) {
    edges { node {
      displayName
      identities { kind value }
      owner { name }
      interactions(first: 5) { edges { node { kind occurredAt } } }
      feedback(first: 3) { edges { node { kind score } } }
    } }
  }
}`;

async function seed(db: Database, customers: number) {
  const owner = await db.prisma.principal.create({ data: { name: "Owner" } });
  const ids = Array.from({ length: customers }, () => randomUUID());
  await db.prisma.customer.createMany({
    data: ids.map((id, i) => ({
      id,
      displayName: `Customer ${i}`,
      ownerId: owner.id,
      lastSeenAt: new Date(2026, 0, 1 + (i % 28)),
    })),
  });
  await db.prisma.identity.createMany({
    data: ids.flatMap((customerId, i) => [
      { customerId, kind: "EMAIL" as const, value: `c${i}@example.com` },
      { customerId, kind: "SOCIAL_HANDLE" as const, namespace: "x", value: `c${i}` },
    ]),
  });
  await db.prisma.interaction.createMany({
    data: ids.flatMap((customerId, i) =>
      Array.from({ length: 7 }, (_, j) => ({
        customerId,
        source: "seed",
        externalId: `${i}-${j}`,
        channel: "EMAIL" as const,
        kind: "email.received",
        direction: "INBOUND" as const,
        occurredAt: new Date(2026, 0, 1, j),
      })),
    ),
  });
  await db.prisma.feedback.createMany({
    data: ids.flatMap((customerId, i) =>
      Array.from({ length: 4 }, (_, j) => ({
        customerId,
        source: "seed",
        externalId: `${i}-${j}`,
        kind: "NPS" as const,
        score: j + 5,
        respondedAt: new Date(2026, 0, 2, j),
      })),
    ),
  });
}

describe("loading a page of customers", () => {
  test("takes as many SQL statements for 100 customers as for 10", async ({ db }) => {
    await seed(db, 100);
    const counting = new PrismaClient({
      adapter: db.adapterFactory,
      log: [{ emit: "event", level: "query" }],
    });
    let statements = 0;
    counting.$on("query", () => {
      statements += 1;
    });
    try {
      const client = await createTestClient({ ...db, prisma: counting });
      const run = async (first: number) => {
        const before = statements;
        const response = await client.fetch("/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
          body: JSON.stringify({ query: PAGE_QUERY(first) }),
        });
        const body = await response.json();
        expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
        expect(body.data.customers.edges).toHaveLength(first);
        expect(body.data.customers.edges[0].node.interactions.edges).toHaveLength(5);
        expect(body.data.customers.edges[0].node.feedback.edges).toHaveLength(3);
        return statements - before;
      };
      await run(1); // warm-up: the first request also records the key's last use
      const forTen = await run(10);
      const forHundred = await run(100);
      expect(forTen).toBeGreaterThan(0);
      expect(forHundred).toBe(forTen);
    } finally {
      await counting.$disconnect();
    }
  });
});
