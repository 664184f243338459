// markSeen moves identities' lastSeenAt forward on every batch a sync writes. That column is in no
// index, and "Identity" keeps free room on its pages (migration 20261206112000_identity_fillfactor), so
// each new version is written beside the old one (a HOT update) instead of into every index of the
// table, one of them a trigram GIN (issue 15: a fifth of the statement's time in the sync bench).
import { describe, expect } from "vitest";
import { markSeen } from "../../../src/domain/customers/mark-seen.ts";
import { test } from "../../helpers/database.ts";

const IDENTITIES = 600;
const firstSeen = new Date("2026-10-01T00:00:00Z");
const later = new Date("2026-11-01T00:00:00Z");

describe("markSeen", () => {
  test("moves identities' lastSeenAt forward without touching their indexes (HOT updates)", async ({
    db,
  }) => {
    const customer = await db.prisma.customer.create({
      data: { displayName: "Many handles", firstSeenAt: firstSeen, lastSeenAt: firstSeen },
    });
    // Enough rows to fill several pages: on full pages no update could stay on its page.
    await db.prisma.identity.createMany({
      data: Array.from({ length: IDENTITIES }, (_, n) => ({
        customerId: customer.id,
        kind: "EMAIL" as const,
        value: `handle-${String(n).padStart(4, "0")}@example.com`,
        source: "test",
        lastSeenAt: firstSeen,
      })),
    });
    // A sync's batch names some of a page's identities, not all: every eighth here. (A version can
    // only stay on its page while the page has room for it; a page's old versions are pruned later.)
    const all = await db.prisma.identity.findMany({ select: { id: true }, orderBy: { value: "asc" } });
    const ids = all.filter((_, n) => n % 8 === 0).map((row) => row.id);

    const counts = await db.prisma.$transaction(async (tx) => {
      await markSeen(
        tx,
        new Map([[customer.id, { first: later, last: later }]]),
        new Map(ids.map((id) => [id, later])),
      );
      // This transaction's own counters: exact, unlike the server's statistics, which lag.
      return tx.$queryRaw<Array<{ updated: number; hot: number }>>`
        SELECT pg_stat_get_xact_tuples_updated('"Identity"'::regclass)::int AS updated,
               pg_stat_get_xact_tuples_hot_updated('"Identity"'::regclass)::int AS hot`;
    });
    expect(counts[0]).toEqual({ updated: ids.length, hot: ids.length });
    const moved = await db.prisma.identity.count({ where: { lastSeenAt: later } });
    expect(moved).toBe(ids.length);
  });
});
