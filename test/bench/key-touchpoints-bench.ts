// The key-touchpoints section of `npm run bench`: on the bench database (CDNOW master, 23,570
// customers with their orders and survey answers), one support, email or social conversation per
// customer is generated in SQL (a message with a sentiment, most answered within two days) and an NPS
// answer three days later that is likelier to be a detractor's after a slow reply or a negative
// message. Then the product's `keyTouchpoints` (NPS detractors, every touchpoint, the fit included) is
// timed beside one hand-written SQL query that computes the figures the fit stands on — per touchpoint,
// the customers who had it before their answer and the detractors among them — and their counts are
// checked equal. The generated conversations have one opening each, which is what lets the simple
// query time first replies right. Everything runs in one transaction that is rolled back.
import type { Db } from "../../src/db/database.ts";
import { type KeyTouchpoints, keyTouchpoints } from "../../src/domain/analytics/key-touchpoints.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { measureRolledBack, timeInTurn } from "./rolled-back-timing.ts";

const AS_OF = new Date("1998-07-01T00:00:00Z");
const PERIOD = { from: new Date("1997-01-01T00:00:00Z"), to: AS_OF };
const SLOW_SECONDS = 4 * 3600;
const RUNS = 7;

export interface KeyTouchpointsBenchFigures {
  customers: number;
  interactions: number;
  hubMilliseconds: number;
  baselineMilliseconds: number;
  top: string[];
}

interface FeatureCount {
  feature: string;
  customers: number;
  positives: number;
}

export function runKeyTouchpointsBench(
  databaseUrl: string,
  log: (line: string) => void,
): Promise<KeyTouchpointsBenchFigures> {
  return measureRolledBack(databaseUrl, "key touchpoints", (db) => measure(db, log));
}

async function generate(db: Db): Promise<void> {
  // setseed makes random() repeat from run to run.
  await db.$queryRaw`SELECT setseed(0.1999)::text`;
  await db.$executeRaw`
    CREATE TEMPORARY TABLE bench_touchpoint ON COMMIT DROP AS
    SELECT c."id" AS customer_id, 'bench-touchpoint-' || c."id" AS conversation_id,
           (ARRAY['EMAIL', 'SOCIAL', 'SUPPORT'])[1 + floor(random() * 3)::int]::"Channel" AS channel,
           timestamptz '1997-01-01' + random() * interval '530 days' AS opened_at,
           random() AS answered, random() AS delay, 2 * random() - 1 AS mood, random() AS verdict
      FROM "Customer" c`;
  await db.$executeRaw`
    INSERT INTO "Interaction" ("id", "customerId", "source", "externalId", "channel", "kind", "direction",
                               "occurredAt", "conversationId", "sentiment")
    SELECT gen_random_uuid(), customer_id, 'bench-key-touchpoints', conversation_id || '-' || part, channel,
           kind, direction::"Direction", at, conversation_id, sentiment
      FROM bench_touchpoint,
           LATERAL (VALUES ('wrote', 'message.received', 'INBOUND', opened_at, mood),
                           ('reply', 'message.sent', 'OUTBOUND',
                            CASE WHEN answered < 0.85 THEN opened_at + (0.5 + delay * 47.5) * interval '1 hour' END,
                            NULL::float8)
                   ) AS m (part, kind, direction, at, sentiment)
     WHERE at IS NOT NULL`;
  // A detractor's answer (0–6) is likelier after a slow or missing reply and after a negative message.
  await db.$executeRaw`
    INSERT INTO "Feedback" ("id", "customerId", "source", "externalId", "kind", "score", "respondedAt")
    SELECT gen_random_uuid(), customer_id, 'bench-key-touchpoints', conversation_id, 'NPS',
           CASE WHEN verdict < 0.15 + CASE WHEN answered >= 0.85 OR 0.5 + delay * 47.5 > 4 THEN 0.25 ELSE 0 END
                                    + CASE WHEN mood < -0.25 THEN 0.2 ELSE 0 END
                THEN floor(verdict * 7)::int ELSE 7 + floor(verdict * 4)::int END,
           opened_at + interval '3 days'
      FROM bench_touchpoint`;
  await db.$executeRaw`ANALYZE "Interaction"`;
  await db.$executeRaw`ANALYZE "Feedback"`;
}

/**
 * The hand-written query: each customer's latest NPS answer in the period, and per touchpoint the
 * customers who had it before that answer (a conversation's first reply is the first of our messages
 * after its first customer message).
 */
function baseline(db: Db): Promise<FeatureCount[]> {
  const from = PERIOD.from.toISOString();
  const to = PERIOD.to.toISOString();
  return db.$queryRaw<FeatureCount[]>`
    WITH answers AS (
      SELECT DISTINCT ON (f."customerId") f."customerId" AS customer_id, f."respondedAt" AS cutoff,
             f."score" <= 6 AS positive
        FROM "Feedback" f JOIN "Customer" c ON c."id" = f."customerId" AND c."mergedIntoId" IS NULL
       WHERE f."kind" = 'NPS' AND f."respondedAt" >= ${from}::timestamptz AND f."respondedAt" < ${to}::timestamptz
       ORDER BY f."customerId", f."respondedAt" DESC, f."id" DESC
    ),
    before AS (
      SELECT a.customer_id, i.* FROM answers a
        JOIN "Interaction" i ON i."customerId" = a.customer_id
         AND i."occurredAt" >= ${from}::timestamptz AND i."occurredAt" < a.cutoff
    ),
    openings AS (
      SELECT a.customer_id, a.cutoff, min(i."occurredAt") AS opened_at, i."conversationId"
        FROM answers a JOIN "Interaction" i ON i."customerId" = a.customer_id
       WHERE i."conversationId" IS NOT NULL AND i."direction" = 'INBOUND'
         AND i."occurredAt" >= ${from}::timestamptz AND i."occurredAt" < ${to}::timestamptz
       GROUP BY a.customer_id, a.cutoff, i."conversationId"
    ),
    features AS (
      SELECT DISTINCT customer_id, 'CHANNEL:' || "channel" AS feature FROM before
      UNION SELECT DISTINCT customer_id, 'KIND:' || "kind" FROM before
      UNION SELECT customer_id, CASE WHEN avg("sentiment") < -0.25 THEN 'SENTIMENT:NEGATIVE' ELSE 'SENTIMENT:POSITIVE' END
              FROM before WHERE "direction" = 'INBOUND' AND "sentiment" IS NOT NULL
             GROUP BY customer_id HAVING abs(avg("sentiment")) > 0.25
      UNION SELECT a.customer_id, 'STAGE:' || t."toStageId" FROM answers a
              JOIN "JourneyProgress" p ON p."customerId" = a.customer_id
              JOIN "JourneyTransition" t ON t."progressId" = p."id" AND t."occurredAt" < a.cutoff
      UNION SELECT o.customer_id, 'SLOW_FIRST_REPLY' FROM openings o
              CROSS JOIN LATERAL (
                SELECT min(x."occurredAt") AS replied_at FROM "Interaction" x
                 WHERE x."customerId" = o.customer_id AND x."conversationId" = o."conversationId"
                   AND x."direction" = 'OUTBOUND' AND x."occurredAt" > o.opened_at
              ) r
             WHERE o.opened_at + make_interval(secs => ${SLOW_SECONDS}) < o.cutoff
               AND (r.replied_at IS NULL OR r.replied_at - o.opened_at > make_interval(secs => ${SLOW_SECONDS}))
    )
    SELECT '' AS feature, count(*)::int AS customers, count(*) FILTER (WHERE positive)::int AS positives FROM answers
    UNION ALL
    SELECT f.feature, count(*)::int, count(*) FILTER (WHERE a.positive)::int
      FROM features f JOIN answers a USING (customer_id) GROUP BY f.feature
     ORDER BY 1`;
}

function hub(db: Db): Promise<KeyTouchpoints> {
  return keyTouchpoints(
    db,
    { outcome: "NPS_DETRACTOR", ...PERIOD, slowReplyHours: SLOW_SECONDS / 3600 },
    { asOf: AS_OF, policy: DEFAULT_SCORING_POLICY },
  );
}

function assertSame(analysis: KeyTouchpoints, counts: FeatureCount[]): void {
  const byFeature = new Map(counts.map((count) => [count.feature, count]));
  const hubCounts: FeatureCount[] = [
    { feature: "", customers: analysis.customers, positives: analysis.positives },
    ...analysis.drivers.map((driver) => ({
      feature: driver.key,
      customers: driver.customers,
      positives: driver.positives,
    })),
  ];
  const disagreeing = hubCounts.filter((count) => {
    const other = byFeature.get(count.feature);
    return other?.customers !== count.customers || other.positives !== count.positives;
  });
  if (analysis.drivers.length === 0 || disagreeing.length > 0) {
    throw new Error(
      `The hub and the hand-written query disagree: ${JSON.stringify(disagreeing)} vs ${JSON.stringify(counts)}.`,
    );
  }
}

async function measure(db: Db, log: (line: string) => void): Promise<KeyTouchpointsBenchFigures> {
  await generate(db);
  const [counts] = await db.$queryRaw<Array<{ customers: number; interactions: number }>>`
    SELECT (SELECT count(*) FROM "Customer")::int AS customers, (SELECT count(*) FROM "Interaction")::int AS interactions`;
  log(
    `  ${counts?.customers} customers, ${counts?.interactions} interactions (a conversation and an NPS answer generated each)`,
  );
  const { first: hubRun, second: baselineRun } = await timeInTurn(
    RUNS,
    () => hub(db),
    () => baseline(db),
  );
  assertSame(hubRun.answer, baselineRun.answer);
  return {
    customers: counts?.customers ?? 0,
    interactions: counts?.interactions ?? 0,
    hubMilliseconds: hubRun.milliseconds,
    baselineMilliseconds: baselineRun.milliseconds,
    top: hubRun.answer.drivers.slice(0, 3).map((driver) => driver.sentence),
  };
}

export function formatKeyTouchpointsReport(figures: KeyTouchpointsBenchFigures): string {
  const ratio = figures.hubMilliseconds / figures.baselineMilliseconds;
  return [
    `Key touchpoints over ${figures.customers} customers (${figures.interactions} interactions), NPS detractors, median of ${RUNS} runs:`,
    `  hub keyTouchpoints, every touchpoint, read and fitted: ${figures.hubMilliseconds.toFixed(0)} ms`,
    `  hand-written SQL, customers and detractors per touchpoint: ${figures.baselineMilliseconds.toFixed(0)} ms`,
    `  ratio hub/baseline: ${ratio.toFixed(2)}× (target ≤ 2×); counts equal`,
    "  top drivers:",
    ...figures.top.map((sentence) => `    ${sentence}`),
  ].join("\n");
}
