// A young shop where nobody has lapsed yet: 400 customers who each buy at a steady pace, every 2 to 9
// weeks from their first purchase, until they have bought on 1 to 6 days or the 400-day calibration
// period ends. Nothing in such histories tells customers' drop-out probabilities apart, so BG/NBD's
// likelihood keeps rising as a and b grow together. The unbounded fit drifted to a ≈ 2.9e6 and
// b ≈ 8.5e6, where E[Y(t)] threw "The hypergeometric series overflowed after 64 terms" for every
// customer: one such fit made the whole base unscorable.
import { describe, expect, it } from "vitest";
import {
  bgNbdLogLikelihood,
  expectedTransactions,
  fitBgNbd,
  type PurchaseHistory,
  probabilityAlive,
  probabilityOfNoPurchase,
} from "../../../src/scoring/models/bg-nbd.ts";
import { SHAPE_BOUNDS } from "../../../src/scoring/models/bounded-search.ts";
import { customerLifetimeValue } from "../../../src/scoring/models/customer-lifetime-value.ts";
import { expectedAverageSpend, fitGammaGamma } from "../../../src/scoring/models/gamma-gamma.ts";

const CALIBRATION_DAYS = 400;

/** Deterministic: customer i's first day, number of purchase days and pace come from i alone. */
function youngShop(): Array<PurchaseHistory & { averageSpend: number }> {
  return Array.from({ length: 400 }, (_, i) => {
    const firstDay = (i * 37) % CALIBRATION_DAYS;
    const purchaseDays = 1 + (i % 6);
    const gapDays = 14 + ((i * 7) % 50);
    const days: number[] = [];
    for (let day = firstDay; day < CALIBRATION_DAYS && days.length < purchaseDays; day += gapDays)
      days.push(day);
    const lastDay = days[days.length - 1] as number;
    return {
      frequency: days.length - 1,
      recency: (lastDay - firstDay) / 7,
      age: (CALIBRATION_DAYS - firstDay) / 7,
      averageSpend: days.length > 1 ? 20 + (i % 9) * 5 : 0,
    };
  });
}

describe("a shop where nobody has lapsed yet", () => {
  const customers = youngShop();
  const fit = fitBgNbd(customers);
  const [lowest, highest] = SHAPE_BOUNDS;

  it("is fitted inside the box, with b on its upper bound, and the search converges", () => {
    const { r, alpha, a, b } = fit.parameters;
    for (const shape of [r, a, b]) {
      expect(shape).toBeGreaterThanOrEqual(lowest);
      expect(shape).toBeLessThanOrEqual(highest);
    }
    const weeksPerPurchase =
      customers.reduce((sum, c) => sum + c.age, 0) / customers.reduce((sum, c) => sum + c.frequency, 0);
    expect(alpha).toBeGreaterThanOrEqual(lowest * weeksPerPurchase);
    expect(alpha).toBeLessThanOrEqual(highest * weeksPerPurchase);
    expect(b).toBe(highest);
    expect(fit.atBound).toEqual(["b"]);
    expect(fit.converged).toBe(true);
    // Everyone is given about the same drop-out probability after each purchase.
    expect(a / (a + b)).toBeGreaterThan(0.2);
    expect(a / (a + b)).toBeLessThan(0.3);
  });

  it("stops at the bound although the likelihood still rises beyond it, for a gain of almost nothing", () => {
    const { a, b } = fit.parameters;
    const further = bgNbdLogLikelihood({ ...fit.parameters, a: a * 1000, b: b * 1000 }, customers);
    expect(further).toBeGreaterThan(fit.logLikelihood);
    expect(further - fit.logLikelihood).toBeLessThan(0.02);
  });

  it("scores every customer with the fitted model", () => {
    const spend = fitGammaGamma(customers);
    const failures: string[] = [];
    customers.forEach((customer, index) => {
      const alive = probabilityAlive(fit.parameters, customer);
      const nextYear = expectedTransactions(fit.parameters, customer, 52);
      const noneIn90Days = probabilityOfNoPurchase(fit.parameters, customer, 90 / 7);
      const perPurchase = expectedAverageSpend(spend.parameters, customer.frequency, customer.averageSpend);
      const value = customerLifetimeValue(fit.parameters, customer, perPurchase, {
        horizonMonths: 12,
        annualDiscountRate: 0.1,
      });
      const sane =
        alive >= 0 &&
        alive <= 1 &&
        Number.isFinite(nextYear) &&
        nextYear >= 0 &&
        noneIn90Days >= 0 &&
        noneIn90Days <= 1 &&
        Number.isFinite(value) &&
        value >= 0;
      if (!sane) failures.push(`customer ${index}: ${[alive, nextYear, noneIn90Days, value].join(", ")}`);
    });
    expect(failures).toEqual([]);
  });
});
