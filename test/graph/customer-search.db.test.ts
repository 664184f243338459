// The customer list's search answers the same customers on every path a page takes: a first page
// (the matched IDs looked up, then the page and its count in one statement), the pages after a
// cursor, a filter that goes through Prisma, another order, a segment's search beside the filter's,
// and a text that matches more customers than are listed by ID (the single condition). Each is held
// to the customers the search's rules select, worked out here from the seeded rows.
import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { SEARCH_ID_LIMIT } from "../../src/domain/customers/search-customers.ts";
import { CustomerListDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

interface Seeded {
  id: string;
  displayName: string;
  lastSeenAt: Date;
}

const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n));

/**
 * Customers whose name holds "Mia W" (any case), others found by an identity's value only, others
 * not at all, and one merged away whose name matches (never listed).
 */
async function seed(db: Database): Promise<{ found: Seeded[] }> {
  const row = (displayName: string, n: number): Seeded => ({
    id: randomUUID(),
    displayName,
    lastSeenAt: day(n),
  });
  const byName = Array.from({ length: 7 }, (_, i) => row(i % 2 ? `mia w${i}` : `Mia Wong ${i}`, i * 3));
  const byIdentity = [row("Zed", 2), row("Yara", 8)];
  const neither = Array.from({ length: 5 }, (_, i) => row(`Otto ${i}`, i * 3 + 1));
  await db.prisma.customer.createMany({ data: [...byName, ...byIdentity, ...neither] });
  await db.prisma.identity.createMany({
    data: [
      ...byIdentity.map((customer, i) => ({
        customerId: customer.id,
        kind: "EXTERNAL_ID" as const,
        namespace: "crm",
        value: `mia w-${i}`,
      })),
      // A name match with an identity match too: listed once.
      { customerId: byName[0]?.id ?? "", kind: "EXTERNAL_ID" as const, namespace: "crm", value: "mia w-9" },
    ],
  });
  const survivor = neither[0]?.id ?? "";
  await db.prisma.customer.create({
    data: { id: randomUUID(), displayName: "Mia W merged", lastSeenAt: day(40), mergedIntoId: survivor },
  });
  return { found: [...byName, ...byIdentity] };
}

/** The customers' own IDs, from the global IDs the API answers ("Customer:<id>", base64). */
const rawIds = (globalIds: string[]) =>
  globalIds.map((id) =>
    Buffer.from(id, "base64")
      .toString()
      .replace(/^Customer:/, ""),
  );

/** The list's default order: last seen, newest first. */
const byLastSeen = (customers: Seeded[]) =>
  [...customers].sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime()).map((c) => c.id);

describe("the customer list's search", () => {
  test("answers the same customers on a first page, page by page, and through Prisma", async ({ db }) => {
    const { found } = await seed(db);
    const client = await createTestClient(db);
    const list = async (variables: Record<string, unknown>) => {
      const result = await client.execute(CustomerListDocument, variables as never);
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      const page = result.data?.customers;
      return {
        ids: page?.edges.map((edge) => edge.node.id) ?? [],
        totalCount: page?.totalCount,
        endCursor: page?.pageInfo.endCursor,
        hasNextPage: page?.pageInfo.hasNextPage,
      };
    };
    // A first page.
    const first = await list({ first: 20, filter: { search: "MIA W" } });
    expect(rawIds(first.ids)).toEqual(byLastSeen(found));
    expect(first.totalCount).toBe(found.length);

    // Page by page after a cursor: the walk's ranges.
    const paged: string[] = [];
    let after: string | null | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await list({ first: 2, after, filter: { search: "mia w" } });
      expect(page.totalCount).toBe(found.length);
      paged.push(...page.ids);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(rawIds(paged)).toEqual(byLastSeen(found));

    // With a filter the list's own SQL does not read (a last-seen window): through Prisma.
    const window = { from: day(5).toISOString(), to: day(16).toISOString() };
    const windowed = await list({ first: 20, filter: { search: "mia w", lastSeen: window } });
    const inWindow = found.filter((c) => c.lastSeenAt >= day(5) && c.lastSeenAt < day(16));
    expect(inWindow.length).toBeGreaterThan(1);
    expect(rawIds(windowed.ids)).toEqual(byLastSeen(inWindow));
    expect(windowed.totalCount).toBe(inWindow.length);

    // In another order's first page.
    const byName = await list({
      first: 20,
      filter: { search: "mia w" },
      orderBy: { field: "NAME", direction: "ASC" },
    });
    expect(byName.totalCount).toBe(found.length);
    expect(new Set(rawIds(byName.ids))).toEqual(new Set(found.map((c) => c.id)));

    // With a segment whose definition searches too: both searches hold.
    const segment = await db.prisma.segment.create({
      data: { name: "Wongs", definition: { search: "wong" } },
    });
    const inSegment = await list({
      first: 20,
      filter: { search: "mia w", segmentId: Buffer.from(`Segment:${segment.id}`).toString("base64") },
    });
    const wongs = found.filter((c) => c.displayName.startsWith("Mia Wong"));
    expect(wongs.length).toBeGreaterThan(1);
    expect(rawIds(inSegment.ids)).toEqual(byLastSeen(wongs));
    expect(inSegment.totalCount).toBe(wongs.length);

    const none = await list({ first: 20, filter: { search: "nobody" } });
    expect(none).toMatchObject({ ids: [], totalCount: 0 });
  });

  test("answers a text that matches more customers than are listed by ID, on every path", async ({ db }) => {
    const many = SEARCH_ID_LIMIT + 5;
    await db.prisma.customer.createMany({
      data: Array.from({ length: many }, (_, i) => ({
        displayName: `Common ${i}`,
        lastSeenAt: day(i % 300),
      })),
    });
    await db.prisma.customer.createMany({ data: [{ displayName: "Rare" }] });
    const client = await createTestClient(db);
    const count = async (filter: Record<string, unknown>, after?: string | null) => {
      const result = await client.execute(CustomerListDocument, { first: 3, after, filter } as never);
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      return result.data?.customers;
    };
    const first = await count({ search: "common" });
    expect(first?.totalCount).toBe(many);
    const second = await count({ search: "common" }, first?.pageInfo.endCursor);
    expect(second?.edges).toHaveLength(3);
    expect(second?.totalCount).toBe(many);
    const windowed = await count({
      search: "common",
      lastSeen: { from: day(0).toISOString(), to: day(10).toISOString() },
    });
    const expected = Array.from({ length: many }, (_, i) => i % 300).filter((n) => n < 10).length;
    expect(windowed?.totalCount).toBe(expected);
  });
});
