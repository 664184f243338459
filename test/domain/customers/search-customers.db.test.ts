// Issue 14: the customer search is two indexed lookups (display name, identity value) combined by id.
// These tests hold what it finds to what the single condition finds, and show with EXPLAIN that, on
// tables large enough for the planner to care, each lookup reads its trigram index.
import { describe, expect } from "vitest";
import {
  type CustomerSearch,
  customerIdsMatching,
  customerSearchWhere,
  displayNameLookup,
  identityLookup,
} from "../../../src/domain/customers/search-customers.ts";
import { Prisma, type PrismaClient } from "../../../src/generated/prisma/client.ts";
import { IdentityKind } from "../../../src/generated/prisma/enums.ts";
import { databaseKind, test } from "../../helpers/database.ts";
import { upsertCustomer } from "../../helpers/writes.ts";

const EVERY_KIND = Object.values(IdentityKind);
const WITHOUT_PII: IdentityKind[] = EVERY_KIND.filter((kind) => kind !== "EMAIL" && kind !== "PHONE");

async function seed(db: PrismaClient) {
  const named = async (displayName: string, identities: Parameters<typeof upsertCustomer>[1]["identities"]) =>
    (await upsertCustomer(db, { displayName, identities })).customer.id;
  return {
    annaByName: await named("Anna Lima", [{ kind: "EXTERNAL_ID", namespace: "crm", value: "c-1" }]),
    byHandle: await named("Bea", [{ kind: "SOCIAL_HANDLE", namespace: "x", value: "joanna_b" }]),
    byEmail: await named("Carl", [{ kind: "EMAIL", value: "hanna@example.com" }]),
    nameIsEmail: await named("anna@example.com", [{ kind: "EXTERNAL_ID", namespace: "crm", value: "c-4" }]),
    percent: await named("100% Anna", [{ kind: "EXTERNAL_ID", namespace: "crm", value: "c-5" }]),
    nobody: await named("Dan", [{ kind: "EXTERNAL_ID", namespace: "crm", value: "c-6" }]),
  };
}

/** The ids the single condition finds: what the two lookups must find too. */
async function idsByCondition(db: PrismaClient, search: CustomerSearch): Promise<string[]> {
  const rows = await db.customer.findMany({
    where: { AND: [{ mergedIntoId: null }, customerSearchWhere(search)] },
    select: { id: true },
  });
  return rows.map((row) => row.id).sort();
}

describe("customerIdsMatching", () => {
  test("finds by display name and by identity value, as the single condition does", async ({ db }) => {
    const ids = await seed(db.prisma);
    const withPii: CustomerSearch = {
      text: "ANNA",
      identityKinds: EVERY_KIND,
      namesWithContactDetails: true,
    };
    const found = (await customerIdsMatching(db.prisma, withPii))?.sort();
    expect(found).toEqual([ids.annaByName, ids.byHandle, ids.byEmail, ids.nameIsEmail, ids.percent].sort());
    expect(found).toEqual(await idsByCondition(db.prisma, withPii));
  });

  test("without the pii scope leaves out emails and names that are contact details", async ({ db }) => {
    const ids = await seed(db.prisma);
    const withoutPii: CustomerSearch = {
      text: "anna",
      identityKinds: WITHOUT_PII,
      namesWithContactDetails: false,
    };
    const found = (await customerIdsMatching(db.prisma, withoutPii))?.sort();
    expect(found).toEqual([ids.annaByName, ids.byHandle, ids.percent].sort());
    expect(found).toEqual(await idsByCondition(db.prisma, withoutPii));
  });

  test("matches % and _ literally", async ({ db }) => {
    const ids = await seed(db.prisma);
    const search = { identityKinds: EVERY_KIND, namesWithContactDetails: true };
    expect(await customerIdsMatching(db.prisma, { ...search, text: "0% a" })).toEqual([ids.percent]);
    expect(await customerIdsMatching(db.prisma, { ...search, text: "a_b" })).toEqual([ids.byHandle]);
    expect(await customerIdsMatching(db.prisma, { ...search, text: "%" })).toEqual([ids.percent]);
  });

  test("answers null when more customers match than it lists, and the condition then finds them all", async ({
    db,
  }) => {
    await seed(db.prisma);
    const search: CustomerSearch = { text: "a", identityKinds: EVERY_KIND, namesWithContactDetails: true };
    expect(await customerIdsMatching(db.prisma, search, 3)).toBeNull();
    expect(await idsByCondition(db.prisma, search)).toHaveLength(6);
  });
});

// The plan is PostgreSQL's: the embedded PGlite serves one user, and its plans are not what matters.
describe.runIf(databaseKind === "postgres")("the search's plan on PostgreSQL", () => {
  test("each lookup reads its trigram index once the tables are large", async ({ db }) => {
    // 100,000 customers with a name and an external id each, then fresh statistics. At 20,000 the
    // planner still reads every row (cheaper than the index at that size, whatever the query says).
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "Customer" (id, "displayName", "updatedAt")
      SELECT gen_random_uuid(), 'Customer ' || n || ' ' || md5(n::text), now()
        FROM generate_series(1, 100000) AS n`);
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "Identity" (id, "customerId", kind, namespace, value)
      SELECT gen_random_uuid(), id, 'EXTERNAL_ID', 'crm', md5(id::text) FROM "Customer"`);
    await db.prisma.$executeRawUnsafe(`ANALYZE "Customer"`);
    await db.prisma.$executeRawUnsafe(`ANALYZE "Identity"`);
    const search: CustomerSearch = {
      text: "anna lima",
      identityKinds: WITHOUT_PII,
      namesWithContactDetails: false,
    };

    const plan = async (lookup: Prisma.Sql) => {
      const rows = await db.prisma.$queryRaw<Array<{ "QUERY PLAN": string }>>(Prisma.sql`EXPLAIN ${lookup}`);
      return rows.map((row) => row["QUERY PLAN"]).join("\n");
    };

    expect(await plan(displayNameLookup(search, 1000))).toContain("Customer_displayName_trgm_idx");
    expect(await plan(identityLookup(search, 1000))).toContain("Identity_value_trgm_idx");
  });
});
