// Response speed: time to first response, to each next response and to resolution, as percentiles
// (p50, p90), means and the share that met the policy's targets, overall, per channel and/or owner,
// and per period — in one SQL statement with GROUPING SETS over the openings of conversations
// (conversation-cycles.ts says what an opening, a response and a resolution are).
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { Channel } from "../../generated/prisma/enums.ts";
import {
  type ResponseSpeedSettings,
  responseTargetFor,
  TARGET_CHANNELS,
} from "../../policy/response-speed-settings.ts";
import { parseInput, ValidationError } from "../errors.ts";
import { BUCKETS, timeZoneSchema, trendBucketStarts, withTimeZoneErrors } from "../trend-calendar.ts";
import { type BusinessSchedule, businessClock, businessSchedule } from "./business-clock.ts";
import { conversationCyclesSql } from "./conversation-cycles.ts";

export const responseSpeedSchema = z.object({
  /** Openings at or after this moment … */
  from: z.date().optional(),
  /** … and before this one (exclusive). Both are required for a trend. */
  to: z.date().optional(),
  channel: z.enum(Channel).optional(),
  ownerId: z.uuid().optional(),
  /** Only these customers: a `SELECT id` of customers, such as a segment's members (segment-members.ts). */
  customersIn: z.custom<Prisma.Sql>((value) => value instanceof Prisma.Sql).optional(),
  /** Split the figures by these dimensions (besides the overall figures, always given). */
  groupBy: z
    .array(z.enum(["CHANNEL", "OWNER"]))
    .max(2)
    .default([]),
  /** Give a trend in buckets of this width. */
  interval: z.enum(["DAY", "WEEK", "MONTH"]).optional(),
  /** The time zone of the trend's buckets. */
  timeZone: timeZoneSchema.default("UTC"),
  /** Count only the policy's business hours (in the policy's time zone). */
  businessHoursOnly: z.boolean().default(false),
});
export type ResponseSpeedInput = z.input<typeof responseSpeedSchema>;

/** The distribution of one kind of timing, and how it fared against its target. */
export interface TimingStats {
  /** Timings measured (openings for first response and resolution, replies for next response). */
  count: number;
  /** Distinct conversations those timings come from. */
  conversations: number;
  p50Seconds: number | null;
  p90Seconds: number | null;
  meanSeconds: number | null;
  /** Timings within their channel's target. */
  metTarget: number;
  /** Timings over it, including waits still open that have already passed it. */
  missedTarget: number;
  /** metTarget / (metTarget + missedTarget); null when no timing has a target or a verdict. */
  targetMetShare: number | null;
}

export interface ResponseSpeedFigures {
  /** Openings (a reopened conversation counts once per opening). */
  openings: number;
  conversations: number;
  reopenings: number;
  resolved: number;
  /** Openings still waiting for our reply at the request's "now". */
  waiting: number;
  firstResponse: TimingStats;
  nextResponse: TimingStats;
  resolution: TimingStats;
}

export interface ResponseSpeedTrendPoint {
  periodStart: Date;
  figures: ResponseSpeedFigures;
}

export interface ResponseSpeedGroup {
  /** Null when the report is not split by channel. */
  channel: Channel | null;
  /** The owner's id; null when not split by owner, or for customers without an owner. */
  ownerId: string | null;
  figures: ResponseSpeedFigures;
  trend: ResponseSpeedTrendPoint[];
}

export interface ResponseSpeedReport {
  overall: ResponseSpeedFigures;
  trend: ResponseSpeedTrendPoint[];
  groups: ResponseSpeedGroup[];
}

type Measure = "FIRST" | "NEXT" | "RESOLUTION";

interface Row {
  measure: Measure;
  channel: Channel | null;
  owner_id: string | null;
  period_start: Date | null;
  is_overall: number;
  is_all_periods: number;
  /** Every row of the measure: for FIRST, one per opening. */
  all_rows: number;
  all_conversations: number;
  count: number;
  conversations: number;
  p50: number | null;
  p90: number | null;
  mean: number | null;
  met: number;
  missed: number;
  reopened: number;
  resolved: number;
  waiting: number;
}

/** The targets of every channel, in seconds, as a VALUES list to join on. */
export function targetsSql(settings: ResponseSpeedSettings): Prisma.Sql {
  const seconds = (minutes: number | null) => (minutes === null ? null : minutes * 60);
  const rows = TARGET_CHANNELS.map((channel) => {
    const target = responseTargetFor(settings, channel);
    return Prisma.sql`(${channel}::"Channel", ${seconds(target.firstResponseMinutes)}::float8,
                       ${seconds(target.nextResponseMinutes)}::float8, ${seconds(target.resolutionMinutes)}::float8)`;
  });
  return Prisma.sql`targets (channel, first_target, next_target, resolution_target) AS (VALUES ${Prisma.join(rows)})`;
}

/** The clock's reading at `asOf`, computed here with the same arithmetic the SQL uses per row. */
export function clockAt(asOf: Date, schedule: BusinessSchedule | null): number {
  return schedule ? businessClock(asOf, schedule) : asOf.getTime() / 1000;
}

/**
 * Each opening in scope with its period, and what is needed to count conversations without
 * `count(DISTINCT …)` (sorting every group's rows by a text key cost more than the rest of the report):
 * for the opening itself and for each timing, the group key of the latest earlier opening of the same
 * conversation that had one. A conversation's channel and owner never change, and openings come in
 * the order of their periods, so an opening is its conversation's first in a group when no earlier
 * opening had that (`prior_… IS NULL`: groups without periods) or the latest that did lies in another
 * period (`prior_… IS DISTINCT FROM group_key`). `group_key` is the period, or one constant without a trend.
 */
function countedOpeningsSql(period: Prisma.Sql | null): Prisma.Sql {
  return Prisma.sql`
    periods AS (
      SELECT o.*, ${period ?? Prisma.sql`NULL::timestamptz`} AS period_start,
             ${period ?? Prisma.sql`'-infinity'::timestamptz`} AS group_key
        FROM openings o
    ),
    counted AS (
      SELECT p.*,
             max(group_key) OVER earlier AS prior_opening,
             max(group_key) FILTER (WHERE first_response_seconds IS NOT NULL) OVER earlier AS prior_first,
             max(group_key) FILTER (WHERE resolution_seconds IS NOT NULL) OVER earlier AS prior_resolution,
             -- Every reply has a wait (its clock less that of the message it answers), so an opening
             -- has next response timings exactly when its array has a first element.
             max(group_key) FILTER (WHERE next_response_seconds[1] IS NOT NULL) OVER earlier AS prior_next
        FROM periods p
      WINDOW earlier AS (PARTITION BY customer_id, conversation_id ORDER BY opening
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
    )`;
}

/**
 * One row per timing: an opening's first response (or the wait for it; one such row per opening, which
 * also carries the opening's counts), its resolution (or the wait for it), each next response, and a
 * wait for a next response that is already over target. The rows of an opening are numbered by
 * generate_series in the select list (n = 1 first response, 2 resolution, then one per next response,
 * then the overdue wait), one projection per opening rather than a subplan run for each of them.
 * `met` is true or false when the timing has a verdict, null while it could still meet its target.
 * `new_opening…` marks the first opening of a conversation in the row's group (all periods, or its
 * period); `new_timing…` the first row of a conversation with a timing of the measure.
 */
function samplesSql(now: number): Prisma.Sql {
  const next = Prisma.sql`c.next_response_seconds`;
  const replies = Prisma.sql`COALESCE(cardinality(${next}), 0)`;
  // No earlier opening of the conversation had this timing (in any period, or in this row's period).
  const noEarlier = (prior: string, inPeriod: boolean) =>
    inPeriod
      ? Prisma.sql`${Prisma.raw(prior)} IS DISTINCT FROM c.group_key`
      : Prisma.sql`${Prisma.raw(prior)} IS NULL`;
  const newTiming = (inPeriod: boolean) =>
    Prisma.sql`CASE n WHEN 1 THEN c.first_response_seconds IS NOT NULL AND ${noEarlier("c.prior_first", inPeriod)}
                      WHEN 2 THEN c.resolution_seconds IS NOT NULL AND ${noEarlier("c.prior_resolution", inPeriod)}
                      WHEN 3 THEN ${next}[1] IS NOT NULL AND ${noEarlier("c.prior_next", inPeriod)}
                      ELSE FALSE END`;
  return Prisma.sql`
    numbered AS (
      SELECT c.*, t.first_target, t.next_target, t.resolution_target,
             generate_series(1, 2 + ${replies}
               + CASE WHEN c.waiting_since > c.opened_at AND ${now}::float8 - c.waiting_clock > t.next_target
                      THEN 1 ELSE 0 END) AS n
        FROM counted c
        JOIN targets t ON t.channel = c.channel
    ),
    samples AS (
      SELECT c.channel, c.owner_id, c.period_start, c.reopened,
             CASE n WHEN 1 THEN 'FIRST' WHEN 2 THEN 'RESOLUTION' ELSE 'NEXT' END AS measure,
             CASE n WHEN 1 THEN c.first_response_seconds WHEN 2 THEN c.resolution_seconds
                    ELSE ${next}[n - 2] END AS seconds,
             CASE n
               WHEN 1 THEN
                 CASE WHEN c.first_target IS NULL THEN NULL
                      WHEN c.first_response_seconds IS NOT NULL THEN c.first_response_seconds <= c.first_target
                      WHEN c.resolved_at IS NULL AND ${now}::float8 - c.opened_clock > c.first_target THEN FALSE END
               WHEN 2 THEN
                 CASE WHEN c.resolution_target IS NULL THEN NULL
                      WHEN c.resolution_seconds IS NOT NULL THEN c.resolution_seconds <= c.resolution_target
                      WHEN ${now}::float8 - c.opened_clock > c.resolution_target THEN FALSE END
               ELSE
                 -- After the replies, the wait for a next response that has already passed its target:
                 -- a miss before any reply.
                 CASE WHEN n - 2 > ${replies} THEN FALSE
                      WHEN c.next_target IS NULL THEN NULL
                      ELSE ${next}[n - 2] <= c.next_target END
             END AS met,
             n <= 2 AND c.resolved_at IS NOT NULL AS resolved,
             n <= 2 AND c.waiting_since IS NOT NULL AS waiting,
             n = 1 AND ${noEarlier("c.prior_opening", false)} AS new_opening,
             n = 1 AND ${noEarlier("c.prior_opening", true)} AS new_opening_in_period,
             ${newTiming(false)} AS new_timing,
             ${newTiming(true)} AS new_timing_in_period
        FROM numbered c
    )`;
}

const EMPTY_STATS: TimingStats = {
  count: 0,
  conversations: 0,
  p50Seconds: null,
  p90Seconds: null,
  meanSeconds: null,
  metTarget: 0,
  missedTarget: 0,
  targetMetShare: null,
};

function stats(row: Row | undefined): TimingStats {
  if (!row) return EMPTY_STATS;
  const judged = row.met + row.missed;
  return {
    count: row.count,
    conversations: row.conversations,
    p50Seconds: row.p50,
    p90Seconds: row.p90,
    meanSeconds: row.mean,
    metTarget: row.met,
    missedTarget: row.missed,
    targetMetShare: judged === 0 ? null : row.met / judged,
  };
}

function figures(rows: Row[]): ResponseSpeedFigures {
  const of = (measure: Measure) => rows.find((row) => row.measure === measure);
  // Every opening has exactly one FIRST row, which carries the opening's counts.
  const opening = of("FIRST");
  return {
    openings: opening?.all_rows ?? 0,
    conversations: opening?.all_conversations ?? 0,
    reopenings: opening?.reopened ?? 0,
    resolved: opening?.resolved ?? 0,
    waiting: opening?.waiting ?? 0,
    firstResponse: stats(of("FIRST")),
    nextResponse: stats(of("NEXT")),
    resolution: stats(of("RESOLUTION")),
  };
}

/**
 * The report. `asOf` is the request's "now" (waits are measured up to it, later facts ignored);
 * `settings` is the policy's responseSpeed section. An account manager's caller passes their own id
 * as ownerId.
 */
export async function responseSpeed(
  db: Db,
  input: ResponseSpeedInput,
  context: { asOf: Date; settings: ResponseSpeedSettings },
): Promise<ResponseSpeedReport> {
  const parsed = parseInput(responseSpeedSchema, input, "The response speed report");
  if (parsed.from && parsed.to && parsed.from >= parsed.to) {
    throw new ValidationError(`The period is empty: "from" must be before "to" (exclusive).`, [
      { path: ["period", "to"], message: "must be after from" },
    ]);
  }
  if (parsed.interval && (!parsed.from || !parsed.to)) {
    throw new ValidationError("A trend needs a period with both ends: give period.from and period.to.", [
      { path: ["period"], message: "from and to are required with an interval" },
    ]);
  }
  const schedule = parsed.businessHoursOnly ? businessSchedule(context.settings.businessHours) : null;
  const byChannel = parsed.groupBy.includes("CHANNEL");
  const byOwner = parsed.groupBy.includes("OWNER");
  const periods =
    parsed.interval && parsed.from && parsed.to
      ? await trendBucketStarts(db, {
          from: parsed.from,
          to: parsed.to,
          bucket: parsed.interval,
          timeZone: parsed.timeZone,
        })
      : [];

  const dimensions = [
    ...(byChannel ? [Prisma.sql`channel`] : []),
    ...(byOwner ? [Prisma.sql`owner_id`] : []),
  ];
  const sets: Prisma.Sql[] = [Prisma.sql`()`];
  if (dimensions.length > 0) sets.push(Prisma.sql`(${Prisma.join(dimensions)})`);
  if (parsed.interval) {
    sets.push(Prisma.sql`(period_start)`);
    if (dimensions.length > 0) sets.push(Prisma.sql`(${Prisma.join(dimensions)}, period_start)`);
  }
  const period = parsed.interval
    ? Prisma.sql`date_trunc(${BUCKETS[parsed.interval].unit}, opened_at, ${parsed.timeZone})`
    : null;
  const allPeriods = parsed.interval ? Prisma.sql`GROUPING(period_start)` : Prisma.sql`1`;

  const rows = await withTimeZoneErrors(
    parsed.timeZone,
    db.$queryRaw<Row[]>`
      WITH ${conversationCyclesSql({
        from: parsed.from,
        to: parsed.to,
        channel: parsed.channel,
        ownerId: parsed.ownerId,
        customersIn: parsed.customersIn,
        asOf: context.asOf,
        resolveAfterQuietHours: context.settings.resolveAfterQuietHours,
        schedule,
        withOwner: byOwner,
      })},
      ${targetsSql(context.settings)},
      ${countedOpeningsSql(period)},
      ${samplesSql(clockAt(context.asOf, schedule))}
      SELECT measure,
             -- A column outside every grouping set may not be selected, even when it is a constant.
             ${byChannel ? Prisma.sql`channel` : Prisma.sql`NULL::"Channel"`} AS channel,
             ${byOwner ? Prisma.sql`owner_id::text` : Prisma.sql`NULL::text`} AS owner_id,
             ${parsed.interval ? Prisma.sql`period_start` : Prisma.sql`NULL::timestamptz`} AS period_start,
             ${dimensions.length > 0 ? Prisma.sql`GROUPING(${dimensions[0]})` : Prisma.sql`1`}::int AS is_overall,
             ${allPeriods}::int AS is_all_periods,
             count(*)::int AS all_rows,
             CASE WHEN ${allPeriods} = 1 THEN count(*) FILTER (WHERE new_opening)
                  ELSE count(*) FILTER (WHERE new_opening_in_period) END::int AS all_conversations,
             count(seconds)::int AS count,
             CASE WHEN ${allPeriods} = 1 THEN count(*) FILTER (WHERE new_timing)
                  ELSE count(*) FILTER (WHERE new_timing_in_period) END::int AS conversations,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS p50,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS p90,
             avg(seconds)::float8 AS mean,
             count(*) FILTER (WHERE met)::int AS met,
             count(*) FILTER (WHERE NOT met)::int AS missed,
             count(*) FILTER (WHERE reopened)::int AS reopened,
             count(*) FILTER (WHERE resolved)::int AS resolved,
             count(*) FILTER (WHERE waiting)::int AS waiting
        FROM samples
       GROUP BY measure, GROUPING SETS (${Prisma.join(sets)})`,
  );
  return assemble(rows, periods);
}

/** Rows of the grouping sets into the report, every period present in every trend. */
function assemble(rows: Row[], periods: Date[]): ResponseSpeedReport {
  const trendOf = (selected: Row[]): ResponseSpeedTrendPoint[] =>
    periods.map((start) => ({
      periodStart: start,
      figures: figures(selected.filter((row) => row.period_start?.getTime() === start.getTime())),
    }));
  const overallRows = rows.filter((row) => row.is_overall === 1);
  const groupRows = rows.filter((row) => row.is_overall === 0);
  const keyOf = (row: Row) => `${row.channel ?? ""}/${row.owner_id ?? ""}`;
  const keys = new Map<string, Row>();
  for (const row of groupRows) if (!keys.has(keyOf(row))) keys.set(keyOf(row), row);

  const groups = [...keys.entries()].map(([key, sample]) => {
    const own = groupRows.filter((row) => keyOf(row) === key);
    return {
      channel: sample.channel,
      ownerId: sample.owner_id,
      figures: figures(own.filter((row) => row.is_all_periods === 1)),
      trend: trendOf(own.filter((row) => row.is_all_periods === 0)),
    };
  });
  // Busiest first; ties in a stable order of channel, then owner.
  groups.sort(
    (a, b) =>
      b.figures.openings - a.figures.openings ||
      (a.channel ?? "").localeCompare(b.channel ?? "") ||
      (a.ownerId ?? "").localeCompare(b.ownerId ?? ""),
  );
  return {
    overall: figures(overallRows.filter((row) => row.is_all_periods === 1)),
    trend: trendOf(overallRows.filter((row) => row.is_all_periods === 0)),
    groups,
  };
}
