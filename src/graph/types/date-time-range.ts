// The DateTimeRange input: a span of time used by list filters.
import { builder } from "../builder.ts";

export const DateTimeRange = builder.inputType("DateTimeRange", {
  description: "A span of time: from (inclusive) to (exclusive); either end may be left open.",
  fields: (t) => ({
    from: t.field({ type: "DateTime", description: "The start, inclusive." }),
    to: t.field({ type: "DateTime", description: "The end, exclusive." }),
  }),
});

/** A Prisma filter for a DateTime column, or undefined when the range is open on both ends. */
export function dateTimeFilter(range: { from?: Date | null; to?: Date | null } | null | undefined) {
  if (!range?.from && !range?.to) return undefined;
  return { gte: range.from ?? undefined, lt: range.to ?? undefined };
}
