// A customer's interactions and survey answers as one stream, newest first, paged by keyset
// (time, id) in SQL so that page N costs the same as page 1.
import type { Db } from "../../db/database.ts";
import type { Feedback, Interaction } from "../../generated/prisma/client.ts";
import { Prisma } from "../../generated/prisma/client.ts";

/** The customer's owner travels with each entry, for the visibility check of the API layer. */
type WithOwner = { customer: { ownerId: string | null } };
export type TimelineEntry =
  | ({ entry: "interaction" } & Interaction & WithOwner)
  | ({ entry: "feedback" } & Feedback & WithOwner);

export interface TimelinePosition {
  at: Date;
  id: string;
}

export interface TimelinePageRequest {
  /** Entries strictly older than this position. */
  olderThan?: TimelinePosition;
  /** Entries strictly newer than this position. */
  newerThan?: TimelinePosition;
  limit: number;
  /** Oldest first (to page backwards); the caller reverses. */
  oldestFirst?: boolean;
}

const ownerOnly = { customer: { select: { ownerId: true } } } as const;

export function timelinePosition(entry: TimelineEntry): TimelinePosition {
  return { at: entry.entry === "interaction" ? entry.occurredAt : entry.respondedAt, id: entry.id };
}

export async function customerTimeline(
  db: Db,
  customerId: string,
  { olderThan, newerThan, limit, oldestFirst = false }: TimelinePageRequest,
): Promise<TimelineEntry[]> {
  const bounds = (at: Prisma.Sql) => [
    olderThan ? Prisma.sql`(${at}, id) < (${olderThan.at}, ${olderThan.id}::uuid)` : Prisma.sql`TRUE`,
    newerThan ? Prisma.sql`(${at}, id) > (${newerThan.at}, ${newerThan.id}::uuid)` : Prisma.sql`TRUE`,
  ];
  const order = oldestFirst ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const rows = await db.$queryRaw<Array<{ id: string; entry: "interaction" | "feedback" }>>`
    SELECT id, entry FROM (
      SELECT id, 'interaction' AS entry, "occurredAt" AS at FROM "Interaction"
       WHERE "customerId" = ${customerId}::uuid AND ${Prisma.join(bounds(Prisma.sql`"occurredAt"`), " AND ")}
      UNION ALL
      SELECT id, 'feedback' AS entry, "respondedAt" AS at FROM "Feedback"
       WHERE "customerId" = ${customerId}::uuid AND ${Prisma.join(bounds(Prisma.sql`"respondedAt"`), " AND ")}
    ) AS timeline
    ORDER BY at ${order}, id ${order}
    LIMIT ${limit}`;
  const ids = (entry: string) => rows.filter((row) => row.entry === entry).map((row) => row.id);
  const [interactions, feedback] = await Promise.all([
    db.interaction.findMany({ where: { id: { in: ids("interaction") } }, include: ownerOnly }),
    db.feedback.findMany({ where: { id: { in: ids("feedback") } }, include: ownerOnly }),
  ]);
  const byId = new Map<string, TimelineEntry>([
    ...interactions.map((row) => [row.id, { entry: "interaction" as const, ...row }] as const),
    ...feedback.map((row) => [row.id, { entry: "feedback" as const, ...row }] as const),
  ]);
  return rows.map((row) => byId.get(row.id)).filter((entry): entry is TimelineEntry => entry !== undefined);
}

/** How many entries the customer's timeline holds: interactions and survey answers. */
export async function countCustomerTimeline(db: Db, customerId: string): Promise<number> {
  const [interactions, feedback] = await Promise.all([
    db.interaction.count({ where: { customerId } }),
    db.feedback.count({ where: { customerId } }),
  ]);
  return interactions + feedback;
}
