// Business-hours arithmetic: how much of a span of time fell inside weekly opening hours in a time
// zone. One idea serves TypeScript and SQL alike: a "business clock" B(t) counts the business seconds
// from a fixed local Monday to t, so the business time between two instants is B(end) − B(start),
// one subtraction per row however many days, weekends and holidays of the week lie between.
//
// The clock reads the wall clock of the time zone. Opening hours are wall-clock hours ("09:00–17:00"
// is eight hours on every day, including the days the clocks change), so a span is counted exactly
// unless the business hours themselves straddle the hour a clock jumps (a shop open at 02:30 on the
// night of a change): that night counts the hours the wall clock shows, not the hour that was skipped
// or repeated. The README says so.
import { Prisma } from "../../generated/prisma/client.ts";
import { type BusinessHours, WEEKDAYS } from "../../policy/response-speed-settings.ts";

const DAY = 86_400;
const WEEK = 7 * DAY;
/** 1970-01-05, the first Monday of the Unix epoch: the local origin of the business clock. */
const FIRST_MONDAY = 4 * DAY;

/** Opening hours as [start, end) second offsets from Monday 00:00, sorted and disjoint. */
export type WeeklyWindows = ReadonlyArray<readonly [number, number]>;

/** A schedule ready for arithmetic: its time zone and its windows in the week. */
export interface BusinessSchedule {
  timeZone: string;
  windows: WeeklyWindows;
  /** Business seconds in a whole week. */
  weekSeconds: number;
}

function secondsOfDay(time: string): number {
  const [hours, minutes] = time.split(":").map(Number);
  return (hours ?? 0) * 3600 + (minutes ?? 0) * 60;
}

/** The schedule of validated business hours; touching windows ("09–12", "12–17") merge into one. */
export function businessSchedule(hours: BusinessHours): BusinessSchedule {
  const windows = WEEKDAYS.flatMap((day, index) =>
    hours[day].map(
      (open) => [index * DAY + secondsOfDay(open.from), index * DAY + secondsOfDay(open.to)] as const,
    ),
  ).sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of windows) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return {
    timeZone: hours.timeZone,
    windows: merged,
    weekSeconds: merged.reduce((sum, [start, end]) => sum + end - start, 0),
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of `instant` in the time zone, as seconds since 1970-01-01 00:00 on that wall. */
export function wallClockSeconds(instant: Date, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, format);
  }
  const part = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(part.year ?? 0, (part.month ?? 1) - 1, part.day, part.hour, part.minute, part.second);
  return wall / 1000 + instant.getUTCMilliseconds() / 1000;
}

/** Business seconds inside the first `offset` seconds of a week. */
function intoWeek(offset: number, windows: WeeklyWindows): number {
  let sum = 0;
  for (const [start, end] of windows) sum += Math.max(0, Math.min(offset, end) - start);
  return sum;
}

/** B(t): business seconds from the clock's local origin (a Monday in 1970) to `instant`. */
export function businessClock(instant: Date, schedule: BusinessSchedule): number {
  const sinceMonday = wallClockSeconds(instant, schedule.timeZone) - FIRST_MONDAY;
  const weeks = Math.floor(sinceMonday / WEEK);
  return weeks * schedule.weekSeconds + intoWeek(sinceMonday - weeks * WEEK, schedule.windows);
}

/** The business seconds between two instants; 0 when `end` is not after `start`. */
export function businessSecondsBetween(start: Date, end: Date, schedule: BusinessSchedule): number {
  return Math.max(0, businessClock(end, schedule) - businessClock(start, schedule));
}

/**
 * B(t) as an SQL expression over a timestamptz expression, the same arithmetic as `businessClock`;
 * with no schedule, the plain clock (seconds since the epoch), so that differences are elapsed time.
 * The windows are validated whole numbers, written into the statement as literals; the time zone is
 * a bound parameter.
 */
export function businessClockSql(instant: Prisma.Sql, schedule: BusinessSchedule | null): Prisma.Sql {
  // date_part, not extract: extract computes a numeric that the cast then rounds to the same float8
  // (both are the correctly rounded microseconds / 10^6), a cost paid once per message of a report.
  if (!schedule) return Prisma.sql`date_part('epoch', ${instant})`;
  const inWeek = schedule.windows.map(([start, end]) =>
    Prisma.raw(`GREATEST(0, LEAST(week_offset, ${end}) - ${start})`),
  );
  const sinceMonday = Prisma.sql`(date_part('epoch', (${instant}) AT TIME ZONE ${schedule.timeZone}) - ${Prisma.raw(String(FIRST_MONDAY))})`;
  return Prisma.sql`(SELECT weeks * ${Prisma.raw(String(schedule.weekSeconds))} + ${Prisma.join(inWeek, " + ")}
      FROM (SELECT weeks, since_monday - weeks * ${Prisma.raw(String(WEEK))} AS week_offset
              FROM (SELECT floor(${sinceMonday} / ${Prisma.raw(String(WEEK))}) AS weeks, ${sinceMonday} AS since_monday) AS w) AS o)`;
}
