// A customer's interactions and survey answers as one stream, newest first, paged by keyset
// (time, id) in SQL so that page N costs the same as page 1.
import type { Db } from "../../db/database.ts";
import { directSql } from "../../db/direct-sql.ts";
import { PREPARED } from "../../db/prepared-statements.ts";
import type { Feedback, Interaction } from "../../generated/prisma/client.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { FEEDBACK_JSON, feedbackOf, INTERACTION_JSON, interactionOf } from "./customer-page-rows.ts";

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

export function timelinePosition(entry: TimelineEntry): TimelinePosition {
  return { at: entry.entry === "interaction" ? entry.occurredAt : entry.respondedAt, id: entry.id };
}

export async function customerTimeline(
  db: Db,
  customerId: string,
  { olderThan, newerThan, limit, oldestFirst = false }: TimelinePageRequest,
): Promise<TimelineEntry[]> {
  const bounds = (at: Prisma.Sql) => [
    olderThan
      ? Prisma.sql`(${at}, id) < (${olderThan.at.toISOString()}::timestamptz, ${olderThan.id}::uuid)`
      : Prisma.sql`TRUE`,
    newerThan
      ? Prisma.sql`(${at}, id) > (${newerThan.at.toISOString()}::timestamptz, ${newerThan.id}::uuid)`
      : Prisma.sql`TRUE`,
  ];
  const order = oldestFirst ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  // The page's entries by keyset first, then each one's columns as JSON: one statement straight to
  // the driver (three through Prisma before, 2.6 of a 360 page's 6.8 statements), the JSON built for
  // the page only. Prepared (prepared-statements.ts): every part is an index lookup by the customer's
  // id, so the generic plan is the one it needs, and planning it cost PostgreSQL more than running it
  // (1.2 against 0.7 ms a 360 page in the bench; 0.09 ms of planning once prepared).
  const statement = Prisma.sql`${Prisma.raw(PREPARED)}
    WITH page AS (
      SELECT id, entry, at FROM (
        SELECT id, 'interaction' AS entry, "occurredAt" AS at FROM "Interaction"
         WHERE "customerId" = ${customerId}::uuid AND ${Prisma.join(bounds(Prisma.sql`"occurredAt"`), " AND ")}
        UNION ALL
        SELECT id, 'feedback' AS entry, "respondedAt" AS at FROM "Feedback"
         WHERE "customerId" = ${customerId}::uuid AND ${Prisma.join(bounds(Prisma.sql`"respondedAt"`), " AND ")}
      ) AS timeline
      ORDER BY at ${order}, id ${order}
      LIMIT ${limit}::int
    )
    SELECT p.entry, (SELECT c."ownerId" FROM "Customer" c WHERE c."id" = ${customerId}::uuid) AS "ownerId",
           (CASE WHEN p.entry = 'interaction'
                 THEN (SELECT ${INTERACTION_JSON} FROM "Interaction" x WHERE x."id" = p.id)
                 ELSE (SELECT ${FEEDBACK_JSON} FROM "Feedback" f WHERE f."id" = p.id) END)::text AS "row"
      FROM page p
     ORDER BY p.at ${order}, p.id ${order}`;
  const rows = await directSql(db).query<{ entry: string; ownerId: string | null; row: string | null }>(
    statement.text,
    statement.values,
  );
  return rows.flatMap((row): TimelineEntry[] => {
    // An entry deleted between the page's keyset and its columns is left out, as before.
    if (row.row === null) return [];
    const customer = { ownerId: row.ownerId };
    const json = JSON.parse(row.row) as Record<string, unknown>;
    return row.entry === "interaction"
      ? [{ entry: "interaction", ...interactionOf(json), customer }]
      : [{ entry: "feedback", ...feedbackOf(json), customer }];
  });
}

/** How many entries the customer's timeline holds: interactions and survey answers. */
export async function countCustomerTimeline(db: Db, customerId: string): Promise<number> {
  const [interactions, feedback] = await Promise.all([
    db.interaction.count({ where: { customerId } }),
    db.feedback.count({ where: { customerId } }),
  ]);
  return interactions + feedback;
}
