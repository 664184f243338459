// A journey as a funnel: how many customers reached each stage, how many are in it now, how many
// converted from the stage before and dropped off before the next, and how long they stayed.
// Computed in one SQL statement over transitions, so it costs the same for ten customers or a million.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { NotFoundError, parseInput, ValidationError } from "../errors.ts";
import { slugSchema } from "./journey-input.ts";

export const journeyFunnelSchema = z.object({
  journeyKey: slugSchema,
  /** Count entries into stages at or after this instant. */
  from: z.date().optional(),
  /** Count entries into stages before this instant (exclusive). */
  to: z.date().optional(),
  /** Only the customers this query selects (`SELECT id …`): a segment's members. */
  customersIn: z.custom<Prisma.Sql>((value) => value instanceof Prisma.Sql).optional(),
});
export type JourneyFunnelInput = z.input<typeof journeyFunnelSchema>;

export interface FunnelStage {
  key: string;
  name: string;
  position: number;
  /** Customers who entered this stage or a later one (skipping counts as passing through). */
  reached: number;
  /** Customers whose current stage this is, whenever they entered it (the window does not apply). */
  current: number;
  /** reached ÷ the previous stage's reached, as a fraction (0.5 = half), full precision; null for the first stage or after 0. */
  conversionFromPrevious: number | null;
  /** reached − the next stage's reached; 0 for the last stage. */
  dropOff: number;
  /**
   * Median seconds from entering this stage to entering the next one they reached, over customers who
   * entered it (within the window, when given) and moved on; null when none did.
   */
  medianSecondsInStage: number | null;
}

/** The funnel of the journey `journeyKey`, one entry per stage in order. */
export async function journeyFunnel(db: Db, input: JourneyFunnelInput): Promise<FunnelStage[]> {
  const { journeyKey, from, to, customersIn } = parseInput(journeyFunnelSchema, input, "The funnel request");
  if (from && to && from.getTime() >= to.getTime()) {
    throw new ValidationError(
      `The window is empty: "from" (${from.toISOString()}) must be before "to" (${to.toISOString()}, exclusive).`,
      [{ path: ["to"], message: "must be after from" }],
    );
  }
  const journey = await db.journey.findUnique({ where: { key: journeyKey }, select: { id: true } });
  if (!journey) {
    throw new NotFoundError(
      `No journey has the key "${journeyKey}"; check the key, or create the journey with defineJourney.`,
      "Journey",
      journeyKey,
    );
  }

  // ISO strings keep their "Z": the driver adapters send a bare Date without a zone.
  const window = Prisma.sql`${from ? Prisma.sql`AND t."occurredAt" >= ${from.toISOString()}::timestamptz` : Prisma.empty}
    ${to ? Prisma.sql`AND t."occurredAt" < ${to.toISOString()}::timestamptz` : Prisma.empty}`;
  const progressOf = (alias: string) =>
    customersIn
      ? Prisma.sql`AND ${Prisma.raw(alias)} IN (SELECT fp."id" FROM "JourneyProgress" fp WHERE fp."customerId" IN (${customersIn}))`
      : Prisma.empty;

  return db.$queryRaw<FunnelStage[]>`
    WITH stages AS (
      SELECT "id", "key", "name", "position" FROM "JourneyStage" WHERE "journeyId" = ${journey.id}::uuid
    ),
    entries AS (
      SELECT t."progressId", t."toStageId" AS stage_id, t."occurredAt", s."position"
        FROM "JourneyTransition" t
        JOIN stages s ON s."id" = t."toStageId"
       WHERE TRUE ${window} ${progressOf('t."progressId"')}
    ),
    -- The furthest stage each customer entered; reaching a stage means getting this far or further.
    furthest AS (
      SELECT "progressId", max("position") AS "position" FROM entries GROUP BY "progressId"
    ),
    reach AS (
      SELECT s."id", count(f."progressId")::int AS reached
        FROM stages s LEFT JOIN furthest f ON f."position" >= s."position"
       GROUP BY s."id"
    ),
    occupancy AS (
      SELECT "currentStageId" AS "id", count(*)::int AS current
        FROM "JourneyProgress" WHERE "journeyId" = ${journey.id}::uuid ${progressOf('"id"')}
       GROUP BY "currentStageId"
    ),
    -- A customer leaves a stage with the one transition whose "from" it is (moves are forward only).
    dwell AS (
      SELECT e.stage_id AS "id",
             percentile_cont(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM (leaving."occurredAt" - e."occurredAt"))::float8
             )::float8 AS median
        FROM entries e
        JOIN "JourneyTransition" leaving
          ON leaving."progressId" = e."progressId" AND leaving."fromStageId" = e.stage_id
       GROUP BY e.stage_id
    )
    SELECT s."key", s."name", s."position", r.reached,
           COALESCE(o.current, 0)::int AS current,
           (r.reached::float8 / NULLIF(lag(r.reached) OVER by_position, 0)) AS "conversionFromPrevious",
           (r.reached - COALESCE(lead(r.reached) OVER by_position, r.reached))::int AS "dropOff",
           d.median AS "medianSecondsInStage"
      FROM stages s
      JOIN reach r ON r."id" = s."id"
      LEFT JOIN occupancy o ON o."id" = s."id"
      LEFT JOIN dwell d ON d."id" = s."id"
    WINDOW by_position AS (ORDER BY s."position")
     ORDER BY s."position"`;
}
