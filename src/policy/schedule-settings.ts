// The `schedule` section of the policy file (CXHUB_SCORING_POLICY): when every live customer is
// rescored as time passes, when the purchase model is refitted, and how a run is cut into slices.
// Pure configuration; src/jobs runs it on the job engine. The README's "Schedules" section documents
// every setting.
import cronParser from "cron-parser";
import { z } from "zod";

/** A five-field cron expression (minute hour day-of-month month day-of-week), or null: never. */
const cron = z
  .string()
  .nullable()
  .superRefine((expression, context) => {
    if (expression === null) return;
    if (expression.trim().split(/\s+/).length !== 5) {
      context.addIssue({
        code: "custom",
        message: 'is a cron expression of five fields, such as "0 2 * * *" (02:00 every day), or null',
      });
      return;
    }
    try {
      cronParser.parseExpression(expression, { tz: "UTC" });
    } catch (error) {
      context.addIssue({ code: "custom", message: `is not a cron expression: ${(error as Error).message}` });
    }
  });

export const scheduleSettingsSchema = z
  .object({
    /** Every live customer rescored as of the run's time (silence ages scores). Default 02:00 daily. */
    rescore: cron.default("0 2 * * *"),
    /** The purchase model refitted, then everyone rescored with it. Default 03:00 on Sundays. */
    refit: cron.default("0 3 * * 0"),
    /**
     * Every segment's members counted and recorded for the day (the trend of `segment.trend`), and
     * customers who entered a segment since the last check announced. Default 00:15 daily.
     */
    segmentCounts: cron.default("15 0 * * *"),
    /** The time zone the cron expressions are read in (an IANA name). */
    timeZone: z
      .string()
      .default("UTC")
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat("en", { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, "is an IANA time zone such as UTC or Europe/Lisbon"),
    /** Live customers per slice: one slice is one job and one transaction. */
    sliceSize: z.number().int().min(100).max(50_000).default(5000),
    /** Slices one instance works at once (each holds a database connection while it runs). */
    sliceConcurrency: z.number().int().min(1).max(16).default(2),
    /** How often each instance looks whether a run or a connector sync is due, in seconds. */
    tickSeconds: z.number().int().min(1).max(300).default(15),
  })
  .strict();

export type ScheduleSettings = z.infer<typeof scheduleSettingsSchema>;
