import gammaln from "@stdlib/math-base-special-gammaln";
import { describe, expect, it } from "vitest";
import {
  expectedAverageSpend,
  fitGammaGamma,
  gammaGammaLogLikelihood,
} from "../../../src/scoring/models/gamma-gamma.ts";
import { PUBLISHED_GAMMA_GAMMA, readSummaryWithSpend, relativeError } from "./cdnow.ts";

const spenders = readSummaryWithSpend().filter((row) => row.frequency > 0);

describe("Gamma-Gamma log-likelihood", () => {
  it("is a density of zbar: it integrates to 1 over zbar for any x", () => {
    // Substituting zbar = γ·u/(1 − u) maps (0, ∞) onto (0, 1).
    const { gamma } = PUBLISHED_GAMMA_GAMMA;
    for (const frequency of [1, 3, 12]) {
      const density = (u: number) => {
        if (u <= 0 || u >= 1) return 0;
        const zbar = (gamma * u) / (1 - u);
        const jacobian = gamma / (1 - u) ** 2;
        return (
          Math.exp(gammaGammaLogLikelihood(PUBLISHED_GAMMA_GAMMA, [{ frequency, averageSpend: zbar }])) *
          jacobian
        );
      };
      const intervals = 20_000;
      const h = 1 / intervals;
      let sum = 0;
      for (let i = 1; i < intervals; i++) sum += (i % 2 === 1 ? 4 : 2) * density(i * h);
      expect((sum * h) / 3, `x = ${frequency}`).toBeCloseTo(1, 6);
    }
  });

  it("ignores customers without repeat transactions", () => {
    const some = spenders.slice(0, 50);
    expect(gammaGammaLogLikelihood(PUBLISHED_GAMMA_GAMMA, [...some, { frequency: 0, averageSpend: 0 }])).toBe(
      gammaGammaLogLikelihood(PUBLISHED_GAMMA_GAMMA, some),
    );
  });

  it("tends to the Gamma density of one customer's spend when all customers are alike", () => {
    // q → ∞ with γ/q = m fixed: every customer's rate ν is q/γ = 1/m, so the mean of x transactions is
    // zbar ~ Gamma(px, rate x/m). At q = 1e12, q·ln γ is 3e13; the likelihood must still be right.
    const [p, m, q] = [3, 40, 1e12];
    const frequency = 2;
    const averageSpend = 55;
    const shape = p * frequency;
    const rate = frequency / m;
    const gammaDensity =
      shape * Math.log(rate) + (shape - 1) * Math.log(averageSpend) - rate * averageSpend - gammaln(shape);
    const logLikelihood = gammaGammaLogLikelihood({ p, q, gamma: q * m }, [{ frequency, averageSpend }]);
    expect(Math.abs(logLikelihood - gammaDensity)).toBeLessThan(1e-9);
  });

  it("refuses a repeat buyer whose repeat transactions have no positive value", () => {
    expect(() => gammaGammaLogLikelihood(PUBLISHED_GAMMA_GAMMA, [{ frequency: 2, averageSpend: 0 }])).toThrow(
      /positive amount/,
    );
  });
});

describe("fitGammaGamma", () => {
  const fit = fitGammaGamma(spenders);

  it("reproduces Fader & Hardie's p, q, γ on the 946 CDNOW repeat buyers within 1 %", () => {
    expect(fit.customersFitted).toBe(946);
    for (const name of ["p", "q", "gamma"] as const) {
      expect(relativeError(fit.parameters[name], PUBLISHED_GAMMA_GAMMA[name]), name).toBeLessThan(0.01);
    }
    expect(fit.converged).toBe(true);
    expect(fit.atBound).toEqual([]);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(
      gammaGammaLogLikelihood(PUBLISHED_GAMMA_GAMMA, spenders),
    );
  });

  it("skips customers without repeat transactions", () => {
    const withNonRepeaters = fitGammaGamma(readSummaryWithSpend());
    expect(withNonRepeaters.customersFitted).toBe(946);
    expect(withNonRepeaters.parameters.p).toBeCloseTo(fit.parameters.p, 6);
  });

  it("scales γ with the currency and leaves p and q alone", () => {
    const inCents = fitGammaGamma(
      spenders.map((s) => ({ frequency: s.frequency, averageSpend: s.averageSpend * 100 })),
    );
    expect(relativeError(inCents.parameters.gamma, 100 * fit.parameters.gamma)).toBeLessThan(1e-5);
    expect(relativeError(inCents.parameters.p, fit.parameters.p)).toBeLessThan(1e-5);
    expect(relativeError(inCents.parameters.q, fit.parameters.q)).toBeLessThan(1e-5);
  });

  it("holds q on its upper bound when customers are alike in spend, and keeps their mean spend", () => {
    // Everyone's mean repeat spend is 50 give or take a little noise that shrinks with x: the spread
    // is within customers, none between them, so q (their heterogeneity's shape) has no maximum.
    const alike = Array.from({ length: 400 }, (_, i) => {
      const frequency = 1 + (i % 6);
      return { frequency, averageSpend: 50 * (1 + (0.1 * Math.sin(i * 12.9898)) / Math.sqrt(frequency)) };
    });
    const fit = fitGammaGamma(alike);
    expect(fit.parameters.q).toBe(1e4);
    expect(fit.atBound).toEqual(["q"]);
    expect(fit.converged).toBe(true);
    expect(relativeError(expectedAverageSpend(fit.parameters, 0, 0), 50)).toBeLessThan(1e-3);
  });

  it("needs at least one repeat buyer", () => {
    expect(() => fitGammaGamma([{ frequency: 0, averageSpend: 0 }])).toThrow(RangeError);
  });

  it("gives the conditional spends the lifetimes package documents for CDNOW", () => {
    // lifetimes' Quickstart: customer 1 (x = 2, zbar = 22.35) 24.658619; no repeat purchase 35.170981.
    expect(relativeError(expectedAverageSpend(fit.parameters, 2, 22.35), 24.658619)).toBeLessThan(1e-5);
    expect(relativeError(expectedAverageSpend(fit.parameters, 0, 0), 35.170981)).toBeLessThan(1e-5);
    expect(relativeError(expectedAverageSpend(fit.parameters, 7, 73.74), 71.462843)).toBeLessThan(1e-5);
  });
});

describe("expectedAverageSpend", () => {
  const params = PUBLISHED_GAMMA_GAMMA;
  const populationMean = (params.p * params.gamma) / (params.q - 1);

  it("is the population mean pγ/(q − 1) for a customer without repeat purchases, whatever zbar says", () => {
    expect(expectedAverageSpend(params, 0, 0)).toBeCloseTo(populationMean, 12);
    expect(expectedAverageSpend(params, 0, 500)).toBeCloseTo(populationMean, 12);
  });

  it("shrinks the observed mean towards the population mean, less as transactions accumulate", () => {
    const zbar = 100;
    const estimates = [1, 2, 5, 20, 1000].map((x) => expectedAverageSpend(params, x, zbar));
    for (const estimate of estimates) {
      expect(estimate).toBeGreaterThan(populationMean);
      expect(estimate).toBeLessThan(zbar);
    }
    for (let i = 1; i < estimates.length; i++)
      expect(estimates[i]).toBeGreaterThan(estimates[i - 1] as number);
    expect(estimates[4]).toBeCloseTo(zbar, 0);
    // The weight on the customer's own mean is px / (px + q − 1).
    const weight = (params.p * 2) / (params.p * 2 + params.q - 1);
    expect(estimates[1]).toBeCloseTo(weight * zbar + (1 - weight) * populationMean, 10);
  });

  it("refuses to return an infinite mean when q ≤ 1, but answers for customers with enough purchases", () => {
    const heavyTailed = { p: 0.3, q: 0.8, gamma: 10 };
    expect(() => expectedAverageSpend(heavyTailed, 0, 0)).toThrow(/no finite mean/);
    expect(() => expectedAverageSpend(heavyTailed, 0.5, 10)).toThrow(RangeError);
    // p·x + q − 1 = 0.3 − 0.2 > 0 for x = 1 … but ≤ 0 would need p·x ≤ 0.2.
    expect(expectedAverageSpend(heavyTailed, 1, 20)).toBeCloseTo((0.3 * (10 + 20)) / (0.3 + 0.8 - 1), 10);
    expect(() => expectedAverageSpend({ p: 0.1, q: 0.8, gamma: 10 }, 2, 20)).toThrow(/no finite mean/);
  });
});
