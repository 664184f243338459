// A first page of the customer list, as the list page asks for it, is one SQL statement: its IDs, its
// rows and its total read together (a search adds one for its lookups), also when it starts with
// the customers without a value (churn risk, DESC), and it answers as the range-by-range reading
// does: the same customers, in order, with the same total. Counted with
// Prisma's query events, which see every statement when the client is not the database's own
// (directSql then sends through Prisma's raw queries).
import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { AtRiskCustomersDocument, CustomerListDocument } from "../generated/graphql/graphql.ts";
import { countingPrismaClient } from "../helpers/counted-statements.ts";
import { test } from "../helpers/database.ts";
import { createTestClient, type TestClientOptions } from "../helpers/graphql.ts";

async function seed(db: Database) {
  const ids = Array.from({ length: 30 }, () => randomUUID());
  await db.prisma.customer.createMany({
    data: ids.map((id, i) => ({
      id,
      displayName: i % 2 ? `Mia W${i}` : `Otto ${i}`,
      // A few never seen: the last-seen order runs on into them.
      lastSeenAt: i < 25 ? new Date(Date.UTC(2026, 0, 1 + i)) : null,
    })),
  });
  // Five without a lifetime value: the LIFETIME_VALUE order's first range holds 25.
  await db.prisma.score.createMany({
    data: ids.map((customerId, i) => ({
      customerId,
      churnRisk: i / 100,
      churnRiskLevel: "LOW" as const,
      clv: i < 25 ? i * 10 : null,
      modelVersion: "test",
      computedAt: new Date(Date.UTC(2026, 1, 1)),
    })),
  });
  return ids;
}

async function countingClient(db: Database, options: TestClientOptions = {}) {
  const { prisma: counting, count } = countingPrismaClient(db);
  const client = await createTestClient({ ...db, prisma: counting }, options);
  await client.execute(CustomerListDocument, { first: 1 }); // the first request also records the key's use
  return {
    counting,
    client,
    count,
    async list(variables: Parameters<typeof client.execute<unknown, object>>[1]) {
      const before = count();
      const result = await client.execute(CustomerListDocument, variables as never);
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      return { data: result.data?.customers, statements: count() - before };
    },
  };
}

/** An account manager who owns the customers `ids`, as the test client's options for their key (no `pii`). */
async function accountManagerOf(db: Database, ids: string[]): Promise<TestClientOptions> {
  const owner = await db.prisma.principal.create({ data: { name: "Ann Manager" } });
  await db.prisma.customer.updateMany({ where: { id: { in: ids } }, data: { ownerId: owner.id } });
  return { role: "ACCOUNT_MANAGER", principalId: owner.id, scopes: [] };
}

const names = (page: { edges: { node: { displayName?: string | null } }[] } | undefined) =>
  page?.edges.map((edge) => edge.node.displayName);

describe("the customer list's first page", () => {
  test("is one statement with its total; a search adds one for its lookups", async ({ db }) => {
    await seed(db);
    const { counting, list } = await countingClient(db);
    try {
      const page = await list({ first: 20 });
      expect(page.statements).toBe(1);
      expect(page.data?.totalCount).toBe(30);
      expect(names(page.data)?.slice(0, 2)).toEqual(["Otto 24", "Mia W23"]);
      expect(page.data?.pageInfo.hasNextPage).toBe(true);

      const search = await list({ first: 20, filter: { search: "mia w" } });
      expect(search.statements).toBe(2);
      expect(search.data?.totalCount).toBe(15);
      expect(search.data?.edges).toHaveLength(15);
      expect(search.data?.pageInfo.hasNextPage).toBe(false);

      const none = await list({ first: 20, filter: { search: "nobody" } });
      expect(none.data?.totalCount).toBe(0);
      expect(none.data?.edges).toEqual([]);
    } finally {
      await counting.$disconnect();
    }
  });

  test("by churn risk, DESC: the customers not scored yet, then the scored, in one statement", async ({
    db,
  }) => {
    const ids = await seed(db);
    const unscored = [ids[3] ?? "", ids[4] ?? ""];
    await db.prisma.score.deleteMany({ where: { customerId: { in: unscored } } });
    const { counting, list } = await countingClient(db);
    try {
      const page = await list({ first: 5, orderBy: { field: "CHURN_RISK", direction: "DESC" } });
      expect(page.statements).toBe(1);
      expect(page.data?.totalCount).toBe(30);
      expect(page.data?.edges.map((edge) => Buffer.from(edge.node.id, "base64").toString())).toEqual(
        [...unscored.sort().reverse(), ids[29], ids[28], ids[27]].map((id) => `Customer:${id}`),
      );
    } finally {
      await counting.$disconnect();
    }
  });

  test("reads on range by range when its first range, of customers with a value, comes short", async ({
    db,
  }) => {
    const ids = await seed(db);
    const { counting, list } = await countingClient(db);
    try {
      const page = await list({ first: 28, orderBy: { field: "LIFETIME_VALUE", direction: "DESC" } });
      expect(page.statements).toBeGreaterThan(1);
      expect(page.data?.totalCount).toBe(30);
      // 25 by value, highest first, then the customers without one by ID.
      const unvalued = ids.slice(25).sort().reverse();
      expect(page.data?.edges.map((edge) => Buffer.from(edge.node.id, "base64").toString())).toEqual(
        [...ids.slice(0, 25).reverse(), ...unvalued.slice(0, 3)].map((id) => `Customer:${id}`),
      );
    } finally {
      await counting.$disconnect();
    }
  });

  test("is one statement for an account manager too: their customers' touchpoints need no owner lookup", async ({
    db,
  }) => {
    const ids = await seed(db);
    const accountManager = await accountManagerOf(db, ids.slice(0, 12));
    await db.prisma.interaction.createMany({
      data: ids.map((customerId, i) => ({
        customerId,
        channel: "EMAIL" as const,
        kind: "email.received",
        direction: "INBOUND" as const,
        occurredAt: new Date(Date.UTC(2026, 2, 1 + i)),
        summary: `Asked about order ${i}`,
        source: "test",
        externalId: `order-${i}`,
      })),
    });
    const { counting, list } = await countingClient(db, accountManager);
    try {
      const page = await list({ first: 20 });
      expect(page.data?.totalCount).toBe(12);
      expect(page.data?.edges).toHaveLength(12);
      for (const { node } of page.data?.edges ?? []) {
        expect(node.latestInteraction.edges[0]?.node.summary).toMatch(/^Asked about order \d+$/);
      }
      expect(page.statements).toBe(1);
    } finally {
      await counting.$disconnect();
    }
  });

  test("the at-risk list is one statement: its ids, its customers with their scores, and its total", async ({
    db,
  }) => {
    const ids = await seed(db);
    const accountManager = await accountManagerOf(db, ids);
    await db.prisma.score.updateMany({
      where: { customerId: { in: ids.slice(0, 8) } },
      data: {
        churnRiskLevel: "HIGH",
        reasons: [
          {
            factor: "NO_PURCHASE_MODEL",
            value: 0,
            contribution: 0,
            weight: 1,
            explanation: "No purchase model yet.",
          },
        ],
      },
    });
    const { counting, client, count } = await countingClient(db, accountManager);
    try {
      const before = count();
      const result = await client.execute(AtRiskCustomersDocument, {});
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      const page = result.data?.customers;
      expect(page?.totalCount).toBe(8);
      // Riskiest first: the seed's churn risk grows with the index.
      expect(page?.edges.map((edge) => edge.node.score?.churnRisk)).toEqual(
        [7, 6, 5, 4, 3, 2, 1, 0].map((i) => i / 100),
      );
      expect(page?.edges[0]?.node.score?.reasons.map((reason) => reason.factor)).toEqual([
        "NO_PURCHASE_MODEL",
      ]);
      expect(count() - before).toBe(1);
    } finally {
      await counting.$disconnect();
    }
  });
});
