// The response-speed section of `npm run bench`: on the bench database (CDNOW master, 23,570
// customers), two conversations per customer are generated in SQL (email, social or support; a
// customer message, sometimes a second one, and most of the time a reply within 48 hours), then the
// product's `responseSpeed` (grouped by channel) is timed beside one hand-written SQL query that
// computes the same figure — first response p50 and p90 per channel — and their answers are checked
// equal. The generated conversations have one opening each, which is what lets the simple query be
// right. Everything runs in one transaction that is rolled back, so the bench database is left as it was.
import type { Db } from "../../src/db/database.ts";
import { responseSpeed } from "../../src/domain/analytics/response-speed.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { measureRolledBack, timeInTurn } from "./rolled-back-timing.ts";

const AS_OF = new Date("1998-07-01T00:00:00Z");
const RUNS = 7;

export interface ResponseSpeedBenchFigures {
  conversations: number;
  messages: number;
  hubMilliseconds: number;
  baselineMilliseconds: number;
}

interface ChannelFigure {
  channel: string;
  count: number;
  p50: number | null;
  p90: number | null;
}

export function runResponseSpeedBench(
  databaseUrl: string,
  log: (line: string) => void,
): Promise<ResponseSpeedBenchFigures> {
  return measureRolledBack(databaseUrl, "response speed", (db) => measure(db, log));
}

async function generateConversations(db: Db): Promise<{ conversations: number; messages: number }> {
  // setseed makes random() repeat from run to run.
  await db.$queryRaw`SELECT setseed(0.1997)::text`;
  await db.$executeRaw`
    CREATE TEMPORARY TABLE bench_conversation ON COMMIT DROP AS
    SELECT c."id" AS customer_id, 'bench-conversation-' || c."id" || '-' || n AS conversation_id,
           (ARRAY['EMAIL', 'SOCIAL', 'SUPPORT'])[1 + floor(random() * 3)::int]::"Channel" AS channel,
           timestamptz '1997-01-01' + random() * interval '540 days' AS opened_at,
           random() AS second_message, random() AS answered, random() AS delay
      FROM "Customer" c, generate_series(1, 2) AS n`;
  const messages = await db.$executeRaw`
    INSERT INTO "Interaction" ("id", "customerId", "source", "externalId", "channel", "kind", "direction",
                               "occurredAt", "conversationId")
    SELECT gen_random_uuid(), customer_id, 'bench-conversations', conversation_id || '-' || part, channel,
           CASE WHEN part = 'reply' THEN 'message.sent' ELSE 'message.received' END,
           (CASE WHEN part = 'reply' THEN 'OUTBOUND' ELSE 'INBOUND' END)::"Direction", at, conversation_id
      FROM bench_conversation,
           LATERAL (VALUES ('first', opened_at),
                           ('second', CASE WHEN second_message < 0.3 THEN opened_at + interval '20 minutes' END),
                           ('reply', CASE WHEN answered < 0.85 THEN opened_at + (0.5 + delay * 47.5) * interval '1 hour' END)
                   ) AS m (part, at)
     WHERE at IS NOT NULL`;
  await db.$executeRaw`ANALYZE "Interaction"`;
  const [row] = await db.$queryRaw<Array<{ conversations: number }>>`
    SELECT count(*)::int AS conversations FROM bench_conversation`;
  return { conversations: row?.conversations ?? 0, messages };
}

/** The hand-written query: each conversation's first customer message and our first reply after it. */
function baseline(db: Db): Promise<ChannelFigure[]> {
  return db.$queryRaw<ChannelFigure[]>`
    WITH opened AS (
      SELECT i."customerId", i."conversationId", i."channel", min(i."occurredAt") AS opened_at
        FROM "Interaction" i
       WHERE i."conversationId" IS NOT NULL AND i."direction" = 'INBOUND' AND i."occurredAt" <= ${AS_OF.toISOString()}::timestamptz
       GROUP BY 1, 2, 3
    ),
    answered AS (
      SELECT o."channel", extract(epoch FROM r.replied_at - o.opened_at)::float8 AS seconds
        FROM opened o
        CROSS JOIN LATERAL (
          SELECT min(x."occurredAt") AS replied_at FROM "Interaction" x
           WHERE x."customerId" = o."customerId" AND x."conversationId" = o."conversationId"
             AND x."direction" = 'OUTBOUND' AND x."occurredAt" > o.opened_at
        ) r
       WHERE r.replied_at IS NOT NULL
    )
    SELECT channel::text AS channel, count(*)::int AS count,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS p90
      FROM answered GROUP BY channel ORDER BY channel`;
}

async function hub(db: Db): Promise<ChannelFigure[]> {
  const report = await responseSpeed(
    db,
    { groupBy: ["CHANNEL"] },
    { asOf: AS_OF, settings: DEFAULT_SCORING_POLICY.responseSpeed },
  );
  return report.groups
    .map((group) => ({
      channel: group.channel ?? "",
      count: group.figures.firstResponse.count,
      p50: group.figures.firstResponse.p50Seconds,
      p90: group.figures.firstResponse.p90Seconds,
    }))
    .sort((a, b) => a.channel.localeCompare(b.channel));
}

function assertSame(hubAnswer: ChannelFigure[], baselineAnswer: ChannelFigure[]): void {
  const close = (a: number | null, b: number | null) =>
    a === b || (a !== null && b !== null && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)));
  const same =
    hubAnswer.length === baselineAnswer.length &&
    hubAnswer.every((figure, index) => {
      const other = baselineAnswer[index];
      return (
        other !== undefined &&
        figure.channel === other.channel &&
        figure.count === other.count &&
        close(figure.p50, other.p50) &&
        close(figure.p90, other.p90)
      );
    });
  if (!same) {
    throw new Error(
      `The hub and the hand-written query disagree: ${JSON.stringify(hubAnswer)} vs ${JSON.stringify(baselineAnswer)}.`,
    );
  }
}

async function measure(db: Db, log: (line: string) => void): Promise<ResponseSpeedBenchFigures> {
  const generated = await generateConversations(db);
  log(`  ${generated.conversations} conversations generated (${generated.messages} messages)`);
  const { first: hubRun, second: baselineRun } = await timeInTurn(
    RUNS,
    () => hub(db),
    () => baseline(db),
  );
  assertSame(hubRun.answer, baselineRun.answer);
  return {
    ...generated,
    hubMilliseconds: hubRun.milliseconds,
    baselineMilliseconds: baselineRun.milliseconds,
  };
}

export function formatResponseSpeedReport(figures: ResponseSpeedBenchFigures): string {
  const ratio = figures.hubMilliseconds / figures.baselineMilliseconds;
  return [
    `Response speed over ${figures.conversations} conversations (${figures.messages} messages), median of ${RUNS} runs:`,
    `  hub responseSpeed(groupBy: CHANNEL), every figure: ${figures.hubMilliseconds.toFixed(0)} ms`,
    `  hand-written SQL, first response p50/p90 per channel: ${figures.baselineMilliseconds.toFixed(0)} ms`,
    `  ratio hub/baseline: ${ratio.toFixed(2)}× (target ≤ 2×); answers equal`,
  ].join("\n");
}
