// The journey-map section of `npm run bench`: on the bench database (CDNOW master, 23,570 customers
// with their orders and survey answers), one message per customer with a sentiment is generated in
// SQL, most of them answered within two days, and the journey ordered → wrote-in → answered is defined
// over that history (defineJourney places every customer). Then the product's `journeyMap` is timed
// beside one hand-written SQL query that computes the same figures — per stage reached, drop-off,
// median time in stage, mean sentiment, NPS — and their answers are checked equal. Everything runs in
// one transaction that is rolled back, so the bench database is left as it was.
import type { Db } from "../../src/db/database.ts";
import { defineJourney } from "../../src/domain/journeys/define-journey.ts";
import { journeyMap } from "../../src/domain/journeys/journey-map.ts";
import { measureRolledBack, timeInTurn } from "./rolled-back-timing.ts";

const AS_OF = new Date("1998-07-01T00:00:00Z");
const RUNS = 7;

export interface JourneyMapBenchFigures {
  customers: number;
  transitions: number;
  placeMilliseconds: number;
  hubMilliseconds: number;
  baselineMilliseconds: number;
}

interface StageFigure {
  key: string;
  reached: number;
  dropOff: number;
  medianSeconds: number | null;
  sentimentMean: number | null;
  sentimentInteractions: number;
  npsResponses: number;
  npsScore: number | null;
}

export function runJourneyMapBench(
  databaseUrl: string,
  log: (line: string) => void,
): Promise<JourneyMapBenchFigures> {
  return measureRolledBack(databaseUrl, "journey map", (db) => measure(db, log));
}

async function generateMessages(db: Db): Promise<void> {
  // setseed makes random() repeat from run to run.
  await db.$queryRaw`SELECT setseed(0.1998)::text`;
  await db.$executeRaw`
    CREATE TEMPORARY TABLE bench_message ON COMMIT DROP AS
    SELECT c."id" AS customer_id, timestamptz '1997-01-01' + random() * interval '540 days' AS wrote_at,
           random() AS answered, random() AS delay, 2 * random() - 1 AS mood
      FROM "Customer" c`;
  await db.$executeRaw`
    INSERT INTO "Interaction" ("id", "customerId", "source", "externalId", "channel", "kind", "direction",
                               "occurredAt", "sentiment")
    SELECT gen_random_uuid(), customer_id, 'bench-journey-map', customer_id || '-' || part, 'EMAIL', kind,
           direction::"Direction", at, sentiment
      FROM bench_message,
           LATERAL (VALUES ('wrote', 'message.received', 'INBOUND', wrote_at, mood),
                           ('answer', 'message.sent', 'OUTBOUND',
                            CASE WHEN answered < 0.85 THEN wrote_at + (0.5 + delay * 47.5) * interval '1 hour' END,
                            NULL::float8)
                   ) AS m (part, kind, direction, at, sentiment)
     WHERE at IS NOT NULL`;
  await db.$executeRaw`ANALYZE "Interaction"`;
}

/**
 * The hand-written query: a stay ends with the transition out of it; reached counts customers whose
 * current stage (moves are forward only) is this one or later; interactions and answers belong to the
 * stay they fall in.
 */
function baseline(db: Db, journeyId: string): Promise<StageFigure[]> {
  return db.$queryRaw<StageFigure[]>`
    WITH stays AS (
      SELECT p."customerId", t."toStageId" AS stage_id, t."occurredAt" AS entered_at, l."occurredAt" AS left_at
        FROM "JourneyProgress" p
        JOIN "JourneyTransition" t ON t."progressId" = p."id"
        LEFT JOIN "JourneyTransition" l ON l."progressId" = p."id" AND l."fromStageId" = t."toStageId"
       WHERE p."journeyId" = ${journeyId}::uuid
    ),
    furthest AS (
      SELECT s."position", count(*) AS customers
        FROM "JourneyProgress" p JOIN "JourneyStage" s ON s."id" = p."currentStageId"
       WHERE p."journeyId" = ${journeyId}::uuid GROUP BY s."position"
    ),
    reach AS (
      SELECT s."id", s."key", s."position",
             (SELECT COALESCE(sum(f.customers), 0) FROM furthest f WHERE f."position" >= s."position")::int AS reached
        FROM "JourneyStage" s WHERE s."journeyId" = ${journeyId}::uuid
    ),
    dwell AS (
      SELECT stage_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM left_at - entered_at)::float8) AS median
        FROM stays WHERE left_at IS NOT NULL GROUP BY stage_id
    ),
    felt AS (
      SELECT st.stage_id, avg(i."sentiment")::float8 AS mean, count(*)::int AS interactions
        FROM stays st JOIN "Interaction" i ON i."customerId" = st."customerId"
         AND i."occurredAt" >= st.entered_at AND i."occurredAt" < COALESCE(st.left_at, ${AS_OF.toISOString()}::timestamptz)
       WHERE i."sentiment" IS NOT NULL GROUP BY st.stage_id
    ),
    answered AS (
      SELECT st.stage_id, count(*)::int AS responses,
             (100.0 * (count(*) FILTER (WHERE f."score" >= 9) - count(*) FILTER (WHERE f."score" <= 6)) / count(*))::float8 AS nps
        FROM stays st JOIN "Feedback" f ON f."customerId" = st."customerId" AND f."kind" = 'NPS'
         AND f."respondedAt" >= st.entered_at AND f."respondedAt" < COALESCE(st.left_at, ${AS_OF.toISOString()}::timestamptz)
       GROUP BY st.stage_id
    )
    SELECT r."key", r.reached,
           (r.reached - COALESCE(lead(r.reached) OVER (ORDER BY r."position"), r.reached))::int AS "dropOff",
           d.median AS "medianSeconds", fe.mean AS "sentimentMean",
           COALESCE(fe.interactions, 0)::int AS "sentimentInteractions",
           COALESCE(a.responses, 0)::int AS "npsResponses", a.nps AS "npsScore"
      FROM reach r
      LEFT JOIN dwell d ON d.stage_id = r."id"
      LEFT JOIN felt fe ON fe.stage_id = r."id"
      LEFT JOIN answered a ON a.stage_id = r."id"
     ORDER BY r."position"`;
}

async function hub(db: Db, journeyId: string): Promise<StageFigure[]> {
  const map = await journeyMap(db, { journeyId, now: AS_OF });
  return map.stages.map((stage) => ({
    key: stage.key,
    reached: stage.reached,
    dropOff: stage.dropOff,
    medianSeconds: stage.medianSecondsInStage,
    sentimentMean: stage.sentimentMean,
    sentimentInteractions: stage.sentimentInteractions,
    npsResponses: stage.nps.responses,
    npsScore: stage.nps.score,
  }));
}

function assertSame(hubAnswer: StageFigure[], baselineAnswer: StageFigure[]): void {
  const close = (a: number | null, b: number | null) =>
    a === b || (a !== null && b !== null && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)));
  const same =
    hubAnswer.length === baselineAnswer.length &&
    hubAnswer.every((figure, index) => {
      const other = baselineAnswer[index];
      return (
        other !== undefined &&
        figure.key === other.key &&
        figure.reached === other.reached &&
        figure.dropOff === other.dropOff &&
        figure.sentimentInteractions === other.sentimentInteractions &&
        figure.npsResponses === other.npsResponses &&
        close(figure.medianSeconds, other.medianSeconds) &&
        close(figure.sentimentMean, other.sentimentMean) &&
        close(figure.npsScore, other.npsScore)
      );
    });
  if (!same) {
    throw new Error(
      `The hub and the hand-written query disagree: ${JSON.stringify(hubAnswer)} vs ${JSON.stringify(baselineAnswer)}.`,
    );
  }
}

async function measure(db: Db, log: (line: string) => void): Promise<JourneyMapBenchFigures> {
  await generateMessages(db);
  const placing = performance.now();
  const journey = await defineJourney(db, {
    key: "bench-order-to-answer",
    name: "Ordered, wrote in, got an answer",
    stages: [
      { key: "ordered", name: "Ordered", enteredBy: ["order.placed"] },
      { key: "wrote-in", name: "Wrote to us", enteredBy: ["message.received"] },
      { key: "answered", name: "Got an answer", enteredBy: ["message.sent"] },
    ],
  });
  const placeMilliseconds = performance.now() - placing;
  await db.$executeRaw`ANALYZE "JourneyProgress"`;
  await db.$executeRaw`ANALYZE "JourneyTransition"`;
  const [counts] = await db.$queryRaw<Array<{ customers: number; transitions: number }>>`
    SELECT (SELECT count(*) FROM "JourneyProgress" WHERE "journeyId" = ${journey.id}::uuid)::int AS customers,
           (SELECT count(*) FROM "JourneyTransition" t JOIN "JourneyProgress" p ON p."id" = t."progressId"
             WHERE p."journeyId" = ${journey.id}::uuid)::int AS transitions`;
  log(`  ${counts?.customers} customers placed from history (${counts?.transitions} transitions)`);
  const { first: hubRun, second: baselineRun } = await timeInTurn(
    RUNS,
    () => hub(db, journey.id),
    () => baseline(db, journey.id),
  );
  assertSame(hubRun.answer, baselineRun.answer);
  return {
    customers: counts?.customers ?? 0,
    transitions: counts?.transitions ?? 0,
    placeMilliseconds,
    hubMilliseconds: hubRun.milliseconds,
    baselineMilliseconds: baselineRun.milliseconds,
  };
}

export function formatJourneyMapReport(figures: JourneyMapBenchFigures): string {
  const ratio = figures.hubMilliseconds / figures.baselineMilliseconds;
  return [
    `Journey map over ${figures.customers} customers (${figures.transitions} transitions), median of ${RUNS} runs:`,
    `  defineJourney placing them from history: ${figures.placeMilliseconds.toFixed(0)} ms (once)`,
    `  hub journeyMap, every figure: ${figures.hubMilliseconds.toFixed(0)} ms`,
    `  hand-written SQL, reached/drop-off/median/sentiment/NPS per stage: ${figures.baselineMilliseconds.toFixed(0)} ms`,
    `  ratio hub/baseline: ${ratio.toFixed(2)}× (target ≤ 2×); answers equal`,
  ].join("\n");
}
