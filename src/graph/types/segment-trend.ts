// A segment's size over time: the counts the daily job recorded, under the reader's visibility.
import { visibleOwnerId } from "../../auth/visibility.ts";
import { type SegmentCountPoint, segmentTrend } from "../../domain/segments/segment-counts.ts";
import { builder } from "../builder.ts";
import { DateTimeRange } from "./date-time-range.ts";
import { SegmentNode } from "./segment.ts";

const SegmentCountPointRef = builder.objectRef<SegmentCountPoint>("SegmentCountPoint").implement({
  description: "A segment's size on one day, as the daily count recorded it.",
  fields: (t) => ({
    day: t.exposeString("day", {
      description: "The calendar day counted (YYYY-MM-DD, in the schedule's time zone).",
    }),
    members: t.exposeInt("members", {
      description: "Its members that day, among the customers you may see.",
    }),
    countedAt: t.expose("countedAt", { type: "DateTime", description: "When the count was taken." }),
  }),
});

/** The UTC calendar date of an instant: the day a period's end falls on. */
const utcDay = (instant: Date | null | undefined) => instant?.toISOString().slice(0, 10);

builder.objectFields(SegmentNode, (t) => ({
  trend: t.field({
    type: [SegmentCountPointRef],
    description:
      "How many members it had on each day the daily count ran (schedule.segmentCounts, 00:15 by default), oldest first: the days from period.from's date to before period.to's date (UTC dates). Days before the segment existed, or when the count did not run, are absent.",
    args: {
      period: t.arg({
        type: DateTimeRange,
        required: true,
        description: "Which days; either end may be open.",
      }),
    },
    resolve: (segment, { period }, context) =>
      segmentTrend(context.prisma, segment.id, visibleOwnerId(context.viewer), {
        from: utcDay(period.from),
        to: utcDay(period.to),
      }),
  }),
}));
