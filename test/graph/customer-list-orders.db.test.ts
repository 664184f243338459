// Every order of the customer list, paged by keyset both ways: each customer exactly once, in the
// order the list promises (ties by ID, customers without a value where they have always sorted),
// for an admin, for an account manager (only their own customers) and for an at-risk list.
import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const FIELDS = ["LAST_SEEN", "CREATED", "NAME", "CHURN_RISK", "LIFETIME_VALUE", "VALUE_AT_RISK"] as const;
type Field = (typeof FIELDS)[number];
type Direction = "ASC" | "DESC";
const PAGE = 4;

interface Seeded {
  id: string;
  ownerId: string | null;
  createdAt: Date;
  displayName: string | null;
  lastSeenAt: Date | null;
  score: { churnRisk: number; clv: number | null } | null;
}

const at = (day: number) => new Date(Date.UTC(2026, 0, day, 12));

/**
 * Twenty-four live customers whose values repeat (ties) and are often missing (nulls, no score),
 * spread over two owners and nobody, and one merged-away customer the list never shows.
 */
async function seed(db: Database) {
  const ana = await db.prisma.principal.create({ data: { name: "Ana" } });
  const bo = await db.prisma.principal.create({ data: { name: "Bo" } });
  const names = ["ADAMS", "BAKER", "BAKER", null, "CLARK", null, "DAVIS"];
  const risks = [0.75, 0.875, 0.875, 0.25, 0.75];
  const clvs = [100, null, 200, 100, null, 50];
  const customers: Seeded[] = Array.from({ length: 24 }, (_, i) => ({
    id: randomUUID(),
    ownerId: [ana.id, bo.id, null][i % 3] ?? null,
    createdAt: at(1 + (i % 4)),
    displayName: names[i % names.length] ?? null,
    lastSeenAt: i % 5 === 0 ? null : at(10 + (i % 3)),
    // Every fourth customer is not scored yet, as during a bulk load.
    score:
      i % 4 === 3 ? null : { churnRisk: risks[i % risks.length] ?? 0, clv: clvs[i % clvs.length] ?? null },
  }));
  await db.prisma.customer.createMany({
    data: customers.map(({ score: _score, ...customer }) => customer),
  });
  await db.prisma.score.createMany({
    data: customers.flatMap(({ id, score }) =>
      score
        ? [
            {
              customerId: id,
              churnRisk: score.churnRisk,
              churnRiskLevel: score.churnRisk >= 0.75 ? ("HIGH" as const) : ("LOW" as const),
              clv: score.clv,
              currency: score.clv === null ? null : "USD",
              modelVersion: "test",
              computedAt: at(20),
            },
          ]
        : [],
    ),
  });
  // Merged away: it would sort first by every order, and must not be listed.
  const survivor = customers[0]?.id ?? "";
  await db.prisma.customer.create({
    data: {
      displayName: "AAA",
      ownerId: ana.id,
      createdAt: at(30),
      lastSeenAt: at(30),
      mergedIntoId: survivor,
      mergedAt: at(30),
      score: {
        create: {
          churnRisk: 1,
          churnRiskLevel: "CRITICAL",
          clv: 9999,
          modelVersion: "test",
          computedAt: at(30),
        },
      },
    },
  });
  return { ana, customers };
}

function sortValue(field: Field, customer: Seeded): number | string | null {
  const { score } = customer;
  switch (field) {
    case "LAST_SEEN":
      return customer.lastSeenAt?.getTime() ?? null;
    case "CREATED":
      return customer.createdAt.getTime();
    case "NAME":
      return customer.displayName;
    case "CHURN_RISK":
      return score?.churnRisk ?? null;
    case "LIFETIME_VALUE":
      return score?.clv ?? null;
    case "VALUE_AT_RISK":
      return score?.clv == null ? null : score.clv * score.churnRisk;
  }
}

/** The list's promised order, written out: NULLs last, but for churn risk where PostgreSQL puts them. */
function expectedOrder(customers: Seeded[], field: Field, direction: Direction): string[] {
  const sign = direction === "ASC" ? 1 : -1;
  const missingIsGreatest = field === "CHURN_RISK";
  return [...customers]
    .sort((a, b) => {
      const [x, y] = [sortValue(field, a), sortValue(field, b)];
      if (x !== null && y === null) return missingIsGreatest ? -sign : -1;
      if (x === null && y !== null) return missingIsGreatest ? sign : 1;
      if (x !== null && y !== null && x !== y) return x < y ? -sign : sign;
      return a.id < b.id ? -sign : sign;
    })
    .map((customer) => customer.id);
}

const LIST = `query ($first: Int, $after: String, $last: Int, $before: String, $filter: CustomerFilter,
  $orderBy: CustomerOrder) {
  customers(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { id identities { kind } interactions(first: 5) { edges { node { id } } } } }
  }
}`;

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
  edges: { node: { id: string } }[];
}

/** The customer IDs (UUIDs) written in a global ID or cursor. */
const customersOf = (encoded: string) =>
  Buffer.from(encoded, "base64")
    .toString()
    .match(/[0-9a-f]{8}-[0-9a-f-]{27}/g) ?? [];

const rawId = (globalId: string) =>
  Buffer.from(globalId, "base64")
    .toString()
    .replace(/^Customer:/, "");

type Client = Awaited<ReturnType<typeof createTestClient>>;

async function page(client: Client, variables: Record<string, unknown>): Promise<Page> {
  const response = await client.fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify({ query: LIST, variables }),
  });
  const { data, errors } = await response.json();
  expect(errors, JSON.stringify(variables)).toBeUndefined();
  return data.customers;
}

/** Every customer the list holds, read forward page by page and then backward from the end. */
async function readBothWays(client: Client, list: Record<string, unknown>, expected: string[]) {
  const forward: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages <= expected.length; pages++) {
    const current = await page(client, { ...list, first: PAGE, after });
    expect(current.totalCount).toBe(expected.length);
    expect(current.pageInfo.hasPreviousPage).toBe(after !== undefined);
    forward.push(...current.edges.map((edge) => rawId(edge.node.id)));
    if (!current.pageInfo.hasNextPage) break;
    after = current.pageInfo.endCursor;
  }
  const backward: string[] = [];
  let before: string | undefined;
  for (let pages = 0; pages <= expected.length; pages++) {
    const current = await page(client, { ...list, last: PAGE, before });
    expect(current.pageInfo.hasNextPage).toBe(before !== undefined);
    backward.unshift(...current.edges.map((edge) => rawId(edge.node.id)));
    if (!current.pageInfo.hasPreviousPage) break;
    before = current.pageInfo.startCursor;
  }
  return { forward, backward };
}

describe("every order of the customer list, paged both ways", () => {
  // One test per order: each reads its lists about forty times, which takes a while on a busy machine.
  for (const field of FIELDS) {
    test(`${field}: lists every customer once, in order, with ties by ID and missing values where they sort`, async ({
      db,
    }) => {
      const { ana, customers } = await seed(db);
      const admin = await createTestClient(db);
      const manager = await createTestClient(db, { role: "ACCOUNT_MANAGER", principalId: ana.id });
      const anas = customers.filter((customer) => customer.ownerId === ana.id);
      const atRisk = anas.filter((customer) => (customer.score?.churnRisk ?? 0) >= 0.75);
      expect(atRisk.length).toBeGreaterThan(PAGE);
      const cases = [
        { who: "admin", client: admin, listed: customers, filter: undefined },
        { who: "account manager", client: manager, listed: anas, filter: undefined },
        {
          who: "at-risk list",
          client: manager,
          listed: atRisk,
          filter: { churnRiskLevels: ["HIGH", "CRITICAL"] },
        },
      ];
      for (const direction of ["ASC", "DESC"] as const) {
        for (const { who, client, listed, filter } of cases) {
          const expected = expectedOrder(listed, field, direction);
          const list = { orderBy: { field, direction }, filter };
          const { forward, backward } = await readBothWays(client, list, expected);
          expect(forward, `${field} ${direction}, ${who}, forward`).toEqual(expected);
          expect(backward, `${field} ${direction}, ${who}, backward`).toEqual(expected);
        }
      }
    });
  }

  test("a cursor of a customer that no longer exists starts an empty page", async ({ db }) => {
    await seed(db);
    const admin = await createTestClient(db);
    const { endCursor } = (await page(admin, { first: 1 })).pageInfo;
    const [id] = customersOf(endCursor);
    const gone = Buffer.from(
      Buffer.from(endCursor, "base64")
        .toString()
        .replace(id ?? "", randomUUID()),
    ).toString("base64");
    for (const field of FIELDS) {
      const current = await page(admin, { first: PAGE, after: gone, orderBy: { field, direction: "DESC" } });
      expect(current.edges, field).toEqual([]);
    }
  });
});
