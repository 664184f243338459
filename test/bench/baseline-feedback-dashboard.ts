// The baseline's feedback dashboard in one statement: NPS, CSAT and CES counts with the CES
// distribution in a single scan of the window's answers, and the weekly (or daily, monthly) NPS trend
// over a calendar with no holes, shaped like the FeedbackDashboard answer and computed with the same
// formulas as the hub so that both give the very same floats.
import type pg from "pg";
import type { FeedbackDashboardQuery } from "../generated/graphql/graphql.ts";
import { BadRequest, type BaselineViewer, iso, refuseUnsupported, viewerOwner } from "./baseline-shared.ts";

const MAX_TREND_BUCKETS = 1000;

const BUCKETS = { DAY: ["day", "1 day"], WEEK: ["week", "1 week"], MONTH: ["month", "1 month"] } as const;

/** $1 from, $2 to, $3 owner or null, $4 time zone; the bucket is spliced in from a fixed list. */
const dashboardSql = ([unit, step]: readonly [string, string]) => `
  WITH slice AS (
    SELECT f.kind, f.score, f."respondedAt"
      FROM "Feedback" f
     WHERE f."respondedAt" >= $1::timestamptz AND f."respondedAt" < $2::timestamptz
       AND ($3::uuid IS NULL OR f."customerId" IN (SELECT c.id FROM "Customer" c WHERE c."ownerId" = $3::uuid))
  ),
  counts AS (
    SELECT count(*) FILTER (WHERE kind = 'NPS')::int AS nps_responses,
           count(*) FILTER (WHERE kind = 'NPS' AND score >= 9)::int AS promoters,
           count(*) FILTER (WHERE kind = 'NPS' AND score BETWEEN 7 AND 8)::int AS passives,
           count(*) FILTER (WHERE kind = 'NPS' AND score <= 6)::int AS detractors,
           count(*) FILTER (WHERE kind = 'CSAT')::int AS csat_responses,
           count(*) FILTER (WHERE kind = 'CSAT' AND score >= 4)::int AS satisfied,
           count(*) FILTER (WHERE kind = 'CES')::int AS ces_responses,
           (avg(score) FILTER (WHERE kind = 'CES'))::float8 AS ces_average,
           ${[1, 2, 3, 4, 5, 6, 7].map((s) => `count(*) FILTER (WHERE kind = 'CES' AND score = ${s})::int AS ces_${s}`).join(",\n           ")}
      FROM slice
  ),
  series AS (
    SELECT local_start
      FROM generate_series(date_trunc('${unit}', $1::timestamptz AT TIME ZONE $4::text),
                           $2::timestamptz AT TIME ZONE $4::text, '${step}'::interval) AS local_start
     WHERE local_start < $2::timestamptz AT TIME ZONE $4::text
  ),
  trend AS (
    SELECT date_trunc('${unit}', "respondedAt", $4::text) AS bucket_start,
           count(*)::int AS responses,
           100.0::float8 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))
             / NULLIF(count(*), 0) AS score
      FROM slice WHERE kind = 'NPS' GROUP BY 1
  )
  SELECT counts.*,
         100.0::float8 * (promoters - detractors) / NULLIF(nps_responses, 0) AS nps_score,
         100.0::float8 * promoters / NULLIF(nps_responses, 0) AS promoter_percent,
         100.0::float8 * detractors / NULLIF(nps_responses, 0) AS detractor_percent,
         100.0::float8 * satisfied / NULLIF(csat_responses, 0) AS csat_score,
         (SELECT json_agg(json_build_object('bucketStart', ${iso(`s.local_start AT TIME ZONE $4::text`)},
                                            'responses', coalesce(t.responses, 0), 'score', t.score)
                          ORDER BY s.local_start)
            FROM series s LEFT JOIN trend t ON t.bucket_start = s.local_start AT TIME ZONE $4::text) AS trend
    FROM counts`;

const DASHBOARD_SQL = Object.fromEntries(
  Object.entries(BUCKETS).map(([bucket, unitAndStep]) => [bucket, dashboardSql(unitAndStep)]),
) as Record<keyof typeof BUCKETS, string>;

interface DashboardRow {
  nps_responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  csat_responses: number;
  satisfied: number;
  ces_responses: number;
  ces_average: number | null;
  nps_score: number | null;
  promoter_percent: number | null;
  detractor_percent: number | null;
  csat_score: number | null;
  trend: FeedbackDashboardQuery["npsTrend"] | null;
  [cesCount: `ces_${number}`]: number;
}

export async function feedbackDashboard(
  pool: pg.Pool,
  viewer: BaselineViewer,
  variables: Record<string, unknown>,
): Promise<FeedbackDashboardQuery> {
  if (viewer.role === "INTEGRATOR") throw new BadRequest("An integrator key may not read feedback metrics.");
  const filter = (variables.filter ?? {}) as Record<string, unknown>;
  refuseUnsupported(filter, ["channel", "ownerId"]);
  const from = dateOf(filter.from, "filter.from");
  const to = dateOf(filter.to, "filter.to");
  if (from >= to) throw new BadRequest('The window is empty: "from" must be before "to".');
  const bucket = (variables.bucket ?? "WEEK") as keyof typeof BUCKETS;
  const sql = DASHBOARD_SQL[bucket];
  if (!sql) throw new BadRequest("bucket must be DAY, WEEK or MONTH.");
  const timeZone = typeof variables.timeZone === "string" ? variables.timeZone : "UTC";
  const days = (to.getTime() - from.getTime()) / 86_400_000;
  const approximateBuckets = bucket === "DAY" ? days : bucket === "WEEK" ? days / 7 : days / 28;
  if (approximateBuckets > MAX_TREND_BUCKETS) throw new BadRequest("The range holds too many buckets.");

  const { rows } = await pool.query<DashboardRow>(sql, [
    from.toISOString(),
    to.toISOString(),
    viewerOwner(viewer),
    timeZone,
  ]);
  const row = rows[0];
  if (!row) throw new Error("The dashboard query returned no row; an aggregate always returns one.");
  return {
    feedbackMetrics: {
      nps: {
        score: row.nps_score,
        responses: row.nps_responses,
        promoters: row.promoters,
        passives: row.passives,
        detractors: row.detractors,
        promoterPercent: row.promoter_percent,
        detractorPercent: row.detractor_percent,
      },
      csat: { score: row.csat_score, responses: row.csat_responses, satisfied: row.satisfied },
      ces: {
        average: row.ces_average,
        responses: row.ces_responses,
        distribution: [1, 2, 3, 4, 5, 6, 7].map((score) => ({ score, count: row[`ces_${score}`] ?? 0 })),
      },
    },
    npsTrend: row.trend ?? [],
  };
}

function dateOf(value: unknown, name: string): Date {
  const date = typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new BadRequest(`${name} must be an ISO date-time.`);
  return date;
}
