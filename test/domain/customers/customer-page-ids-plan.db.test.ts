// The customer list's page-ID queries read an index and stop after the page: PostgreSQL's own plan
// (EXPLAIN ANALYZE), on a table big enough that the planner would rather sort it all if no index fit.
// PGlite runs the same planner, but the plan is what matters on the production database.
import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import {
  type CustomerPage,
  customerPageIds,
  firstPageSql,
} from "../../../src/domain/customers/customer-page-ids.ts";
import { PrismaClient } from "../../../src/generated/prisma/client.ts";
import { databaseKind, test } from "../../helpers/database.ts";
import { insertRows } from "../../helpers/insert-rows.ts";

const CUSTOMERS = 6_000;
const PAGE = 21;

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Actual Rows": number;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

async function seed(db: Database) {
  const owners = await Promise.all(
    ["Ana", "Bo"].map((name) => db.prisma.principal.create({ data: { name } })),
  );
  const ids = Array.from({ length: CUSTOMERS }, () => randomUUID());
  await insertRows(
    db.prisma,
    "Customer",
    ids.map((id, i) => ({
      id,
      displayName: `Customer ${i}`,
      ownerId: owners[i % owners.length]?.id ?? null,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, i % 1_000)),
    })),
  );
  await insertRows(
    db.prisma,
    "Score",
    ids.map((customerId, i) => {
      const churnRisk = (i % 100) / 100;
      return {
        customerId,
        churnRisk,
        churnRiskLevel: churnRisk >= 0.8 ? "CRITICAL" : churnRisk >= 0.6 ? "HIGH" : "LOW",
        modelVersion: "test",
        computedAt: new Date(Date.UTC(2026, 1, 1)),
      } as const;
    }),
  );
  await db.prisma.$executeRawUnsafe(`ANALYZE "Customer", "Score"`);
  return { ana: owners[0]?.id ?? "", ids };
}

/** The plans of the statements that read a page's IDs (not the cursor lookup), run with EXPLAIN ANALYZE. */
async function plansOf(db: Database, page: CustomerPage, { oneStatement = true } = {}) {
  const logging = new PrismaClient({ adapter: db.adapterFactory, log: [{ emit: "event", level: "query" }] });
  const statements: { query: string; params: string }[] = [];
  logging.$on("query", (event) => statements.push(event));
  try {
    const ids = await customerPageIds(logging, page);
    expect(ids).toHaveLength(Math.abs(page.take));
  } finally {
    await logging.$disconnect();
  }
  // The first statement finds the cursor's position; the rest read ranges of the order.
  const pageQueries = page.cursorId === undefined ? statements : statements.slice(1);
  if (oneStatement) expect(pageQueries).toHaveLength(1);
  return Promise.all(
    pageQueries.map(async ({ query, params }) => {
      const [row] = await db.prisma.$queryRawUnsafe<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${query}`,
        ...JSON.parse(params),
      );
      return nodesOf(row?.["QUERY PLAN"][0].Plan as PlanNode);
    }),
  );
}

/** An index scan on the named index that read about a page of rows, and no sort anywhere. */
function expectIndexWalk(nodes: PlanNode[], indexName: string) {
  const described = nodes.map((node) => `${node["Node Type"]} ${node["Index Name"] ?? ""}`).join(" > ");
  expect(
    nodes.filter((node) => /Sort/.test(node["Node Type"])),
    described,
  ).toEqual([]);
  const walk = nodes.find((node) => node["Index Name"] === indexName);
  expect(walk, described).toBeDefined();
  // The account manager's list reads the index and filters by owner: about two rows for each listed.
  expect(walk?.["Actual Rows"], described).toBeLessThan(PAGE * 4);
}

describe.skipIf(databaseKind !== "postgres")("the page-ID queries' plans on PostgreSQL", () => {
  test("by creation and by churn risk, first and later pages, read an index and stop after the page", async ({
    db,
  }) => {
    const { ana, ids } = await seed(db);
    const live = { mergedIntoId: null };
    const middle = ids[CUSTOMERS / 2] ?? ""; // created first of all, churn risk 0
    const atRisk = ids[90] ?? ""; // Ana's, churn risk 0.9
    const cases: [string, CustomerPage][] = [
      [
        "Customer_live_createdAt_idx",
        { order: "created", direction: "desc", customerWhere: [live], scoreWhere: [], take: PAGE },
      ],
      [
        "Customer_live_createdAt_idx",
        {
          order: "created",
          direction: "asc",
          customerWhere: [live],
          scoreWhere: [],
          take: PAGE,
          cursorId: middle,
        },
      ],
      [
        "Customer_live_createdAt_idx",
        {
          order: "created",
          direction: "desc",
          customerWhere: [live, { ownerId: ana }],
          scoreWhere: [],
          take: -PAGE,
          cursorId: middle,
        },
      ],
      [
        "Score_churnRisk_customerId_idx",
        {
          order: "churnRisk",
          direction: "asc",
          customerWhere: [live],
          scoreWhere: [],
          take: PAGE,
          cursorId: middle,
        },
      ],
      [
        "Score_churnRisk_customerId_idx",
        {
          order: "churnRisk",
          direction: "desc",
          customerWhere: [live, { ownerId: ana }],
          scoreWhere: [{ churnRiskLevel: { in: ["HIGH", "CRITICAL"] } }],
          take: PAGE,
        },
      ],
      [
        "Score_churnRisk_customerId_idx",
        {
          order: "churnRisk",
          direction: "desc",
          customerWhere: [live, { ownerId: ana }],
          scoreWhere: [{ churnRiskLevel: { in: ["HIGH", "CRITICAL"] } }],
          take: PAGE,
          cursorId: atRisk,
        },
      ],
    ];
    for (const [indexName, page] of cases) {
      const [nodes] = await plansOf(db, page);
      expectIndexWalk(nodes ?? [], indexName);
    }
  });

  test("by churn risk, highest first, the customers not scored yet are read from their own table", async ({
    db,
  }) => {
    await seed(db);
    // Everyone is scored: the first range (customers without a score) is empty, and finding that out
    // must not read every customer (it did: an anti-join over all of them, issue 15's 10x bench).
    const page: CustomerPage = {
      order: "churnRisk",
      direction: "desc",
      customerWhere: [{ mergedIntoId: null }],
      scoreWhere: [],
      take: PAGE,
    };
    // Two statements: the customers without a score (none), then the scored ones.
    const nodes = (await plansOf(db, page, { oneStatement: false })).flat();
    const described = nodes.map(
      (node) => `${node["Node Type"]} ${node["Index Name"] ?? ""} ${node["Actual Rows"]}`,
    );
    expect(
      nodes.filter((node) => node["Actual Rows"] >= PAGE * 4),
      described.join(" > "),
    ).toEqual([]);
  });

  test("an unfiltered first page is prepared, and PostgreSQL takes its generic plan: the index walk", async ({
    db,
  }) => {
    const { ana } = await seed(db);
    const page: CustomerPage = {
      order: "lastSeen",
      direction: "desc",
      customerWhere: [{ mergedIntoId: null }, { ownerId: ana }],
      scoreWhere: [],
      take: PAGE,
    };
    const first = firstPageSql(page);
    expect(first?.prepared).toBe(true);
    // A filter's plan depends on its values: such a page is planned with them every time.
    const filtered = firstPageSql({
      ...page,
      scoreWhere: [{ churnRiskLevel: { in: ["HIGH", "CRITICAL"] } }],
    });
    expect(filtered?.prepared).toBe(false);
    // An owner's other orders have no index of their own: a plan made for the owner may sort theirs.
    expect(firstPageSql({ ...page, order: "created" })?.prepared).toBe(false);
    expect(
      firstPageSql({ ...page, order: "created", customerWhere: [{ mergedIntoId: null }] })?.prepared,
    ).toBe(true);

    const text = first?.statement.text ?? "";
    const values = first?.statement.values ?? [];
    const literal = (value: unknown) => `'${String(value).replaceAll("'", "''")}'`;
    const execute = `EXECUTE listed_page(${values.map(literal).join(", ")})`;
    const { plans, generic } = await db.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`PREPARE listed_page AS ${text}`);
      // As a connection of the hub's pool runs it: after five custom plans, PostgreSQL compares them
      // with the generic plan and keeps the generic one when it costs no more.
      for (let run = 0; run < 7; run++) await tx.$queryRawUnsafe(execute);
      const [counts] = await tx.$queryRawUnsafe<{ generic_plans: bigint; custom_plans: bigint }[]>(
        `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'listed_page'`,
      );
      await tx.$executeRawUnsafe("SET LOCAL plan_cache_mode = force_generic_plan");
      const [row] = await tx.$queryRawUnsafe<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${execute}`,
      );
      await tx.$executeRawUnsafe("DEALLOCATE listed_page");
      return { plans: counts, generic: nodesOf(row?.["QUERY PLAN"][0].Plan as PlanNode) };
    });
    expect(Number(plans?.generic_plans)).toBeGreaterThan(0);
    expectIndexWalk(generic, "Customer_live_ownerId_lastSeenAt_idx");
  });
});
