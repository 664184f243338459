// The DateTime scalar answers with the instant's RFC 3339 text, exactly what a Date gave through
// JSON.stringify before, and refuses what is no moment as it did.
import { GraphQLError } from "graphql";
import { DateTimeResolver } from "graphql-scalars";
import { describe, expect, test } from "vitest";
import { DateTimeScalar } from "../../src/graph/date-time-scalar.ts";

describe("DateTime in answers", () => {
  test("a Date is answered as the text its JSON form has", () => {
    for (const date of [
      new Date("2026-11-23T09:30:00.000Z"),
      new Date("1997-02-16T11:31:02.556Z"),
      new Date(Date.UTC(1900, 0, 1)),
    ]) {
      const answered = DateTimeScalar.serialize(date);
      expect(answered).toBe(date.toISOString());
      expect(JSON.stringify({ at: answered })).toBe(JSON.stringify({ at: date }));
    }
  });

  test("text and epoch milliseconds from a resolver are answered as graphql-scalars reads them, in UTC", () => {
    expect(DateTimeScalar.serialize("2026-11-23T10:30:00+01:00")).toBe("2026-11-23T09:30:00.000Z");
    expect(DateTimeScalar.serialize(Date.UTC(2026, 10, 23, 9, 30))).toBe("2026-11-23T09:30:00.000Z");
    expect(DateTimeScalar.serialize("2026-11-23T10:30:00+01:00")).toBe(
      (DateTimeResolver.serialize("2026-11-23T10:30:00+01:00") as Date).toISOString(),
    );
  });

  test("an invalid Date or text is refused with a GraphQL error, not answered", () => {
    expect(() => DateTimeScalar.serialize(new Date(Number.NaN))).toThrow(GraphQLError);
    expect(() => DateTimeScalar.serialize("yesterday")).toThrow(GraphQLError);
    expect(() => DateTimeScalar.serialize({})).toThrow(GraphQLError);
  });
});
