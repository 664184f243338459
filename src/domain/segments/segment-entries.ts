// Who entered a segment. The SegmentMembership table holds the customers last known to be in each
// segment; a check compares a set of candidates (the customers a write touched, or everyone in the
// daily count) with each segment's definition now: a candidate who matches and has no row has
// entered (a row is added), one with a row who no longer matches has left (the row is removed).
// Each entry is reported once, however many checks see it. Saving a segment (or changing its
// definition) sets its baseline without entries: the customers already in it did not just enter.
import type { Db } from "../../db/database.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type { CustomerFilter } from "../customers/customer-filter.ts";
import { customerFilterSql } from "../customers/customer-filter-sql.ts";
import { SEGMENT_SEARCH, segmentFilter } from "./segment-definition.ts";

export interface SegmentEntry {
  segmentId: string;
  customerId: string;
  /** The customer's owner when they entered: whose subscribers hear of it. */
  ownerId: string | null;
  enteredAt: Date;
}

/** Which customers to check: those named, or every live customer. */
export type EntryCandidates = { customerIds: string[] } | "everyone";

/** Checks the candidates against every segment; returns the entries, oldest segment first. */
export async function recordSegmentEntries(
  db: Db,
  candidates: EntryCandidates,
  at: Date,
): Promise<SegmentEntry[]> {
  if (candidates !== "everyone" && candidates.customerIds.length === 0) return [];
  const segments = await db.segment.findMany({
    select: { id: true, definition: true },
    orderBy: { id: "asc" },
  });
  const entries: SegmentEntry[] = [];
  for (const segment of segments) {
    entries.push(...(await syncMembership(db, segment.id, segmentFilter(segment), candidates, at, "report")));
  }
  return entries;
}

/** Sets a segment's baseline: its members now, as of `at`, with no entry reported. */
export async function baselineSegmentMembers(
  db: Db,
  segment: { id: string; definition: unknown },
  at: Date,
): Promise<void> {
  await db.segmentMembership.deleteMany({ where: { segmentId: segment.id } });
  await syncMembership(db, segment.id, segmentFilter(segment), "everyone", at, "baseline");
}

async function syncMembership(
  db: Db,
  segmentId: string,
  filter: CustomerFilter,
  candidates: EntryCandidates,
  at: Date,
  mode: "report" | "baseline",
): Promise<SegmentEntry[]> {
  const among = (column: Prisma.Sql) =>
    candidates === "everyone"
      ? Prisma.empty
      : Prisma.sql`AND ${column} = ANY(${candidates.customerIds}::uuid[])`;
  // One statement: who matches now, who left, who entered (data-modifying CTEs see the same snapshot).
  const rows = await db.$queryRaw<Array<{ customer_id: string; owner_id: string | null }>>`
    WITH matching AS (
      SELECT se."id", se."ownerId" FROM "Customer" se
       WHERE se."mergedIntoId" IS NULL ${among(Prisma.sql`se."id"`)}
         AND ${customerFilterSql(filter, "se", SEGMENT_SEARCH)}
    ),
    gone AS (
      DELETE FROM "SegmentMembership" m
       WHERE m."segmentId" = ${segmentId}::uuid ${among(Prisma.sql`m."customerId"`)}
         AND m."customerId" NOT IN (SELECT "id" FROM matching)
    ),
    entered AS (
      INSERT INTO "SegmentMembership" ("segmentId", "customerId", "enteredAt")
      SELECT ${segmentId}::uuid, matching."id", ${at.toISOString()}::timestamptz FROM matching
      ON CONFLICT ("segmentId", "customerId") DO NOTHING
      RETURNING "customerId"
    )
    SELECT entered."customerId" AS customer_id, matching."ownerId" AS owner_id
      FROM entered JOIN matching ON matching."id" = entered."customerId"
     ORDER BY entered."customerId"`;
  if (mode === "baseline") return [];
  return rows.map((row) => ({
    segmentId,
    customerId: row.customer_id,
    ownerId: row.owner_id,
    enteredAt: at,
  }));
}
