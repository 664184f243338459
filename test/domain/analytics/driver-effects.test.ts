import { describe, expect, it } from "vitest";
import { driverEffects, type FeaturePattern } from "../../../src/domain/analytics/driver-effects.ts";
import {
  type GeneratedCustomer,
  generateTouchpointCustomers,
  TOUCHPOINTS,
  TRUE_EFFECTS,
  trueRiskRatio,
} from "../../helpers/touchpoint-population.ts";

/** The customers as the SQL would hand them over: one pattern per (set of touchpoints, outcome). */
function patternsOf(customers: readonly GeneratedCustomer[]): FeaturePattern[] {
  const byKey = new Map<string, FeaturePattern>();
  for (const customer of customers) {
    const features = TOUCHPOINTS.flatMap((touchpoint, j) => (customer.touchpoints[touchpoint] ? [j] : []));
    const key = `${features.join(",")}/${customer.detractor}`;
    const pattern = byKey.get(key) ?? { features, positive: customer.detractor, customers: 0 };
    pattern.customers++;
    byKey.set(key, pattern);
  }
  return [...byKey.values()];
}

describe("driverEffects", () => {
  it("gives the fit of one row per customer from the patterns and their counts", () => {
    const customers = generateTouchpointCustomers(400, 7);
    const grouped = driverEffects(patternsOf(customers), TOUCHPOINTS.length);
    const expanded = driverEffects(
      customers.map((customer) => ({ ...patternsOf([customer])[0], customers: 1 }) as FeaturePattern),
      TOUCHPOINTS.length,
    );
    expect(grouped.customers).toBe(400);
    grouped.effects.forEach((effect, j) => {
      const other = expanded.effects[j];
      expect(effect.oddsRatio.estimate).toBeCloseTo(other?.oddsRatio.estimate ?? Number.NaN, 8);
      expect(effect.oddsRatio.upper).toBeCloseTo(other?.oddsRatio.upper ?? Number.NaN, 8);
      expect(effect.riskRatio.lower).toBeCloseTo(other?.riskRatio.lower ?? Number.NaN, 8);
      expect(effect.customers).toBe(other?.customers);
    });
  });

  it("counts the customers with and without each feature, and the outcomes among them", () => {
    const customers = generateTouchpointCustomers(300, 11);
    const fit = driverEffects(patternsOf(customers), TOUCHPOINTS.length);
    const slow = customers.filter((c) => c.touchpoints.slowReply);
    expect(fit.effects[0]).toMatchObject({
      customers: slow.length,
      positives: slow.filter((c) => c.detractor).length,
      customersWithout: 300 - slow.length,
      positivesWithout: customers.filter((c) => !c.touchpoints.slowReply && c.detractor).length,
    });
  });

  it("covers the true odds ratio and the true risk ratio about 95% of the time", () => {
    // 200 samples of 600 customers from the known model: each interval should miss about 5% of them.
    const samples = 200;
    const covered = TOUCHPOINTS.map(() => ({ odds: 0, risk: 0 }));
    for (let seed = 1; seed <= samples; seed++) {
      const customers = generateTouchpointCustomers(600, seed * 7919);
      const fit = driverEffects(patternsOf(customers), TOUCHPOINTS.length);
      TOUCHPOINTS.forEach((touchpoint, j) => {
        const effect = fit.effects[j];
        const count = covered[j];
        if (!effect || !count) throw new Error("missing effect");
        const odds = Math.exp(TRUE_EFFECTS[touchpoint]);
        if (effect.oddsRatio.lower <= odds && odds <= effect.oddsRatio.upper) count.odds++;
        const risk = trueRiskRatio(customers, touchpoint);
        if (effect.riskRatio.lower <= risk && risk <= effect.riskRatio.upper) count.risk++;
      });
    }
    for (const count of covered) {
      // The ridge penalty pulls effects a little towards none: coverage a shade under 95% is expected.
      expect(count.odds / samples).toBeGreaterThan(0.89);
      expect(count.odds / samples).toBeLessThan(0.995);
      expect(count.risk / samples).toBeGreaterThan(0.89);
      expect(count.risk / samples).toBeLessThan(0.995);
    }
  });

  it("gives a touchpoint without effect an interval that spans no effect, and the true drivers theirs", () => {
    const fit = driverEffects(patternsOf(generateTouchpointCustomers(3000, 2026)), TOUCHPOINTS.length);
    TOUCHPOINTS.forEach((touchpoint, j) => {
      const { riskRatio } = fit.effects[j] ?? { riskRatio: { lower: Number.NaN, upper: Number.NaN } };
      const spansNone = riskRatio.lower < 1 && riskRatio.upper > 1;
      expect([touchpoint, spansNone]).toEqual([touchpoint, TRUE_EFFECTS[touchpoint] === 0]);
    });
  });

  it("keeps a feature that separates the outcome finite, with a wide interval", () => {
    // Every customer with feature 0 had the outcome: the unpenalised estimate would be infinite.
    const patterns: FeaturePattern[] = [
      { features: [0], positive: true, customers: 15 },
      { features: [], positive: true, customers: 20 },
      { features: [], positive: false, customers: 60 },
    ];
    const [effect] = driverEffects(patterns, 1).effects;
    expect(Number.isFinite(effect?.oddsRatio.estimate)).toBe(true);
    expect(effect?.oddsRatio.estimate).toBeGreaterThan(10);
    // A risk cannot pass 1: at most 1 over the 20 in 80 of the others.
    expect(effect?.riskRatio.estimate).toBeLessThan(4);
    expect((effect?.oddsRatio.upper ?? 0) / (effect?.oddsRatio.lower ?? 1)).toBeGreaterThan(20);
  });
});
