// Where one customer stands in each journey they have started: the stage they are in, since when,
// whether they finished, and the path that brought them there.
import type { Db } from "../../db/database.ts";
import { directSql } from "../../db/direct-sql.ts";
import { PREPARED } from "../../db/prepared-statements.ts";
import { Prisma } from "../../generated/prisma/client.ts";

export interface JourneyProgressView {
  journeyKey: string;
  journeyName: string;
  /** Whether the journey still moves customers (an inactive one keeps their progress). */
  journeyActive: boolean;
  currentStage: { key: string; name: string; position: number };
  startedAt: Date;
  stageEnteredAt: Date;
  /** Whole seconds from stageEnteredAt to `now`; 0 once the journey is completed (time stops there). */
  timeInStageSeconds: number;
  completedAt: Date | null;
  /** Oldest first; `fromStageKey` is null for the move into the journey. */
  transitions: Array<{
    fromStageKey: string | null;
    toStageKey: string;
    occurredAt: Date;
    interactionId: string | null;
  }>;
}

/**
 * The progress in every journey a customer has started, ordered by journey key, for a customer the
 * caller has read (the Customer.journeys field): an empty answer means "has started no journey", and
 * nothing asks again whether the customer exists (most customers, in no journey, would pay a second
 * statement on every Customer360 page: issue 15).
 */
export async function journeyProgressOf(db: Db, id: string, now: Date): Promise<JourneyProgressView[]> {
  // One plain statement, straight to the driver: through Prisma, this read with its three nested
  // relations cost a Customer360 request more CPU than its answer (Prisma's client engine, even for
  // a customer in no journey: issue 15). Prepared: every part is a lookup by key, and planning it
  // cost PostgreSQL ten times running it (0.7 against 0.04 ms).
  const statement = Prisma.sql`${Prisma.raw(PREPARED)}
     SELECT ${journeyProgressJson(Prisma.sql`${id}::uuid`)}::text AS "progress"`;
  const [row] = await directSql(db).query<{ progress: string }>(statement.text, statement.values);
  return row ? journeyProgressViews(JSON.parse(row.progress), now) : [];
}

/**
 * The progress of the customer whose id is the SQL expression `customerId` in every journey they have
 * started, as one JSON array ordered by journey key: read alone (journeyProgressOf) or inside the
 * Customer360 page's statement (customer-page-rows.ts), turned into views by journeyProgressViews.
 */
export const journeyProgressJson = (customerId: Prisma.Sql) => Prisma.sql`(SELECT coalesce(json_agg(
     json_build_object(
       'journeyKey', j."key", 'journeyName', j."name", 'journeyActive', j."active",
       'currentStage', json_build_object('key', s."key", 'name', s."name", 'position', s."position"),
       'startedAt', p."startedAt", 'stageEnteredAt', p."stageEnteredAt", 'completedAt', p."completedAt",
       -- The id breaks ties between moves made at the same instant; it is a UUIDv7, so ordered by creation.
       'transitions', (SELECT coalesce(json_agg(json_build_object('fromStageKey', f."key", 'toStageKey', t."key",
           'occurredAt', x."occurredAt", 'interactionId', x."interactionId") ORDER BY x."occurredAt", x."id"), '[]')
         FROM "JourneyTransition" x
         LEFT JOIN "JourneyStage" f ON f."id" = x."fromStageId"
         JOIN "JourneyStage" t ON t."id" = x."toStageId"
         WHERE x."progressId" = p."id")
     ) ORDER BY j."key" ASC), '[]')
     FROM "JourneyProgress" p
     JOIN "Journey" j ON j."id" = p."journeyId"
     JOIN "JourneyStage" s ON s."id" = p."currentStageId"
     WHERE p."customerId" = ${customerId})`;

/** A journeyProgressJson array (parsed) as views, the time in each stage counted to `now`. */
export function journeyProgressViews(progress: ProgressJson[], now: Date): JourneyProgressView[] {
  return progress.map((json) => {
    const stageEnteredAt = new Date(json.stageEnteredAt);
    const completedAt = json.completedAt === null ? null : new Date(json.completedAt);
    return {
      journeyKey: json.journeyKey,
      journeyName: json.journeyName,
      journeyActive: json.journeyActive,
      currentStage: json.currentStage,
      startedAt: new Date(json.startedAt),
      stageEnteredAt,
      timeInStageSeconds: completedAt
        ? 0
        : Math.max(0, Math.floor((now.getTime() - stageEnteredAt.getTime()) / 1000)),
      completedAt,
      transitions: json.transitions.map((transition) => ({
        fromStageKey: transition.fromStageKey,
        toStageKey: transition.toStageKey,
        occurredAt: new Date(transition.occurredAt),
        interactionId: transition.interactionId,
      })),
    };
  });
}

/** A progress row as the statement writes it: timestamps as text. */
export interface ProgressJson {
  journeyKey: string;
  journeyName: string;
  journeyActive: boolean;
  currentStage: { key: string; name: string; position: number };
  startedAt: string;
  stageEnteredAt: string;
  completedAt: string | null;
  transitions: Array<{
    fromStageKey: string | null;
    toStageKey: string;
    occurredAt: string;
    interactionId: string | null;
  }>;
}
