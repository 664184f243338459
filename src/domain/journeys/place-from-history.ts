// Places customers in a journey from the interactions they already had, by the same rules that move
// them live (advance-journeys.ts): in order of occurrence, an interaction enters the stage its kind
// enters, forward only, each move a transition naming its interaction. A journey defined today thus
// shows where customers stand today, not only the customers who happen to act after it was defined.
import type { Prisma } from "../../generated/prisma/client.ts";

/**
 * Places every customer (merged-away profiles excepted, their interactions moved with them) who has
 * no progress in the journey yet; returns how many were placed. One statement: the replay is a
 * running maximum of stage positions over each customer's interactions, in (occurredAt, id) order.
 */
export async function placeCustomersFromHistory(
  tx: Prisma.TransactionClient,
  journeyId: string,
): Promise<number> {
  const [placed] = await tx.$queryRaw<Array<{ customers: number }>>`
    WITH stages AS (
      SELECT s."id", s."position", kind
        FROM "JourneyStage" s, unnest(s."enteredBy") AS kind
       WHERE s."journeyId" = ${journeyId}::uuid
    ),
    last_stage AS (SELECT max("position") AS "position" FROM "JourneyStage" WHERE "journeyId" = ${journeyId}::uuid),
    matched AS (
      SELECT i."id" AS "interactionId", i."customerId", i."occurredAt", st."id" AS "stageId", st."position",
             max(st."position") OVER (
               PARTITION BY i."customerId" ORDER BY i."occurredAt", i."id"
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
             ) AS "furthestBefore"
        FROM "Interaction" i
        JOIN stages st ON st.kind = i."kind"
        JOIN "Customer" c ON c."id" = i."customerId" AND c."mergedIntoId" IS NULL
       WHERE NOT EXISTS (
               SELECT 1 FROM "JourneyProgress" p
                WHERE p."journeyId" = ${journeyId}::uuid AND p."customerId" = i."customerId")
    ),
    moves AS (
      SELECT m.*,
             lag(m."stageId") OVER (PARTITION BY m."customerId" ORDER BY m."occurredAt", m."interactionId") AS "fromStageId",
             min(m."occurredAt") OVER (PARTITION BY m."customerId") AS "startedAt",
             row_number() OVER (PARTITION BY m."customerId" ORDER BY m."occurredAt" DESC, m."interactionId" DESC) AS "fromLast"
        FROM matched m
       WHERE m."furthestBefore" IS NULL OR m."position" > m."furthestBefore"
    ),
    progress AS (
      INSERT INTO "JourneyProgress"
             ("id", "journeyId", "customerId", "currentStageId", "startedAt", "stageEnteredAt", "completedAt", "updatedAt")
      SELECT gen_random_uuid(), ${journeyId}::uuid, m."customerId", m."stageId", m."startedAt", m."occurredAt",
             CASE WHEN m."position" = (SELECT "position" FROM last_stage) THEN m."occurredAt" END, now()
        FROM moves m
       WHERE m."fromLast" = 1
      ON CONFLICT ("journeyId", "customerId") DO NOTHING
      RETURNING "id", "customerId"
    ),
    transitions AS (
      INSERT INTO "JourneyTransition" ("id", "progressId", "fromStageId", "toStageId", "interactionId", "occurredAt")
      SELECT gen_random_uuid(), p."id", m."fromStageId", m."stageId", m."interactionId", m."occurredAt"
        FROM moves m JOIN progress p ON p."customerId" = m."customerId"
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM progress)::int AS customers, (SELECT count(*) FROM transitions)::int AS moved`;
  return placed?.customers ?? 0;
}
