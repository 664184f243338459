// isoDateText writes exactly what Date.prototype.toISOString writes, for every kind of instant: across
// leap days and century years, before 1970 and year 0, at the last millisecond of 9999, and (through
// toISOString itself) past the four-digit years.
import { describe, expect, test } from "vitest";
import { isoDateText } from "../../src/graph/iso-date-text.ts";

const same = (ms: number) => expect(isoDateText(ms), String(ms)).toBe(new Date(ms).toISOString());

describe("isoDateText", () => {
  test("writes the edges of days, months, years and eras as toISOString does", () => {
    for (const text of [
      "1970-01-01T00:00:00.000Z",
      "1969-12-31T23:59:59.999Z",
      "1900-01-01T00:00:00.000Z",
      "1900-02-28T23:59:59.999Z",
      "1900-03-01T00:00:00.000Z",
      "2000-02-29T12:00:00.001Z",
      "2000-03-01T00:00:00.000Z",
      "2024-02-29T23:59:59.999Z",
      "2100-03-01T00:00:00.000Z",
      "1997-02-16T11:31:02.556Z",
      "0000-01-01T00:00:00.000Z",
      "0000-02-29T00:00:00.000Z",
      "0999-12-31T23:59:59.999Z",
      "9999-12-31T23:59:59.999Z",
    ]) {
      expect(isoDateText(Date.parse(text))).toBe(text);
    }
  });

  test("leaves years outside 0000-9999 to toISOString, sign and six digits", () => {
    for (const ms of [
      Date.parse("0000-01-01T00:00:00.000Z") - 1,
      Date.parse("+010000-01-01T00:00:00.000Z"),
      -8.64e15,
      8.64e15,
    ]) {
      same(ms);
    }
    expect(isoDateText(Date.parse("+010000-01-01T00:00:00.000Z"))).toBe("+010000-01-01T00:00:00.000Z");
  });

  test("agrees with toISOString on 50,000 instants spread over years 0000-9999", () => {
    // xorshift32 from a fixed seed: the same instants on every run, any millisecond of any day.
    let state = 20_261_207;
    const next = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state >>> 0;
    };
    const firstDay = Date.parse("0000-01-01T00:00:00.000Z") / 86_400_000;
    const days = Date.parse("+010000-01-01T00:00:00.000Z") / 86_400_000 - firstDay;
    const differing: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const ms = (firstDay + (next() % days)) * 86_400_000 + (next() % 86_400_000);
      const expected = new Date(ms).toISOString();
      if (isoDateText(ms) !== expected) differing.push(`${ms}: ${isoDateText(ms)} instead of ${expected}`);
    }
    expect(differing).toEqual([]);
  });
});
