// Cron slots read against the hub's clock: which scheduled moment "now" belongs to.
import cronParser from "cron-parser";

/** The latest occurrence of `cron` (in `timeZone`) at or before `now`. */
export function previousOccurrence(cron: string, timeZone: string, now: Date): Date {
  // cron-parser's prev() is strictly before its current date: start a millisecond later.
  const occurrences = cronParser.parseExpression(cron, {
    currentDate: new Date(now.getTime() + 1),
    tz: timeZone,
  });
  return occurrences.prev().toDate();
}
