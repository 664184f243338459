import { describe, expect, it } from "vitest";
import { summarizePurchases } from "../../../src/scoring/models/purchase-summary.ts";
import { CALIBRATION_END, readSamplePurchases, readSummaryWithSpend } from "./cdnow.ts";

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe("summarizePurchases", () => {
  it("counts purchase days after the first, and values a day as the sum of its purchases", () => {
    const summary = summarizePurchases(
      [
        { at: new Date("2024-03-01T09:00:00Z"), amount: 10 },
        { at: new Date("2024-03-15T10:00:00Z"), amount: 20 },
        { at: new Date("2024-03-01T18:00:00Z"), amount: 5 },
        { at: new Date("2024-03-29T08:00:00Z"), amount: 30 },
        { at: new Date("2024-03-29T20:00:00Z"), amount: 10 },
        { at: new Date("2024-04-20T12:00:00Z"), amount: 999 }, // after asOf: not counted
      ],
      new Date("2024-04-05T23:59:59Z"),
    );
    expect(summary).toEqual({
      frequency: 2,
      recency: 4, // 28 days
      age: 5, // 35 days to asOf's day
      averageSpend: (20 + 40) / 2, // the first day's 15 is not a repeat transaction
      transactions: 3,
    });
  });

  it("uses UTC calendar days, not 24-hour spans or the server's zone", () => {
    const lateAndEarly = summarizePurchases(
      [
        { at: new Date("2024-03-01T23:30:00Z"), amount: 10 },
        { at: new Date("2024-03-02T00:30:00Z"), amount: 10 },
      ],
      day("2024-03-08"),
    );
    expect(lateAndEarly?.frequency).toBe(1);
    expect(lateAndEarly?.recency).toBeCloseTo(1 / 7, 12);
    const sameDay = summarizePurchases(
      [
        { at: new Date("2024-03-01T00:10:00Z"), amount: 10 },
        { at: new Date("2024-03-01T23:50:00Z"), amount: 10 },
      ],
      day("2024-03-08"),
    );
    expect(sameDay).toMatchObject({ frequency: 0, recency: 0, age: 1, averageSpend: 0, transactions: 1 });
  });

  it("counts purchases at or before the asOf instant only", () => {
    const purchases = [
      { at: day("2024-03-01"), amount: 10 },
      { at: new Date("2024-03-10T12:00:00Z"), amount: 10 },
    ];
    expect(summarizePurchases(purchases, new Date("2024-03-10T11:59:59Z"))?.frequency).toBe(0);
    expect(summarizePurchases(purchases, new Date("2024-03-10T12:00:00Z"))?.frequency).toBe(1);
  });

  it("returns null for a customer who had not bought anything by asOf", () => {
    expect(summarizePurchases([], day("2024-03-01"))).toBeNull();
    expect(summarizePurchases([{ at: day("2024-05-01"), amount: 10 }], day("2024-03-01"))).toBeNull();
  });

  it("gives T = 272/7 = 38.86 weeks for a CDNOW customer first seen on 1997-01-01", () => {
    const summary = summarizePurchases([{ at: day("1997-01-01"), amount: 11.77 }], CALIBRATION_END);
    expect(summary?.age).toBe(272 / 7);
    expect(summary?.age).toBeCloseTo(38.86, 2);
  });

  it("refuses invalid dates and amounts", () => {
    expect(() => summarizePurchases([{ at: new Date("nope"), amount: 1 }], day("2024-03-01"))).toThrow(
      RangeError,
    );
    expect(() =>
      summarizePurchases([{ at: day("2024-01-01"), amount: Number.NaN }], day("2024-03-01")),
    ).toThrow(RangeError);
    expect(() => summarizePurchases([], new Date("nope"))).toThrow(RangeError);
  });

  it("turns the raw CDNOW sample into exactly the published summaries", () => {
    const published = readSummaryWithSpend();
    const purchases = readSamplePurchases();
    expect(purchases.size).toBe(published.length);
    const within = (actual: number, expected: number) => Math.abs(actual - expected) <= 0.005 + 1e-9;
    const mismatches = published.filter((row) => {
      const summary = summarizePurchases(purchases.get(row.id) ?? [], CALIBRATION_END);
      return !(
        summary !== null &&
        summary.frequency === row.frequency &&
        within(summary.recency, row.recency) &&
        within(summary.age, row.age) &&
        within(summary.averageSpend, row.averageSpend)
      );
    });
    expect(mismatches).toEqual([]);
  });
});
