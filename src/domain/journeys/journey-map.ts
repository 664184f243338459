// A journey map, as the CX literature draws it: per stage, the customers who reached it, who dropped
// off, how long they stayed, and how they felt while there (the sentiment of their interactions and the
// survey answers they gave), so a frontend can chart the stages with their emotion curve.
// One SQL statement over transitions, interactions and feedback: set-based, the same for ten customers
// or a million. Everything is as of `now` (the request's clock): later moves, messages and answers are
// not yet known.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { NotFoundError, parseInput } from "../errors.ts";
import { assertWindow } from "../feedback/feedback-metrics.ts";

export const journeyMapSchema = z.object({
  journeyId: z.uuid(),
  /** Only customers who entered the journey at or after this instant (a cohort). */
  from: z.date().optional(),
  /** Only customers who entered the journey before this instant (exclusive). */
  to: z.date().optional(),
  /** Only customers owned by this principal (an account manager's book). */
  ownerId: z.uuid().optional(),
  /** Only the customers this query selects (`SELECT id …`): a segment's members. */
  customersIn: z.custom<Prisma.Sql>((value) => value instanceof Prisma.Sql).optional(),
  /** The instant the map describes: moves, interactions and answers after it are ignored. */
  now: z.date(),
});
export type JourneyMapInput = z.input<typeof journeyMapSchema>;

/** NPS answers given in a stage: %promoters (9–10) − %detractors (0–6). */
export interface StageNps {
  responses: number;
  /** The mean answer, 0–10; null when nobody answered. */
  mean: number | null;
  /** −100 to 100; null when nobody answered. */
  score: number | null;
  promoters: number;
  passives: number;
  detractors: number;
}

/** CSAT answers given in a stage: the percentage of 4s and 5s. */
export interface StageCsat {
  responses: number;
  /** The mean answer, 1–5; null when nobody answered. */
  mean: number | null;
  /** 0 to 100; null when nobody answered. */
  score: number | null;
  satisfied: number;
}

/** CES answers given in a stage. */
export interface StageCes {
  responses: number;
  /** The mean answer, 1 (effortless) to 7 (very hard); null when nobody answered. */
  mean: number | null;
}

export interface JourneyMapStage {
  key: string;
  name: string;
  position: number;
  /** Customers of the cohort who entered this stage or a later one (skipping counts as passing through). */
  reached: number;
  /** Customers of the cohort who entered this stage itself. */
  entered: number;
  /** reached − the next stage's reached: they got this far and no further; 0 for the last stage. */
  dropOff: number;
  /** dropOff ÷ reached, as a fraction (0.25 = a quarter); null when nobody reached the stage. */
  dropOffShare: number | null;
  /** Customers who entered this stage and then moved on to a later one. */
  movedOn: number;
  /** Median seconds from entering this stage to moving on, over `movedOn`; null when nobody moved on. */
  medianSecondsInStage: number | null;
  /** Customers who entered this stage and are still in it (for the last stage: who completed the journey). */
  stillIn: number;
  /** Median seconds from entering the stage to `now`, over `stillIn`; null when nobody is in it. */
  medianSecondsSoFar: number | null;
  /** Mean sentiment (−1 to 1) of the interactions that carry one, made while in the stage; null when none. */
  sentimentMean: number | null;
  /** Interactions with a sentiment behind sentimentMean. */
  sentimentInteractions: number;
  /** Customers those interactions came from. */
  sentimentCustomers: number;
  nps: StageNps;
  csat: StageCsat;
  ces: StageCes;
}

export interface JourneyMap {
  journeyId: string;
  /** The instant the figures describe. */
  asOf: Date;
  /** Customers in the cohort: who entered the journey (in the period, of the owner) by `asOf`. */
  customers: number;
  stages: JourneyMapStage[];
}

interface StageRow extends Omit<JourneyMapStage, "nps" | "csat" | "ces"> {
  nps_responses: number;
  nps_mean: number | null;
  nps_score: number | null;
  promoters: number;
  passives: number;
  detractors: number;
  csat_responses: number;
  csat_mean: number | null;
  csat_score: number | null;
  satisfied: number;
  ces_responses: number;
  ces_mean: number | null;
  customers: number;
}

/**
 * The map of one journey. A customer is in a stage from the transition into it until the next
 * transition (half-open: the interaction that moves them on belongs to the stage it enters); a stage
 * they are still in lasts until `now`. Interactions and answers are counted for the stage the
 * customer was in when they occurred, so a customer's message before the journey counts nowhere.
 */
export async function journeyMap(db: Db, input: JourneyMapInput): Promise<JourneyMap> {
  const { journeyId, from, to, ownerId, customersIn, now } = parseInput(
    journeyMapSchema,
    input,
    "The journey map request",
  );
  assertWindow(from, to);
  const journey = await db.journey.findUnique({ where: { id: journeyId }, select: { id: true } });
  if (!journey) {
    throw new NotFoundError(
      `No journey has the id ${journeyId}; take the id from the journeys query.`,
      "Journey",
      journeyId,
    );
  }

  // ISO strings keep their "Z": the driver adapters send a bare Date without a zone.
  const asOf = Prisma.sql`${now.toISOString()}::timestamptz`;
  const owner = ownerId
    ? Prisma.sql`JOIN "Customer" c ON c."id" = p."customerId" AND c."ownerId" = ${ownerId}::uuid`
    : Prisma.empty;
  const cohortConditions = [
    Prisma.sql`TRUE`,
    ...(from ? [Prisma.sql`min(e.entered_at) >= ${from.toISOString()}::timestamptz`] : []),
    ...(to ? [Prisma.sql`min(e.entered_at) < ${to.toISOString()}::timestamptz`] : []),
  ];

  const rows = await db.$queryRaw<StageRow[]>`
    WITH stages AS (
      SELECT "id", "key", "name", "position" FROM "JourneyStage" WHERE "journeyId" = ${journey.id}::uuid
    ),
    -- Every entry into a stage known by now; moves are forward only, so a customer enters a stage once.
    entries AS (
      SELECT t."progressId", p."customerId", t."toStageId" AS stage_id, s."position", t."occurredAt" AS entered_at,
             lead(t."occurredAt") OVER (PARTITION BY t."progressId" ORDER BY t."occurredAt", s."position") AS left_at
        FROM "JourneyProgress" p
        ${owner}
        JOIN "JourneyTransition" t ON t."progressId" = p."id" AND t."occurredAt" <= ${asOf}
        JOIN stages s ON s."id" = t."toStageId"
       WHERE p."journeyId" = ${journey.id}::uuid
         ${customersIn ? Prisma.sql`AND p."customerId" IN (${customersIn})` : Prisma.empty}
    ),
    cohort AS (
      SELECT e."progressId", max(e."position") AS furthest
        FROM entries e
       GROUP BY e."progressId"
      HAVING ${Prisma.join(cohortConditions, " AND ")}
    ),
    stays AS (
      SELECT e.* FROM entries e JOIN cohort USING ("progressId")
    ),
    reach AS (
      SELECT s."id", count(c."progressId")::int AS reached
        FROM stages s LEFT JOIN cohort c ON c.furthest >= s."position"
       GROUP BY s."id"
    ),
    dwell AS (
      SELECT stage_id AS "id",
             count(*)::int AS entered,
             count(left_at)::int AS "movedOn",
             percentile_cont(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM (left_at - entered_at))::float8
             ) FILTER (WHERE left_at IS NOT NULL)::float8 AS "medianSecondsInStage",
             (count(*) - count(left_at))::int AS "stillIn",
             percentile_cont(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM (${asOf} - entered_at))::float8
             ) FILTER (WHERE left_at IS NULL)::float8 AS "medianSecondsSoFar"
        FROM stays
       GROUP BY stage_id
    ),
    feeling AS (
      SELECT st.stage_id AS "id",
             avg(i."sentiment")::float8 AS "sentimentMean",
             count(*)::int AS "sentimentInteractions",
             count(DISTINCT i."customerId")::int AS "sentimentCustomers"
        FROM stays st
        JOIN "Interaction" i
          ON i."customerId" = st."customerId"
         AND i."occurredAt" >= st.entered_at
         AND i."occurredAt" < COALESCE(st.left_at, ${asOf})
         AND i."sentiment" IS NOT NULL
       GROUP BY st.stage_id
    ),
    surveys AS (
      SELECT st.stage_id AS "id",
             count(*) FILTER (WHERE f."kind" = 'NPS')::int AS nps_responses,
             avg(f."score") FILTER (WHERE f."kind" = 'NPS')::float8 AS nps_mean,
             (100.0 * (count(*) FILTER (WHERE f."kind" = 'NPS' AND f."score" >= 9)
                     - count(*) FILTER (WHERE f."kind" = 'NPS' AND f."score" <= 6))
                / NULLIF(count(*) FILTER (WHERE f."kind" = 'NPS'), 0))::float8 AS nps_score,
             count(*) FILTER (WHERE f."kind" = 'NPS' AND f."score" >= 9)::int AS promoters,
             count(*) FILTER (WHERE f."kind" = 'NPS' AND f."score" BETWEEN 7 AND 8)::int AS passives,
             count(*) FILTER (WHERE f."kind" = 'NPS' AND f."score" <= 6)::int AS detractors,
             count(*) FILTER (WHERE f."kind" = 'CSAT')::int AS csat_responses,
             avg(f."score") FILTER (WHERE f."kind" = 'CSAT')::float8 AS csat_mean,
             (100.0 * count(*) FILTER (WHERE f."kind" = 'CSAT' AND f."score" >= 4)
                / NULLIF(count(*) FILTER (WHERE f."kind" = 'CSAT'), 0))::float8 AS csat_score,
             count(*) FILTER (WHERE f."kind" = 'CSAT' AND f."score" >= 4)::int AS satisfied,
             count(*) FILTER (WHERE f."kind" = 'CES')::int AS ces_responses,
             avg(f."score") FILTER (WHERE f."kind" = 'CES')::float8 AS ces_mean
        FROM stays st
        JOIN "Feedback" f
          ON f."customerId" = st."customerId"
         AND f."respondedAt" >= st.entered_at
         AND f."respondedAt" < COALESCE(st.left_at, ${asOf})
       GROUP BY st.stage_id
    )
    SELECT s."key", s."name", s."position", r.reached,
           COALESCE(d.entered, 0)::int AS entered,
           (r.reached - COALESCE(lead(r.reached) OVER by_position, r.reached))::int AS "dropOff",
           ((r.reached - COALESCE(lead(r.reached) OVER by_position, r.reached))::float8
              / NULLIF(r.reached, 0)) AS "dropOffShare",
           COALESCE(d."movedOn", 0)::int AS "movedOn", d."medianSecondsInStage",
           COALESCE(d."stillIn", 0)::int AS "stillIn", d."medianSecondsSoFar",
           fe."sentimentMean",
           COALESCE(fe."sentimentInteractions", 0)::int AS "sentimentInteractions",
           COALESCE(fe."sentimentCustomers", 0)::int AS "sentimentCustomers",
           COALESCE(sv.nps_responses, 0)::int AS nps_responses, sv.nps_mean, sv.nps_score,
           COALESCE(sv.promoters, 0)::int AS promoters, COALESCE(sv.passives, 0)::int AS passives,
           COALESCE(sv.detractors, 0)::int AS detractors,
           COALESCE(sv.csat_responses, 0)::int AS csat_responses, sv.csat_mean, sv.csat_score,
           COALESCE(sv.satisfied, 0)::int AS satisfied,
           COALESCE(sv.ces_responses, 0)::int AS ces_responses, sv.ces_mean,
           (SELECT count(*) FROM cohort)::int AS customers
      FROM stages s
      JOIN reach r ON r."id" = s."id"
      LEFT JOIN dwell d ON d."id" = s."id"
      LEFT JOIN feeling fe ON fe."id" = s."id"
      LEFT JOIN surveys sv ON sv."id" = s."id"
    WINDOW by_position AS (ORDER BY s."position")
     ORDER BY s."position"`;

  return {
    journeyId: journey.id,
    asOf: now,
    customers: rows[0]?.customers ?? 0,
    stages: rows.map(toStage),
  };
}

function toStage(row: StageRow): JourneyMapStage {
  return {
    key: row.key,
    name: row.name,
    position: row.position,
    reached: row.reached,
    entered: row.entered,
    dropOff: row.dropOff,
    dropOffShare: row.dropOffShare,
    movedOn: row.movedOn,
    medianSecondsInStage: row.medianSecondsInStage,
    stillIn: row.stillIn,
    medianSecondsSoFar: row.medianSecondsSoFar,
    sentimentMean: row.sentimentMean,
    sentimentInteractions: row.sentimentInteractions,
    sentimentCustomers: row.sentimentCustomers,
    nps: {
      responses: row.nps_responses,
      mean: row.nps_mean,
      score: row.nps_score,
      promoters: row.promoters,
      passives: row.passives,
      detractors: row.detractors,
    },
    csat: {
      responses: row.csat_responses,
      mean: row.csat_mean,
      score: row.csat_score,
      satisfied: row.satisfied,
    },
    ces: { responses: row.ces_responses, mean: row.ces_mean },
  };
}
