// Every function of a fitted BG/NBD model must give an answer for any parameters the fit can return
// (its box: shapes in [1e-4, 1e4], α relative to the data) and any realistic history and horizon.
import gammaln from "@stdlib/math-base-special-gammaln";
import { describe, expect, it } from "vitest";
import {
  type BgNbdParameters,
  expectedTransactions,
  type PurchaseHistory,
  probabilityAlive,
  probabilityOfNoPurchase,
} from "../../../src/scoring/models/bg-nbd.ts";
import {
  expectedPurchasesByQuadrature,
  expectedPurchasesBySeries,
} from "../../../src/scoring/models/bg-nbd-expectation.ts";
import { SHAPE_BOUNDS } from "../../../src/scoring/models/bounded-search.ts";
import { customerLifetimeValue } from "../../../src/scoring/models/customer-lifetime-value.ts";
import { relativeError } from "./cdnow.ts";

const [LOWEST, HIGHEST] = SHAPE_BOUNDS;
const SHAPES = [LOWEST, 0.5, 20, HIGHEST];
/** α is bounded relative to the data's weeks per purchase; these span 1e-4 to 1e4 weeks. */
const ALPHAS = [1e-4, 1, 100, 1e4];
const HISTORIES: Record<string, PurchaseHistory> = {
  "bought for the first time today": { frequency: 0, recency: 0, age: 0 },
  "never came back in a year": { frequency: 0, recency: 0, age: 52 },
  "bought again last week": { frequency: 1, recency: 5, age: 6 },
  "bought twice in the first days of a 20-year history": { frequency: 2, recency: 0.3, age: 1000 },
  "buys every few days for 20 years": { frequency: 300, recency: 990, age: 1000 },
  "bought 50 times, last this week": { frequency: 50, recency: 1000, age: 1000 },
};
const HORIZONS = [1 / 7, 1, 4.35, 13, 52, 104, 260, 520];

function* grid(shapes = SHAPES, alphas = ALPHAS): Generator<BgNbdParameters> {
  for (const r of shapes)
    for (const alpha of alphas)
      for (const a of shapes)
        for (const b of shapes) {
          yield { r, alpha, a, b };
        }
}

/**
 * E[Y(t) | history] by counting purchases one by one, with no hypergeometric function and no
 * quadrature: given alive at T, λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x) independently; the number of
 * Poisson events N in (T, T+t] is negative binomial, and the k-th of them is a purchase if the
 * customer survived the k − 1 before it, with probability D_k = E[(1−p)^(k−1)] = Π_{i<k−1} (b'+i)/(a+b'+i).
 * So E[Y | alive] = Σ_j P(N = j) · (D_1 + … + D_j). Null when that takes more than `maxTerms` terms.
 */
function expectedTransactionsByCounting(
  params: BgNbdParameters,
  history: PurchaseHistory,
  weeks: number,
  maxTerms = 20_000,
): number | null {
  const shape = params.r + history.frequency;
  const posteriorB = params.b + history.frequency;
  const u = weeks / (params.alpha + history.age);
  const logZ = Math.log(u) - Math.log1p(u);
  const mean = shape * u;
  const spread = Math.sqrt(mean * (1 + u));
  const first = Math.max(0, Math.floor(mean - 40 * spread));
  const last = Math.ceil(mean + 40 * spread + 40 / -logZ);
  if (last - first > maxTerms || first > maxTerms) return null;
  let survival = 1; // D_k for the next k
  let survivingPurchases = 0; // D_1 + … + D_j
  const advance = (k: number) => {
    survivingPurchases += survival;
    survival *= (posteriorB + k - 1) / (params.a + posteriorB + k - 1);
  };
  for (let k = 1; k <= first; k++) advance(k);
  // P(N = j) from its logarithm at the first j, then by the ratio (s + j)/(j + 1) · z.
  let probability = Math.exp(
    gammaln(shape + first) - gammaln(shape) - gammaln(first + 1) - shape * Math.log1p(u) + first * logZ,
  );
  const z = Math.exp(logZ);
  let sum = 0;
  for (let j = first; j <= last; j++) {
    sum += probability * survivingPurchases;
    probability *= ((shape + j) / (j + 1)) * z;
    advance(j + 1);
  }
  return probabilityAlive(params, history) * sum;
}

describe("BG/NBD anywhere in the fit's box", () => {
  it("gives finite, consistent answers for every corner and in between, every history and horizon", () => {
    const failures: string[] = [];
    for (const params of grid()) {
      for (const [name, history] of Object.entries(HISTORIES)) {
        const where = `${JSON.stringify(params)}, ${name}`;
        const alive = probabilityAlive(params, history);
        if (!(alive >= 0 && alive <= 1)) failures.push(`${where}: P(alive) = ${alive}`);
        let previous = 0;
        let previousNone = 1;
        for (const weeks of HORIZONS) {
          const expected = expectedTransactions(params, history, weeks);
          const none = probabilityOfNoPurchase(params, history, weeks);
          // Without drop-out after T the customer would buy E[λ]·t = s·u; dropping out right after
          // the first purchase leaves P(N ≥ 1) = 1 − (1+u)^−s. The expectation lies between.
          const shape = params.r + history.frequency;
          const u = weeks / (params.alpha + history.age);
          const most = alive * shape * u;
          const least = alive * -Math.expm1(-shape * Math.log1p(u));
          if (!(Number.isFinite(expected) && expected >= 0))
            failures.push(`${where}, ${weeks} w: E = ${expected}`);
          if (expected < previous)
            failures.push(`${where}, ${weeks} w: E fell from ${previous} to ${expected}`);
          if (expected > most * (1 + 1e-12) || expected < least * (1 - 1e-12)) {
            failures.push(`${where}, ${weeks} w: E = ${expected} outside [${least}, ${most}]`);
          }
          if (!(none >= 0 && none <= previousNone)) failures.push(`${where}, ${weeks} w: P(none) = ${none}`);
          previous = expected;
          previousNone = none;
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("agrees with counting the purchases one by one, wherever that is feasible", () => {
    let compared = 0;
    let worst = 0;
    let worstCase = "";
    for (const params of grid()) {
      for (const [name, history] of Object.entries(HISTORIES)) {
        for (const weeks of HORIZONS) {
          const counted = expectedTransactionsByCounting(params, history, weeks);
          if (counted === null || counted === 0) continue;
          compared++;
          const error = relativeError(expectedTransactions(params, history, weeks), counted);
          if (!(error <= worst))
            [worst, worstCase] = [error, `${JSON.stringify(params)}, ${name}, ${weeks} w`];
        }
      }
    }
    expect(compared).toBeGreaterThan(10_000); // of 12,288: the rest would take too many terms
    expect(worst, worstCase).toBeLessThan(1e-9);
  });

  it("tends to the fixed-rate, fixed-drop-out model when every shape parameter is large", () => {
    // Gamma(r, α) with r = 1e4 is the rate r/α give or take 1 %; Beta(a, b) with a + b ≥ 1e4 is a/(a+b)
    // give or take 0.5 %. With λ and p fixed, a customer alive at T buys (1 − e^(−λpt))/p in t weeks.
    for (const rate of [0.02, 0.5, 3]) {
      for (const [a, b] of [
        [HIGHEST, HIGHEST],
        [HIGHEST, 1000],
        [1000, HIGHEST],
      ] as const) {
        const params = { r: HIGHEST, alpha: HIGHEST / rate, a, b };
        for (const history of Object.values(HISTORIES)) {
          const lambda = (params.r + history.frequency) / (params.alpha + history.age);
          const p = a / (a + b + history.frequency);
          for (const weeks of [1, 13, 52, 520]) {
            const limit = (probabilityAlive(params, history) * -Math.expm1(-lambda * p * weeks)) / p;
            const expected = expectedTransactions(params, history, weeks);
            if (limit > 1e-300) expect(relativeError(expected, limit)).toBeLessThan(2e-3);
            else expect(expected).toBeLessThan(1e-290);
          }
        }
      }
    }
  });

  it("gives the same expectation by FHL's series and by quadrature where the series applies", () => {
    let compared = 0;
    for (const r of [0.05, 0.24, 1, 3]) {
      for (const a of [0.2, 0.79, 1, 1.5, 4]) {
        for (const b of [0.3, 2.4, 10]) {
          for (const frequency of [0, 2, 40]) {
            for (const scaledHorizon of [0.01, 0.3, 3, 30]) {
              const input = { r, a, b, frequency, scaledHorizon };
              const series = expectedPurchasesBySeries(input);
              if (series === null) continue;
              compared++;
              expect(relativeError(expectedPurchasesByQuadrature(input), series)).toBeLessThan(1e-10);
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(400);
  });

  it("values every customer at the corners of the box over ten years, finitely", () => {
    const failures: string[] = [];
    for (const params of grid([LOWEST, HIGHEST], [1e-4, 1e4])) {
      for (const [name, history] of Object.entries(HISTORIES)) {
        const value = customerLifetimeValue(params, history, 25, {
          horizonMonths: 120,
          annualDiscountRate: 0.1,
        });
        if (!(Number.isFinite(value) && value >= 0))
          failures.push(`${JSON.stringify(params)}, ${name}: ${value}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
