// The trend of a segment's size: once a day the scheduled count job (src/jobs/segment-count-jobs.ts)
// records how many customers every segment holds, one row per owner (and one for customers nobody
// owns, written even when empty, so that a counted day always has a row). An account manager's trend
// sums their own row; everyone else's sums them all — the same visibility as the live count.
import type { Db } from "../../db/database.ts";
import { inTransaction } from "../../db/transaction.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { segmentFilter } from "./segment-definition.ts";
import { segmentMembersSql, type VisibleOwner } from "./segment-members.ts";

/** A calendar day, "YYYY-MM-DD". */
export type CalendarDay = string;

/** The calendar day an instant falls on in a time zone. */
export function calendarDay(instant: Date, timeZone: string): CalendarDay {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(instant);
}

/**
 * Counts every segment's members now and records them for `day`, replacing what an earlier run of
 * the same day wrote: a retried or repeated run leaves one count per segment, owner and day.
 */
export async function recordSegmentCounts(
  db: Db,
  { day, countedAt }: { day: CalendarDay; countedAt: Date },
): Promise<{ segments: number }> {
  const segments = await db.segment.findMany({
    select: { id: true, definition: true },
    orderBy: { id: "asc" },
  });
  for (const segment of segments) {
    const members = segmentMembersSql(segmentFilter(segment), null);
    await inTransaction(db, async (tx) => {
      await tx.segmentCount.deleteMany({
        where: { segmentId: segment.id, day: new Date(`${day}T00:00:00Z`) },
      });
      // One row per owner, and the unowned row always (0 when nobody unowned is a member).
      await tx.$executeRaw`
        INSERT INTO "SegmentCount" ("id", "segmentId", "day", "ownerId", "members", "countedAt")
        SELECT gen_random_uuid(), ${segment.id}::uuid, ${day}::date, owners."ownerId", count(c."id")::int,
               ${countedAt.toISOString()}::timestamptz
          FROM (SELECT DISTINCT c."ownerId" FROM "Customer" c WHERE c."id" IN (${members})
                UNION SELECT NULL::uuid) owners
          LEFT JOIN "Customer" c ON c."ownerId" IS NOT DISTINCT FROM owners."ownerId" AND c."id" IN (${members})
         GROUP BY owners."ownerId"`;
    });
  }
  return { segments: segments.length };
}

export interface SegmentCountPoint {
  day: CalendarDay;
  members: number;
  countedAt: Date;
}

/** The recorded counts of the days from `from` to before `to` (calendar days), oldest first. */
export async function segmentTrend(
  db: Db,
  segmentId: string,
  visibleOwner: VisibleOwner,
  range: { from?: CalendarDay | undefined; to?: CalendarDay | undefined },
): Promise<SegmentCountPoint[]> {
  const owner = visibleOwner === null ? Prisma.sql`TRUE` : Prisma.sql`sc."ownerId" = ${visibleOwner}::uuid`;
  const from = range.from ? Prisma.sql`AND sc."day" >= ${range.from}::date` : Prisma.empty;
  const to = range.to ? Prisma.sql`AND sc."day" < ${range.to}::date` : Prisma.empty;
  const rows = await db.$queryRaw<Array<{ day: string; members: number; counted_at: Date }>>`
    SELECT sc."day"::text AS day,
           coalesce(sum(sc."members") FILTER (WHERE ${owner}), 0)::int AS members,
           max(sc."countedAt") AS counted_at
      FROM "SegmentCount" sc
     WHERE sc."segmentId" = ${segmentId}::uuid ${from} ${to}
     GROUP BY sc."day"
     ORDER BY sc."day"`;
  return rows.map((row) => ({ day: row.day, members: row.members, countedAt: new Date(row.counted_at) }));
}
