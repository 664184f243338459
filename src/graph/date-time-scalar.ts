// The DateTime scalar: graphql-scalars' RFC 3339 date-time, limited to the years a real event can
// have. Year 0 and the like parse as dates but are no moment the hub records; PostgreSQL and the
// scores would stumble on them later, so they are refused where they arrive, with a typed error.
import { GraphQLError, GraphQLScalarType } from "graphql";
import { DateTimeResolver } from "graphql-scalars";
import { isoDateText } from "./iso-date-text.ts";

export const EARLIEST_DATE_TIME = new Date("1900-01-01T00:00:00.000Z");
export const LATEST_DATE_TIME = new Date("9999-12-31T23:59:59.999Z");

function withinRange(date: Date): Date {
  if (date < EARLIEST_DATE_TIME || date > LATEST_DATE_TIME) {
    throw new GraphQLError(
      `${date.toISOString()} is not a moment the hub records: a DateTime lies between 1900-01-01 and 9999-12-31; send the real date.`,
      { extensions: { code: "BAD_USER_INPUT" } },
    );
  }
  return date;
}

/**
 * Answers carry the instant as its RFC 3339 text (what Date's toJSON gives), not the Date itself:
 * JSON.stringify calls toJSON on every Date it meets, off its fast path, about a microsecond each on
 * Node 20 (issue 15: a list page's 114 dates were nearly two thirds of its serialization time).
 */
function serializeDateTime(value: unknown): string {
  if (value instanceof Date) {
    const time = value.getTime();
    // An invalid Date (NaN) is graphql-scalars' to refuse.
    if (!Number.isNaN(time)) return isoDateText(time);
  }
  return (DateTimeResolver.serialize(value) as Date).toISOString();
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  ...DateTimeResolver.toConfig(),
  serialize: serializeDateTime,
  parseValue: (value) => withinRange(DateTimeResolver.parseValue(value)),
  parseLiteral: (ast, variables) => withinRange(DateTimeResolver.parseLiteral(ast, variables)),
});
