// The personas section of `npm run bench`: on the bench database (CDNOW master, 23,570 customers with
// their orders and survey answers), every customer gets a score as of the data's end, generated in
// SQL from their orders (churn risk rising with the days since their last order, a lifetime value
// from what they spent), and two customers in five a message on email or support. A segment of the
// customers at HIGH or CRITICAL churn risk is saved with createSegment, and the product's persona
// (personaFigures: size, lifetime values, churn risk, NPS, channels) with its memberCount — what the
// GraphQL `segment { memberCount persona { … } }` asks — is timed beside one hand-written SQL query
// computing the same figures, and their answers are checked equal. Everything runs in one
// transaction that is rolled back, so the bench database is left as it was.
import type { Db } from "../../src/db/database.ts";
import { createSegment } from "../../src/domain/segments/manage-segments.ts";
import { segmentFilter } from "../../src/domain/segments/segment-definition.ts";
import { countSegmentMembers } from "../../src/domain/segments/segment-members.ts";
import { personaFigures } from "../../src/domain/segments/segment-persona.ts";
import type { Segment } from "../../src/generated/prisma/client.ts";
import { measureRolledBack, timeInTurn } from "./rolled-back-timing.ts";

const AS_OF = new Date("1998-07-01T00:00:00Z");
const CURRENCY = "USD";
const RUNS = 7;

export interface PersonasBenchFigures {
  customers: number;
  members: number;
  hubMilliseconds: number;
  baselineMilliseconds: number;
  persona: PersonaAnswer;
}

/** The figures both sides compute, in one comparable shape. */
interface PersonaAnswer {
  memberCount: number;
  size: number;
  valued: number;
  medianClv: string | null;
  meanClv: string | null;
  scored: number;
  meanRisk: number | null;
  npsResponses: number;
  promoters: number;
  passives: number;
  detractors: number;
  npsScore: number | null;
  channels: Array<{ channel: string; interactions: number; customers: number }>;
}

export function runPersonasBench(
  databaseUrl: string,
  log: (line: string) => void,
): Promise<PersonasBenchFigures> {
  return measureRolledBack(databaseUrl, "personas", (db) => measure(db, log));
}

/**
 * Scores as of AS_OF: risk climbs from 0.05 to 0.95 over two years without an order, with the
 * levels at the default policy's bounds; the lifetime value is a fifth of what was spent, none for
 * a customer who never ordered. Two customers in five wrote once on email or support.
 */
async function generate(db: Db): Promise<void> {
  // setseed makes random() repeat from run to run.
  await db.$queryRaw`SELECT setseed(0.1997)::text`;
  await db.$executeRaw`DELETE FROM "Score"`;
  await db.$executeRaw`
    INSERT INTO "Score" ("customerId", "churnRisk", "churnRiskLevel", "clv", "currency", "modelVersion", "computedAt")
    SELECT c."id", r.risk,
           (CASE WHEN r.risk >= 0.8 THEN 'CRITICAL' WHEN r.risk >= 0.6 THEN 'HIGH'
                 WHEN r.risk >= 0.3 THEN 'MEDIUM' ELSE 'LOW' END)::"ChurnRiskLevel",
           round(o.spent / 5, 4), CASE WHEN o.spent IS NOT NULL THEN ${CURRENCY} END, 'bench-personas',
           ${AS_OF.toISOString()}::timestamptz
      FROM "Customer" c
      LEFT JOIN LATERAL (
        SELECT max(i."occurredAt") AS last_order, sum(i."amount") AS spent FROM "Interaction" i
         WHERE i."customerId" = c."id" AND i."amount" IS NOT NULL
      ) o ON TRUE
      CROSS JOIN LATERAL (
        SELECT least(0.95, 0.05 + 0.9 * COALESCE(
                 extract(epoch FROM ${AS_OF.toISOString()}::timestamptz - o.last_order) / (730 * 86400), 1)
               + 0.05 * random())::float8 AS risk
      ) r`;
  await db.$executeRaw`
    INSERT INTO "Interaction" ("id", "customerId", "source", "externalId", "channel", "kind", "direction", "occurredAt")
    SELECT gen_random_uuid(), c."id", 'bench-personas', 'bench-personas-' || c."id",
           (ARRAY['EMAIL', 'SUPPORT'])[1 + floor(random() * 2)::int]::"Channel", 'message.received', 'INBOUND',
           timestamptz '1997-01-01' + random() * interval '540 days'
      FROM "Customer" c WHERE random() < 0.4`;
  await db.$executeRaw`ANALYZE "Score"`;
  await db.$executeRaw`ANALYZE "Interaction"`;
}

/** The hand-written query: the members once, then every figure over them in one statement. */
async function baseline(db: Db): Promise<PersonaAnswer> {
  const [row] = await db.$queryRaw<PersonaAnswer[]>`
    WITH members AS (
      SELECT c."id", s."churnRisk", s."clv", s."currency"
        FROM "Customer" c JOIN "Score" s ON s."customerId" = c."id"
       WHERE c."mergedIntoId" IS NULL AND s."churnRiskLevel" IN ('HIGH', 'CRITICAL')
    ),
    nps AS (
      SELECT count(*)::int AS responses, count(*) FILTER (WHERE f."score" >= 9)::int AS promoters,
             count(*) FILTER (WHERE f."score" BETWEEN 7 AND 8)::int AS passives,
             count(*) FILTER (WHERE f."score" <= 6)::int AS detractors
        FROM members m JOIN "Feedback" f ON f."customerId" = m."id" AND f."kind" = 'NPS'
    ),
    channels AS (
      SELECT i."channel"::text AS channel, count(*)::int AS interactions,
             count(DISTINCT i."customerId")::int AS customers
        FROM members m JOIN "Interaction" i ON i."customerId" = m."id"
       GROUP BY i."channel"
    )
    SELECT count(*)::int AS "memberCount", count(*)::int AS size,
           count(m."clv") FILTER (WHERE m."currency" = ${CURRENCY})::int AS valued,
           (percentile_cont(0.5) WITHIN GROUP (ORDER BY m."clv") FILTER (WHERE m."currency" = ${CURRENCY}))::numeric(19, 4)::text AS "medianClv",
           (avg(m."clv") FILTER (WHERE m."currency" = ${CURRENCY}))::numeric(19, 4)::text AS "meanClv",
           count(*)::int AS scored, avg(m."churnRisk")::float8 AS "meanRisk",
           (SELECT responses FROM nps) AS "npsResponses", (SELECT promoters FROM nps) AS promoters,
           (SELECT passives FROM nps) AS passives, (SELECT detractors FROM nps) AS detractors,
           (SELECT 100.0::float8 * (promoters - detractors) / NULLIF(responses, 0) FROM nps) AS "npsScore",
           (SELECT COALESCE(json_agg(channels ORDER BY interactions DESC, channel), '[]') FROM channels) AS channels
      FROM members m`;
  if (!row)
    throw new Error("The hand-written persona query returned no row; an aggregate always returns one.");
  return row;
}

/** What `segment { memberCount persona { … } }` computes. */
async function hub(db: Db, segment: Segment): Promise<PersonaAnswer> {
  const memberCount = await countSegmentMembers(db, segment, null);
  const persona = await personaFigures(db, segmentFilter(segment), null, CURRENCY);
  return {
    memberCount,
    size: persona.size,
    valued: persona.valued,
    medianClv: persona.medianLifetimeValue?.toFixed(4) ?? null,
    meanClv: persona.meanLifetimeValue?.toFixed(4) ?? null,
    scored: persona.scored,
    meanRisk: persona.meanChurnRisk,
    npsResponses: persona.nps.responses,
    promoters: persona.nps.promoters,
    passives: persona.nps.passives,
    detractors: persona.nps.detractors,
    npsScore: persona.nps.score,
    channels: persona.channels.map(({ channel, interactions, customers }) => ({
      channel,
      interactions,
      customers,
    })),
  };
}

function assertSame(hubAnswer: PersonaAnswer, baselineAnswer: PersonaAnswer): void {
  const close = (a: number | null, b: number | null) =>
    a === b || (a !== null && b !== null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));
  const { meanRisk, npsScore, ...exact } = hubAnswer;
  const { meanRisk: otherRisk, npsScore: otherScore, ...otherExact } = baselineAnswer;
  const same =
    close(meanRisk, otherRisk) &&
    close(npsScore, otherScore) &&
    JSON.stringify(exact) === JSON.stringify(otherExact);
  if (!same || hubAnswer.size === 0 || hubAnswer.channels.length < 2 || hubAnswer.npsResponses === 0) {
    throw new Error(
      `The hub and the hand-written query disagree, or the persona is empty: ${JSON.stringify(hubAnswer)} vs ${JSON.stringify(baselineAnswer)}.`,
    );
  }
}

async function measure(db: Db, log: (line: string) => void): Promise<PersonasBenchFigures> {
  await generate(db);
  const analyst = await db.principal.create({ data: { name: "Bench analyst" } });
  const segment = await createSegment(
    db,
    { principalId: analyst.id, mayEditAny: true },
    {
      name: "Slipping away",
      description: "Customers at high or critical churn risk as of the data's end.",
      definition: { churnRiskLevels: ["HIGH", "CRITICAL"] },
    },
    AS_OF,
  );
  const [counts] = await db.$queryRaw<Array<{ customers: number }>>`
    SELECT count(*)::int AS customers FROM "Customer" WHERE "mergedIntoId" IS NULL`;
  const { first: hubRun, second: baselineRun } = await timeInTurn(
    RUNS,
    () => hub(db, segment),
    () => baseline(db),
  );
  assertSame(hubRun.answer, baselineRun.answer);
  log(
    `  ${counts?.customers} customers scored as of ${AS_OF.toISOString().slice(0, 10)}; segment "${segment.name}" holds ${hubRun.answer.memberCount}`,
  );
  return {
    customers: counts?.customers ?? 0,
    members: hubRun.answer.memberCount,
    hubMilliseconds: hubRun.milliseconds,
    baselineMilliseconds: baselineRun.milliseconds,
    persona: hubRun.answer,
  };
}

export function formatPersonasReport(figures: PersonasBenchFigures): string {
  const ratio = figures.hubMilliseconds / figures.baselineMilliseconds;
  const p = figures.persona;
  const channels = p.channels.map((row) => `${row.channel} ${row.interactions}`).join(", ");
  return [
    `Persona of a segment (churn risk HIGH or CRITICAL: ${figures.members} of ${figures.customers} customers), median of ${RUNS} runs:`,
    `  hub memberCount + personaFigures, every figure: ${figures.hubMilliseconds.toFixed(0)} ms`,
    `  hand-written SQL, size/lifetime value/risk/NPS/channels: ${figures.baselineMilliseconds.toFixed(0)} ms`,
    `  ratio hub/baseline: ${ratio.toFixed(2)}× (target ≤ 2×); answers equal`,
    `  persona: median CLV ${p.medianClv} ${CURRENCY} (${p.valued} valued), mean churn risk ${p.meanRisk?.toFixed(3)}, NPS ${p.npsScore?.toFixed(1)} over ${p.npsResponses} answers; channels ${channels}`,
  ].join("\n");
}
