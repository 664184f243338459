// A segment's members as SQL: the live customers its definition selects, among those a reader may
// see. Counts, personas and the analyses a segment narrows all compute over this one set, so that
// every figure of a segment counts the same customers.
import type { Db } from "../../db/database.ts";
import { Prisma, type Segment } from "../../generated/prisma/client.ts";
import type { CustomerFilter } from "../customers/customer-filter.ts";
import { customerFilterSql } from "../customers/customer-filter-sql.ts";
import { NotFoundError } from "../errors.ts";
import { SEGMENT_SEARCH, segmentFilter } from "./segment-definition.ts";

/** Whose customers a figure covers: one owner's (an account manager's book), or everyone's (null). */
export type VisibleOwner = string | null;

/** `SELECT id` of the segment's live members that the owner restriction lets through. */
export function segmentMembersSql(filter: CustomerFilter, visibleOwner: VisibleOwner): Prisma.Sql {
  const owner = visibleOwner === null ? Prisma.empty : Prisma.sql`AND sm."ownerId" = ${visibleOwner}::uuid`;
  return Prisma.sql`SELECT sm."id" FROM "Customer" sm
    WHERE sm."mergedIntoId" IS NULL ${owner} AND ${customerFilterSql(filter, "sm", SEGMENT_SEARCH)}`;
}

export async function findSegment(db: Db, id: string): Promise<Segment> {
  const segment = await db.segment.findUnique({ where: { id } });
  if (!segment) {
    throw new NotFoundError(`There is no segment ${id}: list them with the segments query.`, "Segment", id);
  }
  return segment;
}

/** How many customers are in the segment now, among those the owner restriction lets through. */
export async function countSegmentMembers(
  db: Db,
  segment: Segment,
  visibleOwner: VisibleOwner,
): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ members: number }>>`
    SELECT count(*)::int AS members FROM (${segmentMembersSql(segmentFilter(segment), visibleOwner)}) m`;
  return row?.members ?? 0;
}
