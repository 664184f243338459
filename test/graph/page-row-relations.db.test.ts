// A customer's identities and interactions page answered from the row the page statement read
// (src/graph/page-row-relations.ts) answer what the Prisma plugin answers: the same rows, cursors and
// page info; and whatever the page statement did not read (another alias's page size, a filter, a
// cursor, totalCount) still goes through the Prisma plugin.
import { randomUUID } from "node:crypto";
import { formatPrismaCursor } from "@pothos/plugin-prisma";
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { pageRowPlan, readCustomerPage } from "../../src/domain/customers/customer-page-rows.ts";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { loadedTake, pageConnection } from "../../src/graph/page-row-relations.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const INTERACTIONS = 7;

async function seed(db: Database) {
  const ids = [randomUUID(), randomUUID()];
  const owner = await db.prisma.principal.create({ data: { name: "Owner" } });
  await db.prisma.customer.createMany({
    // Customer 1 (first on the page) has an owner, Customer 0 none.
    data: ids.map((id, i) => ({
      id,
      displayName: `Customer ${i}`,
      lastSeenAt: new Date(2026, 0, 1 + i),
      ownerId: i ? owner.id : null,
    })),
  });
  // Three NPS answers each, the newest scoring 7.
  const answers = ids.flatMap((customerId, i) => [5, 6, 7].map((score) => ({ customerId, i, score })));
  await db.prisma.feedback.createMany({
    data: answers.map(({ customerId, i, score }) => ({
      customerId,
      source: "seed",
      externalId: `${i}-${score}`,
      kind: "NPS" as const,
      score,
      respondedAt: new Date(2026, 0, 2, score),
    })),
  });
  await db.prisma.identity.createMany({
    data: ids.flatMap((customerId, i) => [
      { customerId, kind: "SOCIAL_HANDLE" as const, namespace: "x", value: `c${i}` },
      { customerId, kind: "EMAIL" as const, value: `c${i}@example.com` },
    ]),
  });
  await db.prisma.interaction.createMany({
    data: ids.flatMap((customerId, i) =>
      Array.from({ length: INTERACTIONS }, (_, j) => ({
        customerId,
        source: "seed",
        externalId: `${i}-${j}`,
        channel: j % 2 ? ("EMAIL" as const) : ("SOCIAL" as const),
        kind: "email.received",
        direction: "INBOUND" as const,
        // Two at the same moment: the id breaks the tie.
        occurredAt: new Date(2026, 0, 1, Math.min(j, 5)),
      })),
    ),
  });
  return ids;
}

/** The page of interactions the Prisma plugin answers, from the table. */
async function expectedPage(db: Database, customerId: string, first: number, channel?: "EMAIL") {
  const rows = await db.prisma.interaction.findMany({
    where: { customerId, ...(channel && { channel }) },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
  });
  const page = rows.slice(0, first);
  const cursors = page.map((row) => formatPrismaCursor(row, "id"));
  return {
    edges: page.map((row, i) => ({ cursor: cursors[i], node: { kind: row.kind, channel: row.channel } })),
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: false,
      startCursor: cursors[0] ?? null,
      endCursor: cursors.at(-1) ?? null,
    },
  };
}

const PAGE_FIELDS = `edges { cursor node { kind channel } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;

async function listPage(db: Database, selection: string) {
  const client = await createTestClient(db);
  const response = await client.fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify({
      query: `{ customers(first: 2) { edges { node { displayName ${selection} } } } }`,
    }),
  });
  const body = (await response.json()) as {
    errors?: unknown;
    data: { customers: { edges: { node: Record<string, unknown> & { displayName: string } }[] } };
  };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  // Newest lastSeenAt first: Customer 1, then Customer 0.
  return body.data.customers.edges.map((edge) => edge.node);
}

describe("relations answered from the page statement's rows", () => {
  test("answer the rows, cursors and page info the Prisma plugin answers", async ({ db }) => {
    const ids = await seed(db);
    const nodes = await listPage(
      db,
      `identities { kind value }
       owner { name }
       five: interactions(first: 5) { ${PAGE_FIELDS} }
       feedback(first: 2) { edges { cursor node { score } } pageInfo { hasNextPage endCursor } }`,
    );
    for (const [i, node] of nodes.entries()) {
      const customer = String(ids[1 - i]);
      expect(node.identities).toEqual([
        { kind: "EMAIL", value: `c${1 - i}@example.com` },
        { kind: "SOCIAL_HANDLE", value: `c${1 - i}` },
      ]);
      expect(node.owner).toEqual(i === 0 ? { name: "Owner" } : null);
      expect(node.five).toEqual(await expectedPage(db, customer, 5));
      const feedback = await db.prisma.feedback.findMany({
        where: { customerId: customer },
        orderBy: [{ respondedAt: "desc" }, { id: "desc" }],
        take: 2,
      });
      const cursors = feedback.map((row) => formatPrismaCursor(row, "id"));
      expect(node.feedback).toEqual({
        edges: feedback.map((row, j) => ({ cursor: cursors[j], node: { score: row.score } })),
        pageInfo: { hasNextPage: true, endCursor: cursors[1] },
      });
    }
  });

  test("leave other aliases, filters and totalCount to the Prisma plugin", async ({ db }) => {
    const ids = await seed(db);
    const nodes = await listPage(
      db,
      `one: interactions(first: 1) { ${PAGE_FIELDS} }
       all: interactions(first: ${INTERACTIONS}) { ${PAGE_FIELDS} }
       none: interactions(first: 0) { ${PAGE_FIELDS} }
       emails: interactions(first: 2, channels: [EMAIL]) { ${PAGE_FIELDS} }
       counted: interactions(first: 1) { totalCount ${PAGE_FIELDS} }`,
    );
    for (const [i, node] of nodes.entries()) {
      const customer = String(ids[1 - i]);
      expect(node.one).toEqual(await expectedPage(db, customer, 1));
      expect(node.all).toEqual(await expectedPage(db, customer, INTERACTIONS));
      expect(node.none).toEqual(await expectedPage(db, customer, 0));
      expect(node.emails).toEqual(await expectedPage(db, customer, 2, "EMAIL"));
      expect(node.counted).toEqual({ totalCount: INTERACTIONS, ...(await expectedPage(db, customer, 1)) });
    }
  });

  test("are taken only from the rows the page statement read, with the field's own page", async ({ db }) => {
    const [id] = await seed(db);
    const include = {
      identities: { orderBy: [{ kind: "asc" }, { value: "asc" }] },
      interactions: { orderBy: [{ occurredAt: "desc" }, { id: "desc" }], take: 6, skip: 0 },
    } satisfies Prisma.CustomerInclude;
    const page = Prisma.sql`SELECT ${id}::uuid AS "id", 1 AS "pos"`;
    const read = await readCustomerPage(db.prisma, page, include, null);
    const [row] = read?.rows ?? [];
    if (!row?.interactions) throw new Error("the page statement read no row");
    const plan = pageRowPlan(row);
    expect(plan?.identities).toBe(true);
    expect(plan?.owner).toBe(false);
    // A copy of a row is not a row the statement read: its relations may be anything.
    expect(pageRowPlan({ ...row })).toBeUndefined();
    const interactions = plan?.interactions;
    if (!interactions) throw new Error("the row was read without its interactions");
    const take = (args: Record<string, unknown>) => loadedTake(interactions, args, 20, 100);
    expect(take({ first: 5 })).toBe(6);
    expect(take({ first: 4 })).toBeNull();
    expect(take({ first: 5, after: "x" })).toBeNull();
    expect(take({ first: 5, kinds: ["a"] })).toBeNull();
    // Empty filters and absent arguments read the same rows; any other argument, even one the
    // plugin has never heard of (an argument added to the field later), falls back to Prisma.
    expect(take({ first: 5, kinds: [], after: null, occurred: undefined })).toBe(6);
    expect(take({ first: 5, directions: ["INBOUND"] })).toBeNull();
    expect(take({ first: 5, includeArchived: false })).toBeNull();
    expect(take({ first: 101 })).toBeNull();
    const connection = pageConnection(row, row.interactions, {}, 6);
    expect(connection.edges).toHaveLength(5);
    expect(connection.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    // Cursors are formatted when read, in the Prisma plugin's format.
    const cursors = row.interactions.slice(0, 5).map((interaction) => formatPrismaCursor(interaction, "id"));
    expect(connection.edges.map((edge) => edge.cursor)).toEqual(cursors);
    expect(connection.pageInfo.startCursor).toBe(cursors[0]);
    expect(connection.pageInfo.endCursor).toBe(cursors[4]);
    const empty = pageConnection(row, [], {}, 6);
    expect(empty.pageInfo).toMatchObject({ hasNextPage: false, startCursor: null, endCursor: null });
  });
});
