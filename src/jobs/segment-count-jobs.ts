// The daily segment count on the job engine. Like the scheduled runs (scheduled-runs.ts), its slot is
// the latest occurrence of the schedule's `segmentCounts` cron at or before the hub's clock, and its
// job id is derived from the slot, so any number of instances ticking at once queue it once. The
// worker counts as of the clock when the job was queued, on the slot's calendar day in the
// schedule's time zone.
import { v5 as uuidv5 } from "uuid";
import { notifySegmentEntries } from "../alerts/segment-entry-feed.ts";
import { recordSegmentEntryWebhooks } from "../alerts/segment-entry-webhooks.ts";
import type { Db } from "../db/database.ts";
import { inTransaction } from "../db/transaction.ts";
import { calendarDay, recordSegmentCounts } from "../domain/segments/segment-counts.ts";
import { recordSegmentEntries } from "../domain/segments/segment-entries.ts";
import type { ScheduleSettings } from "../policy/schedule-settings.ts";
import { type JobEngine, QUEUES } from "./job-engine.ts";
import { previousOccurrence } from "./schedule-slots.ts";

export interface SegmentCountJobData {
  /** The cron occurrence this count is for (ISO). */
  slot: string;
  /** The calendar day it is recorded under ("YYYY-MM-DD", in the schedule's time zone). */
  day: string;
  /** The clock when it was queued (ISO): what the counts are stamped with. */
  asOf: string;
}

export interface DueSegmentCount {
  id: string;
  day: string;
}

/** Fixed namespace of the count job ids (uuid v5 of "segment-counts@slot"). */
const COUNT_ID_NAMESPACE = "8d1f6a2e-54c3-4b7e-9f0a-2c6e1b3d4f5a";

/** Queues the count of the current slot unless it exists; returns it when this call queued it. */
export async function queueDueSegmentCount(
  engine: JobEngine,
  schedule: ScheduleSettings,
  now: Date,
): Promise<DueSegmentCount | null> {
  if (schedule.segmentCounts === null) return null;
  const slot = previousOccurrence(schedule.segmentCounts, schedule.timeZone, now);
  const id = uuidv5(`segment-counts@${slot.toISOString()}`, COUNT_ID_NAMESPACE);
  if (await engine.boss.getJobById(QUEUES.segmentCounts, id, { includeArchive: true })) return null;
  const data: SegmentCountJobData = {
    slot: slot.toISOString(),
    day: calendarDay(slot, schedule.timeZone),
    asOf: now.toISOString(),
  };
  const sent = await engine.boss.send(QUEUES.segmentCounts, data, { id });
  return sent === null ? null : { id, day: data.day };
}

/**
 * Works one count job: every segment counted and recorded for the job's day; then every live
 * customer checked against every segment, so that entries no write announced (time passing, a
 * scheduled rescore) are announced here, and their webhook events recorded, when the check commits.
 */
export async function runSegmentCountJob(db: Db, data: SegmentCountJobData) {
  const asOf = new Date(data.asOf);
  const counted = await recordSegmentCounts(db, { day: data.day, countedAt: asOf });
  const entries = await inTransaction(db, async (tx) => {
    const found = await recordSegmentEntries(tx, "everyone", asOf);
    await notifySegmentEntries(tx, found);
    await recordSegmentEntryWebhooks(tx, found, asOf);
    return found;
  });
  return { ...counted, entries: entries.length };
}
