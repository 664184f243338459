// Who entered a segment. The SegmentMembership table holds the customers last known to be in each
// segment; a check compares a set of candidates (the customers a write touched, or everyone in the
// daily count) with each segment's definition now: a candidate who matches and has no row has
// entered (a row is added), one with a row who no longer matches has left (the row is removed).
// Each entry is reported once, however many checks see it. Saving a segment (or changing its
// definition) sets its baseline without entries: the customers already in it did not just enter.
import type { Db } from "../../db/database.ts";
import { directSql } from "../../db/direct-sql.ts";
import { PREPARED } from "../../db/prepared-statements.ts";
import { Prisma } from "../../generated/prisma/client.ts";
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

/** A saved segment: its id and its definition (JSON, parsed or as its text). */
export interface SegmentRow {
  id: string;
  definition: unknown;
}

/**
 * Checks the candidates against every segment; returns the entries, by segment then customer.
 * `segments`: every segment, read by the caller in the same transaction (the write pipeline reads
 * them with the unit's other settings, in one statement); read here when omitted.
 */
export async function recordSegmentEntries(
  db: Db,
  candidates: EntryCandidates,
  at: Date,
  segments?: SegmentRow[],
): Promise<SegmentEntry[]> {
  if (candidates !== "everyone" && candidates.customerIds.length === 0) return [];
  // Straight to the driver: the daily check asks once; every write's unit of work reads them with
  // its settings, and usually hears that there are none.
  const rows =
    segments ??
    (await directSql(db).query<{ id: string; definition: unknown }>(
      `${PREPARED} SELECT "id"::text AS id, "definition" FROM "Segment" ORDER BY "id"`,
    ));
  // json arrives as its text from the driver, parsed from Prisma's raw path.
  const parsed = [...rows]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(({ id, definition }) => ({
      id,
      definition: typeof definition === "string" ? (JSON.parse(definition) as unknown) : definition,
    }));
  return syncMembership(db, parsed, candidates, at);
}

/** Sets a segment's baseline: its members now, as of `at`, with no entry reported. */
export async function baselineSegmentMembers(
  db: Db,
  segment: { id: string; definition: unknown },
  at: Date,
): Promise<void> {
  await db.segmentMembership.deleteMany({ where: { segmentId: segment.id } });
  await syncMembership(db, [segment], "everyone", at);
}

/**
 * One statement for all the segments, whatever their number, so that a write pays the same: who
 * matches each now, who left (rows removed), who entered (rows added, and returned). The
 * data-modifying CTEs all see the snapshot the statement started with.
 */
async function syncMembership(
  db: Db,
  segments: Array<{ id: string; definition: unknown }>,
  candidates: EntryCandidates,
  at: Date,
): Promise<SegmentEntry[]> {
  if (segments.length === 0) return [];
  const among = (column: Prisma.Sql) =>
    candidates === "everyone"
      ? Prisma.empty
      : Prisma.sql`AND ${column} = ANY(${candidates.customerIds}::uuid[])`;
  const matching = segments.map(
    (segment) => Prisma.sql`
      SELECT ${segment.id}::uuid AS segment_id, se."id", se."ownerId" FROM "Customer" se
       WHERE se."mergedIntoId" IS NULL ${among(Prisma.sql`se."id"`)}
         AND ${customerFilterSql(segmentFilter(segment), "se", SEGMENT_SEARCH)}`,
  );
  const segmentIds = segments.map((segment) => segment.id);
  const rows = await db.$queryRaw<
    Array<{ segment_id: string; customer_id: string; owner_id: string | null }>
  >`
    WITH matching AS (${Prisma.join(matching, " UNION ALL ")}),
    gone AS (
      DELETE FROM "SegmentMembership" m
       WHERE m."segmentId" = ANY(${segmentIds}::uuid[]) ${among(Prisma.sql`m."customerId"`)}
         AND NOT EXISTS (SELECT 1 FROM matching
                          WHERE matching.segment_id = m."segmentId" AND matching."id" = m."customerId")
    ),
    entered AS (
      INSERT INTO "SegmentMembership" ("segmentId", "customerId", "enteredAt")
      SELECT matching.segment_id, matching."id", ${at.toISOString()}::timestamptz FROM matching
      ON CONFLICT ("segmentId", "customerId") DO NOTHING
      RETURNING "segmentId", "customerId"
    )
    SELECT entered."segmentId"::text AS segment_id, entered."customerId"::text AS customer_id,
           matching."ownerId"::text AS owner_id
      FROM entered
      JOIN matching ON matching.segment_id = entered."segmentId" AND matching."id" = entered."customerId"
     ORDER BY entered."segmentId", entered."customerId"`;
  return rows.map((row) => ({
    segmentId: row.segment_id,
    customerId: row.customer_id,
    ownerId: row.owner_id,
    enteredAt: at,
  }));
}
