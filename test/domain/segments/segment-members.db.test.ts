// A segment's members, exactly, on a hand-built population: through the SQL predicate (counts,
// personas, analyses) and through the Prisma conditions (the member list), which must agree.
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import {
  type CustomerFilterInput,
  conditionsWhere,
  customerFilterConditions,
  customerFilterSchema,
} from "../../../src/domain/customers/customer-filter.ts";
import { customerSearchWhere } from "../../../src/domain/customers/search-customers.ts";
import { SEGMENT_SEARCH } from "../../../src/domain/segments/segment-definition.ts";
import { segmentMembersSql, type VisibleOwner } from "../../../src/domain/segments/segment-members.ts";
import { createTestDatabase, test } from "../../helpers/database.ts";
import { buildPopulation, type Population } from "./segment-population.ts";

async function bySql(
  db: Database,
  input: CustomerFilterInput,
  owner: VisibleOwner = null,
): Promise<string[]> {
  const rows = await db.prisma.$queryRaw<Array<{ id: string }>>(
    segmentMembersSql(customerFilterSchema.parse(input), owner),
  );
  return rows.map((row) => row.id).sort();
}

async function byPrisma(
  db: Database,
  input: CustomerFilterInput,
  owner: VisibleOwner = null,
): Promise<string[]> {
  const conditions = await customerFilterConditions(customerFilterSchema.parse(input), async (text) =>
    customerSearchWhere({ text, ...SEGMENT_SEARCH }),
  );
  const rows = await db.prisma.customer.findMany({
    where: {
      AND: [{ mergedIntoId: null }, ...(owner ? [{ ownerId: owner }] : []), conditionsWhere(conditions)],
    },
    select: { id: true },
  });
  return rows.map((row) => row.id).sort();
}

const CASES: Array<[string, CustomerFilterInput, (p: Population) => string[]]> = [
  ["everyone live (an empty definition)", {}, (p) => p.named("ada", "bob", "cy", "dee", "eve", "frank")],
  [
    "at risk and buying: HIGH or CRITICAL with an order",
    { churnRiskLevels: ["HIGH", "CRITICAL"], channels: ["ECOMMERCE"] },
    (p) => p.named("eve"),
  ],
  [
    "reachable by email (an email identity)",
    { channels: ["EMAIL"] },
    (p) => p.named("ada", "bob", "eve", "frank"),
  ],
  ["reachable on social or phone", { channels: ["SOCIAL", "PHONE"] }, (p) => p.named("cy", "dee")],
  [
    "a value range, both ends inclusive",
    { minLifetimeValue: 100, maxLifetimeValue: 600 },
    (p) => p.named("ada", "bob"),
  ],
  ["a churn risk range", { minChurnRisk: 0.3, maxChurnRisk: 0.7 }, (p) => p.named("cy", "dee", "frank")],
  [
    "a journey stage",
    { journeyStages: [{ journeyKey: "onboarding", stageKey: "activated" }] },
    (p) => p.named("ada", "cy"),
  ],
  [
    "any of two journey stages, in a lifecycle stage",
    {
      journeyStages: [
        { journeyKey: "onboarding", stageKey: "activated" },
        { journeyKey: "onboarding", stageKey: "signed-up" },
      ],
      lifecycleStages: ["CUSTOMER"],
    },
    (p) => p.named("ada", "bob"),
  ],
  ["unowned", { unowned: true }, (p) => p.named("dee", "frank")],
  ["a search matches names and handles, never emails", { search: "ada" }, (p) => p.named("ada")],
  ["a search by handle", { search: "cy" }, (p) => p.named("cy")],
  ["one channel with interactions only", { channel: "SUPPORT" }, (p) => p.named("bob")],
];

// The population is built once per file: every case only reads it (building it, through the write
// pipeline, was most of each test's time: 13 builds, 70 s of the file on PGlite under load).
const populatedTest = test.extend<{ populated: { db: Database; population: Population } }>({
  populated: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures take their dependencies as a destructured first argument
    async ({}, use) => {
      const db = await createTestDatabase();
      try {
        await use({ db, population: await buildPopulation(db) });
      } finally {
        await db.close();
      }
    },
    { scope: "file" },
  ],
});

describe("segment membership", () => {
  for (const [name, definition, expected] of CASES) {
    populatedTest(`selects exactly: ${name}`, async ({ populated: { db, population } }) => {
      const want = expected(population);
      expect(await bySql(db, definition)).toEqual(want);
      expect(await byPrisma(db, definition)).toEqual(want);
    });
  }

  populatedTest(
    "an owner's view holds only that owner's members",
    async ({ populated: { db, population } }) => {
      const definition: CustomerFilterInput = { churnRiskLevels: ["CRITICAL"] };
      expect(await bySql(db, definition)).toEqual(population.named("bob", "eve"));
      expect(await bySql(db, definition, population.ana)).toEqual(population.named("bob"));
      expect(await byPrisma(db, definition, population.ana)).toEqual(population.named("bob"));
      expect(await bySql(db, definition, population.ben)).toEqual(population.named("eve"));
    },
  );
});
