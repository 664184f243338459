import { describe, expect, it } from "vitest";
import { expectedTransactions, type PurchaseHistory } from "../../../src/scoring/models/bg-nbd.ts";
import {
  AVERAGE_WEEKS_PER_MONTH,
  customerLifetimeValue,
  monthlyDiscountRate,
} from "../../../src/scoring/models/customer-lifetime-value.ts";
import { PUBLISHED_BG_NBD, relativeError } from "./cdnow.ts";

const paperCustomer: PurchaseHistory = { frequency: 2, recency: 30.43, age: 38.86 };

describe("monthlyDiscountRate", () => {
  it("compounds back to the annual rate over 12 months", () => {
    for (const annual of [0, 0.05, 0.1, 0.25]) {
      expect((1 + monthlyDiscountRate(annual)) ** 12 - 1).toBeCloseTo(annual, 14);
    }
    expect(monthlyDiscountRate(0.1)).toBeCloseTo(0.00797414043, 11);
  });

  it("refuses rates that make no sense", () => {
    expect(() => monthlyDiscountRate(-1)).toThrow(RangeError);
    expect(() => monthlyDiscountRate(Number.NaN)).toThrow(RangeError);
  });
});

describe("customerLifetimeValue", () => {
  it("reproduces the lifetimes Quickstart's CDNOW values (12 steps of 30 weeks, 1 % per step)", () => {
    // lifetimes' BG/NBD fit on CDNOW and the Gamma-Gamma spends it printed; its old default treated
    // the weekly data as daily, so a "month" there is 30 weeks. The values are from its Quickstart.
    const lifetimesFit = { r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752 };
    const options = { horizonMonths: 12, annualDiscountRate: 1.01 ** 12 - 1, weeksPerMonth: 30 };
    const cases: Array<[PurchaseHistory, number, number]> = [
      [paperCustomer, 24.658619, 140.096211],
      [{ frequency: 1, recency: 1.71, age: 38.86 }, 18.911489, 18.943467],
      [{ frequency: 0, recency: 0, age: 38.86 }, 35.170981, 38.180574],
      [{ frequency: 7, recency: 29.43, age: 38.86 }, 71.462843, 1003.868107],
      [{ frequency: 2, recency: 35.71, age: 38.86 }, 27.282408, 167.418216],
    ];
    for (const [history, spend, clv] of cases) {
      expect(relativeError(customerLifetimeValue(lifetimesFit, history, spend, options), clv)).toBeLessThan(
        1e-5,
      );
    }
  });

  it("without discounting is the expected purchases over the horizon times the spend", () => {
    const value = customerLifetimeValue(PUBLISHED_BG_NBD, paperCustomer, 25, {
      horizonMonths: 24,
      annualDiscountRate: 0,
    });
    const purchases = expectedTransactions(PUBLISHED_BG_NBD, paperCustomer, 24 * AVERAGE_WEEKS_PER_MONTH);
    expect(value).toBeCloseTo(purchases * 25, 10);
  });

  it("discounts each month's expected purchases by whole months", () => {
    const params = PUBLISHED_BG_NBD;
    const month = AVERAGE_WEEKS_PER_MONTH;
    const first = expectedTransactions(params, paperCustomer, month);
    const second = expectedTransactions(params, paperCustomer, 2 * month) - first;
    const factor = 1.1 ** (1 / 12);
    const value = customerLifetimeValue(params, paperCustomer, 10, {
      horizonMonths: 2,
      annualDiscountRate: 0.1,
    });
    expect(value).toBeCloseTo((10 * first) / factor + (10 * second) / factor ** 2, 12);
  });

  it("is worth less with a higher discount rate and more with a longer horizon", () => {
    const at = (horizonMonths: number, annualDiscountRate: number) =>
      customerLifetimeValue(PUBLISHED_BG_NBD, paperCustomer, 30, { horizonMonths, annualDiscountRate });
    expect(at(12, 0.2)).toBeLessThan(at(12, 0.05));
    expect(at(24, 0.1)).toBeGreaterThan(at(12, 0.1));
    expect(at(0, 0.1)).toBe(0);
  });

  it("refuses a fractional horizon or a non-finite spend", () => {
    const base = { horizonMonths: 12, annualDiscountRate: 0.1 };
    expect(() =>
      customerLifetimeValue(PUBLISHED_BG_NBD, paperCustomer, 30, { ...base, horizonMonths: 1.5 }),
    ).toThrow(RangeError);
    expect(() =>
      customerLifetimeValue(PUBLISHED_BG_NBD, paperCustomer, Number.POSITIVE_INFINITY, base),
    ).toThrow(RangeError);
  });
});
