import { describe, expect, it } from "vitest";
import {
  crossValidatedPredictions,
  fitLogisticRegression,
  predictLogistic,
} from "../../../src/domain/statistics/logistic-regression.ts";

// 60 rows of two informative features and a constant one; labels from a fixed rule with a
// pseudo-random term, so the classes overlap and the maximum is finite.
const rows = Array.from({ length: 60 }, (_, i) => [i % 7, ((i * 3) % 5) - 2, 1]);
const labels = rows.map(
  (_, i) => (i % 7) * 0.6 - (((i * 3) % 5) - 2) * 0.8 + (((i * 13) % 11) - 5) * 0.5 > 1.2,
);

describe("fitLogisticRegression", () => {
  it("matches scikit-learn's LogisticRegression(C=1) on standardised features", () => {
    // Reference: scikit-learn 1.2.1 (Debian python3-sklearn), the features standardised with their
    // population standard deviation and the coefficients mapped back to the original scale.
    const fit = fitLogisticRegression(rows, labels);
    expect(fit.converged).toBe(true);
    expect(fit.intercept).toBeCloseTo(-1.506433382056446, 4);
    expect(fit.coefficients[0]).toBeCloseTo(0.62719429, 4);
    expect(fit.coefficients[1]).toBeCloseTo(-0.63293354, 4);
  });

  it("gives the covariance of the estimates as scikit-learn's fit and numpy's inverse penalised Hessian do", () => {
    // Reference: the scikit-learn fit above (tol 1e-12), the Hessian of its penalised log-likelihood at
    // the optimum in the standardised features, inverted by numpy and mapped back to the original scale.
    const reference = [
      [0.30539343, -0.07876719, 0.03174729],
      [-0.07876719, 0.02991492, -0.01337539],
      [0.03174729, -0.01337539, 0.05309348],
    ];
    const fit = fitLogisticRegression(rows, labels);
    const k = 4; // intercept and three features, the constant one among them
    for (const [a, b] of [
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 1],
      [1, 2],
      [2, 2],
    ] as const)
      expect(fit.covariance[a * k + b]).toBeCloseTo(reference[a]?.[b] ?? Number.NaN, 5);
    // The constant feature has no variance and no covariance.
    for (let a = 0; a < k; a++) expect(fit.covariance[a * k + 3]).toBe(0);
  });

  it("weighs a row by its count as that many identical rows", () => {
    const doubled = fitLogisticRegression(
      [...rows, ...rows.slice(0, 10)],
      [...labels, ...labels.slice(0, 10)],
    );
    const weighted = fitLogisticRegression(rows, labels, {
      weights: rows.map((_, i) => (i < 10 ? 2 : 1)),
    });
    expect(weighted.intercept).toBeCloseTo(doubled.intercept, 10);
    expect(weighted.coefficients.map((c) => c.toFixed(10))).toEqual(
      doubled.coefficients.map((c) => c.toFixed(10)),
    );
    expect([...weighted.covariance].map((c) => c.toFixed(10))).toEqual(
      [...doubled.covariance].map((c) => c.toFixed(10)),
    );
  });

  it("gives a feature that never varies the weight 0", () => {
    expect(fitLogisticRegression(rows, labels).coefficients[2]).toBe(0);
  });

  it("is calibrated in the large: the fitted probabilities average to the observed rate", () => {
    const fit = fitLogisticRegression(rows, labels);
    const mean = rows.reduce((sum, row) => sum + predictLogistic(fit, row), 0) / rows.length;
    expect(mean).toBeCloseTo(labels.filter(Boolean).length / labels.length, 8);
  });

  it("refuses rows and labels of different lengths", () => {
    expect(() => fitLogisticRegression(rows, labels.slice(1))).toThrow(/one label per row/);
  });
});

describe("crossValidatedPredictions", () => {
  it("predicts each row with a fit that did not see it", () => {
    const outOfFold = crossValidatedPredictions(rows, labels, 5);
    const inSample = fitLogisticRegression(rows, labels);
    expect(outOfFold).toHaveLength(rows.length);
    for (const p of outOfFold) expect(p).toBeGreaterThan(0);
    // Out-of-fold predictions differ from in-sample ones: each fold's fit lacks a fifth of the rows.
    const differences = rows.map((row, i) =>
      Math.abs((outOfFold[i] as number) - predictLogistic(inSample, row)),
    );
    expect(Math.max(...differences)).toBeGreaterThan(1e-3);
  });
});
