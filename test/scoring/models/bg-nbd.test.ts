import gammaln from "@stdlib/math-base-special-gammaln";
import { describe, expect, it } from "vitest";
import {
  type BgNbdParameters,
  bgNbdLogLikelihood,
  expectedTransactions,
  expectedTransactionsOfNewCustomer,
  fitBgNbd,
  type PurchaseHistory,
  probabilityAlive,
  probabilityOfNoPurchase,
} from "../../../src/scoring/models/bg-nbd.ts";
import { hypergeometric2F1 } from "../../../src/scoring/models/hypergeometric.ts";
import { PUBLISHED_BG_NBD, PUBLISHED_BG_NBD_LOG_LIKELIHOOD, readSummary, relativeError } from "./cdnow.ts";

/** FHL 2005's worked example: customer 1 of the CDNOW sample. */
const paperCustomer: PurchaseHistory = { frequency: 2, recency: 30.43, age: 38.86 };

/** ln L(x, t_x, T) for one customer. */
function logLikelihoodOf(params: BgNbdParameters, history: PurchaseHistory): number {
  return bgNbdLogLikelihood(params, [history]);
}

/** Composite Simpson's rule on [lo, hi] with an even number of intervals. */
function simpson(f: (v: number) => number, lo: number, hi: number, intervals = 4000): number {
  const h = (hi - lo) / intervals;
  let sum = f(lo) + f(hi);
  for (let i = 1; i < intervals; i++) sum += (i % 2 === 1 ? 4 : 2) * f(lo + i * h);
  return (sum * h) / 3;
}

/**
 * E[Y(t) | history] straight from the model, without any hypergeometric function: given alive at T,
 * λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x) independently, and E[Y(t) | λ, p] = (1 − e^(−λpt))/p,
 * so E[Y(t) | alive] = ∫ (1 − ((α+T)/(α+T+pt))^(r+x))/p · Beta(p; a, b+x) dp. A Beta exponent below 1
 * makes the density infinite at its end; p = v^(1/a) on [0, ½] (or 1 − p = w^(1/β) on [½, 1]) removes it.
 */
function expectedTransactionsByQuadrature(
  params: BgNbdParameters,
  history: PurchaseHistory,
  weeks: number,
): number {
  const { r, alpha, a, b } = params;
  const beta = b + history.frequency;
  const shape = r + history.frequency;
  const u = weeks / (alpha + history.age);
  const perPurchaseProbability = (p: number) =>
    p === 0 ? shape * u : -Math.expm1(-shape * Math.log1p(p * u)) / p;
  const low =
    a < 1
      ? simpson((v) => perPurchaseProbability(v ** (1 / a)) * (1 - v ** (1 / a)) ** (beta - 1), 0, 0.5 ** a) /
        a
      : simpson((p) => perPurchaseProbability(p) * p ** (a - 1) * (1 - p) ** (beta - 1), 0, 0.5);
  const high =
    beta < 1
      ? simpson(
          (w) => perPurchaseProbability(1 - w ** (1 / beta)) * (1 - w ** (1 / beta)) ** (a - 1),
          0,
          0.5 ** beta,
        ) / beta
      : simpson((p) => perPurchaseProbability(p) * p ** (a - 1) * (1 - p) ** (beta - 1), 0.5, 1);
  const betaFunction = Math.exp(gammaln(a) + gammaln(beta) - gammaln(a + beta));
  return (probabilityAlive(params, history) * (low + high)) / betaFunction;
}

describe("BG/NBD log-likelihood", () => {
  it("is the probability of no purchase in (0, T] for a customer who never bought again: (α/(α+T))^r", () => {
    const { r, alpha } = PUBLISHED_BG_NBD;
    expect(logLikelihoodOf(PUBLISHED_BG_NBD, { frequency: 0, recency: 0, age: 38.86 })).toBeCloseTo(
      r * Math.log(alpha / (alpha + 38.86)),
      12,
    );
  });

  it("sums the customers' terms, whatever the grouping of identical histories", () => {
    const histories = readSummary().slice(0, 200);
    const one = histories.reduce((sum, history) => sum + logLikelihoodOf(PUBLISHED_BG_NBD, history), 0);
    expect(bgNbdLogLikelihood(PUBLISHED_BG_NBD, histories)).toBeCloseTo(one, 8);
  });

  it("is about the published −9582.4 at the published estimates", () => {
    expect(bgNbdLogLikelihood(PUBLISHED_BG_NBD, readSummary())).toBeCloseTo(
      PUBLISHED_BG_NBD_LOG_LIKELIHOOD,
      0,
    );
  });

  it("keeps its digits when the parameters are large, as at the edge of the fit's box", () => {
    // 1,000 customers who never came back in the week since their first purchase: (α/(α+T))^r each.
    // With r = 1e4 and α = 1e8, r·ln α is 1.8e5 while the answer is about −0.1.
    const params = { r: 1e4, alpha: 1e8, a: 1e4, b: 1e4 };
    const silent = Array.from({ length: 1000 }, () => ({ frequency: 0, recency: 0, age: 1 }));
    const exact = -1000 * 1e4 * Math.log1p(1 / 1e8);
    expect(relativeError(bgNbdLogLikelihood(params, silent), exact)).toBeLessThan(1e-12);
  });

  it("refuses impossible histories and parameters", () => {
    expect(() => logLikelihoodOf(PUBLISHED_BG_NBD, { frequency: 2, recency: 40, age: 38 })).toThrow(
      RangeError,
    );
    expect(() => logLikelihoodOf(PUBLISHED_BG_NBD, { frequency: -1, recency: 0, age: 38 })).toThrow(
      RangeError,
    );
    expect(() => logLikelihoodOf(PUBLISHED_BG_NBD, { frequency: 1.5, recency: 2, age: 38 })).toThrow(
      RangeError,
    );
    expect(() => logLikelihoodOf({ ...PUBLISHED_BG_NBD, a: 0 }, paperCustomer)).toThrow(RangeError);
  });
});

describe("fitBgNbd", () => {
  const histories = readSummary();
  const fit = fitBgNbd(histories);

  it("reproduces FHL's CDNOW estimates r, α, a, b within 1 % and their log-likelihood", () => {
    for (const name of ["r", "alpha", "a", "b"] as const) {
      expect(relativeError(fit.parameters[name], PUBLISHED_BG_NBD[name]), name).toBeLessThan(0.01);
    }
    expect(fit.logLikelihood).toBeCloseTo(PUBLISHED_BG_NBD_LOG_LIKELIHOOD, 1);
    expect(fit.converged).toBe(true);
    expect(fit.atBound).toEqual([]);
    expect(fit.customersFitted).toBe(2357);
    expect(fit.iterations).toBeGreaterThan(0);
  });

  it("finds a higher likelihood than the published (rounded) estimates, as a maximum must", () => {
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgNbdLogLikelihood(PUBLISHED_BG_NBD, histories));
  });

  it("does not depend on the time unit: in days α is 7 times larger, r, a, b are unchanged", () => {
    const inDays = histories.map((h) => ({ frequency: h.frequency, recency: h.recency * 7, age: h.age * 7 }));
    const daily = fitBgNbd(inDays);
    expect(relativeError(daily.parameters.alpha, 7 * fit.parameters.alpha)).toBeLessThan(1e-5);
    for (const name of ["r", "a", "b"] as const) {
      expect(relativeError(daily.parameters[name], fit.parameters[name]), name).toBeLessThan(1e-5);
    }
    // λ^x is a density in time: each repeat purchase costs ln 7 when time is counted in days.
    const repeatPurchases = histories.reduce((sum, h) => sum + h.frequency, 0);
    expect(daily.logLikelihood).toBeCloseTo(fit.logLikelihood - repeatPurchases * Math.log(7), 4);
  });

  it("reaches the same optimum from a poor start", () => {
    const far = fitBgNbd(histories, { initial: { r: 5, alpha: 0.1, a: 8, b: 0.1 } });
    expect(far.converged).toBe(true);
    expect(far.logLikelihood).toBeCloseTo(fit.logLikelihood, 4);
  });

  it("needs at least one history", () => {
    expect(() => fitBgNbd([])).toThrow(RangeError);
  });
});

describe("probabilityAlive", () => {
  it("is 1 without repeat purchases: BG/NBD customers drop out only after a purchase", () => {
    expect(probabilityAlive(PUBLISHED_BG_NBD, { frequency: 0, recency: 0, age: 38.86 })).toBe(1);
  });

  it("is the share of the likelihood that is not explained by having dropped out after t_x", () => {
    // Once T is huge the 'still alive' term of the likelihood vanishes and only 'dropped out' remains.
    const whole = logLikelihoodOf(PUBLISHED_BG_NBD, paperCustomer);
    const droppedOut = logLikelihoodOf(PUBLISHED_BG_NBD, { ...paperCustomer, age: 1e13 });
    expect(probabilityAlive(PUBLISHED_BG_NBD, paperCustomer)).toBeCloseTo(
      1 - Math.exp(droppedOut - whole),
      10,
    );
  });

  it("rises with recency and falls as the silence since the last purchase grows", () => {
    const byRecency = [5, 15, 25, 35].map((recency) =>
      probabilityAlive(PUBLISHED_BG_NBD, { frequency: 3, recency, age: 38.86 }),
    );
    expect(byRecency).toEqual([...byRecency].sort((p, q) => p - q));
    const byAge = [31, 40, 60, 100].map((age) =>
      probabilityAlive(PUBLISHED_BG_NBD, { ...paperCustomer, age }),
    );
    expect(byAge).toEqual([...byAge].sort((p, q) => q - p));
  });
});

describe("expectedTransactions", () => {
  it("gives FHL's worked example: 1.226 purchases in the next 39 weeks for x=2, t_x=30.43, T=38.86", () => {
    expect(expectedTransactions(PUBLISHED_BG_NBD, paperCustomer, 39)).toBeCloseTo(1.226, 3);
  });

  it("equals the paper's formula evaluated with 2F1 directly", () => {
    const { r, alpha, a, b } = PUBLISHED_BG_NBD;
    const { frequency: x, age: T } = paperCustomer;
    for (const t of [1, 39, 104]) {
      const z = t / (alpha + T + t);
      const bracket =
        1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hypergeometric2F1(r + x, b + x, a + b + x - 1, z);
      const paper = ((a + b + x - 1) / (a - 1)) * bracket * probabilityAlive(PUBLISHED_BG_NBD, paperCustomer);
      expect(relativeError(expectedTransactions(PUBLISHED_BG_NBD, paperCustomer, t), paper)).toBeLessThan(
        1e-11,
      );
    }
  });

  it.for<[string, BgNbdParameters, PurchaseHistory, number]>([
    ["CDNOW, the paper's customer", PUBLISHED_BG_NBD, paperCustomer, 39],
    [
      "CDNOW, a frequent buyer over two years",
      PUBLISHED_BG_NBD,
      { frequency: 40, recency: 38, age: 39 },
      104,
    ],
    ["CDNOW, a new customer", PUBLISHED_BG_NBD, { frequency: 0, recency: 0, age: 0 }, 78],
    [
      "a = 1 exactly (the paper's 1/(a − 1) is singular)",
      { r: 0.5, alpha: 3, a: 1, b: 2 },
      { frequency: 3, recency: 20, age: 30 },
      52,
    ],
    ["a > 1", { r: 1.2, alpha: 10, a: 2.5, b: 6 }, { frequency: 5, recency: 25, age: 40 }, 20],
    [
      "x = 0 and a + b < 1 (2F1's c is negative)",
      { r: 0.3, alpha: 2, a: 0.4, b: 0.35 },
      { frequency: 0, recency: 0, age: 10 },
      30,
    ],
    [
      "x = 0 and a + b = 1 (2F1's c is 0)",
      { r: 0.3, alpha: 2, a: 0.4, b: 0.6 },
      { frequency: 0, recency: 0, age: 10 },
      30,
    ],
  ])("matches the model's defining integral: %s", ([, params, history, weeks]) => {
    const quadrature = expectedTransactionsByQuadrature(params, history, weeks);
    expect(relativeError(expectedTransactions(params, history, weeks), quadrature)).toBeLessThan(1e-7);
  });

  it("is continuous through a = 1", () => {
    const at = (a: number) => expectedTransactions({ r: 0.5, alpha: 3, a, b: 2 }, paperCustomer, 52);
    expect(relativeError(at(1 - 1e-9), at(1))).toBeLessThan(1e-8);
    expect(relativeError(at(1 + 1e-9), at(1))).toBeLessThan(1e-8);
  });

  it("is 0 over no time and grows with the horizon", () => {
    expect(expectedTransactions(PUBLISHED_BG_NBD, paperCustomer, 0)).toBe(0);
    const curve = [1, 4, 13, 26, 52, 104, 520].map((t) =>
      expectedTransactions(PUBLISHED_BG_NBD, paperCustomer, t),
    );
    for (let i = 1; i < curve.length; i++) expect(curve[i]).toBeGreaterThan(curve[i - 1] as number);
  });

  it("starts at the posterior purchase rate P(alive)·(r+x)/(α+T) per week", () => {
    const { r, alpha } = PUBLISHED_BG_NBD;
    const rate = (probabilityAlive(PUBLISHED_BG_NBD, paperCustomer) * (r + 2)) / (alpha + 38.86);
    expect(
      relativeError(expectedTransactions(PUBLISHED_BG_NBD, paperCustomer, 1e-6) / 1e-6, rate),
    ).toBeLessThan(1e-5);
  });

  it("refuses a negative horizon", () => {
    expect(() => expectedTransactions(PUBLISHED_BG_NBD, paperCustomer, -1)).toThrow(RangeError);
  });
});

describe("expectedTransactionsOfNewCustomer", () => {
  it("starts at the mean purchase rate r/α and matches the model's integral", () => {
    const { r, alpha } = PUBLISHED_BG_NBD;
    expect(
      relativeError(expectedTransactionsOfNewCustomer(PUBLISHED_BG_NBD, 1e-6) / 1e-6, r / alpha),
    ).toBeLessThan(1e-5);
    const newCustomer = { frequency: 0, recency: 0, age: 0 };
    expect(
      relativeError(
        expectedTransactionsOfNewCustomer(PUBLISHED_BG_NBD, 39),
        expectedTransactionsByQuadrature(PUBLISHED_BG_NBD, newCustomer, 39),
      ),
    ).toBeLessThan(1e-7);
  });
});

describe("probabilityOfNoPurchase", () => {
  it("is the likelihood of the history extended by t silent weeks over the likelihood of the history", () => {
    const base = logLikelihoodOf(PUBLISHED_BG_NBD, paperCustomer);
    for (const t of [1, 13, 39, 104]) {
      const silent = logLikelihoodOf(PUBLISHED_BG_NBD, { ...paperCustomer, age: paperCustomer.age + t });
      expect(probabilityOfNoPurchase(PUBLISHED_BG_NBD, paperCustomer, t)).toBeCloseTo(
        Math.exp(silent - base),
        12,
      );
    }
  });

  it("is 1 over no time and falls with the horizon towards 1 − P(alive)", () => {
    expect(probabilityOfNoPurchase(PUBLISHED_BG_NBD, paperCustomer, 0)).toBe(1);
    const curve = [1, 4, 13, 26, 52, 104].map((t) =>
      probabilityOfNoPurchase(PUBLISHED_BG_NBD, paperCustomer, t),
    );
    for (let i = 1; i < curve.length; i++) expect(curve[i]).toBeLessThan(curve[i - 1] as number);
    const dead = 1 - probabilityAlive(PUBLISHED_BG_NBD, paperCustomer);
    expect(probabilityOfNoPurchase(PUBLISHED_BG_NBD, paperCustomer, 1e12)).toBeCloseTo(dead, 10);
    expect(curve.every((p) => p > dead)).toBe(true);
  });

  it("is (α+T)/(α+T+t))^r for a customer without repeat purchases, who is surely alive", () => {
    const { r, alpha } = PUBLISHED_BG_NBD;
    expect(probabilityOfNoPurchase(PUBLISHED_BG_NBD, { frequency: 0, recency: 0, age: 20 }, 10)).toBeCloseTo(
      ((alpha + 20) / (alpha + 30)) ** r,
      14,
    );
  });

  it("keeps a tiny probability of having dropped out instead of rounding it away", () => {
    // Almost nobody drops out (a ≈ 0): P(dead) ≈ 6e-13, which 1 − P(alive) would round to 0 or to
    // a multiple of 1.1e-16. Over a million weeks the chance of no purchase while alive is ~1e-26.
    const params = { r: 2, alpha: 5, a: 1e-12, b: 3 };
    const history = { frequency: 4, recency: 30, age: 38 };
    const odds = (1e-12 / (3 + 4 - 1)) * ((5 + 38) / (5 + 30)) ** (2 + 4);
    const dead = odds / (1 + odds);
    expect(relativeError(probabilityOfNoPurchase(params, history, 1e6), dead)).toBeLessThan(1e-9);
  });
});

describe("MBG/NBD (a customer may also drop out after the first purchase)", () => {
  // Reference: the MBG/NBD log-likelihood (Batislam et al. 2007, as lifetimes' ModifiedBetaGeoFitter
  // writes it) maximised with SciPy's Nelder-Mead on the same CDNOW sample summary: r 0.52484,
  // α 6.18299, a 0.891356, b 1.61400, log-likelihood −9582.1327 (lifetimes documents 0.525, 6.183,
  // 0.891, 1.614). The probabilities and expectations below are SciPy's at those estimates.
  const reference: BgNbdParameters = {
    r: 0.52483792,
    alpha: 6.18299161,
    a: 0.89135621,
    b: 1.6139997,
    variant: "MBG",
  };

  it("fits the CDNOW sample to the reference estimates", () => {
    const fit = fitBgNbd(readSummary(), { variant: "MBG" });
    expect(fit.parameters.variant).toBe("MBG");
    for (const key of ["r", "alpha", "a", "b"] as const) {
      expect(relativeError(fit.parameters[key], reference[key])).toBeLessThan(2e-3);
    }
    expect(fit.logLikelihood).toBeCloseTo(-9582.132684899902, 2);
    expect(bgNbdLogLikelihood(reference, readSummary())).toBeCloseTo(-9582.132684899902, 3);
  });

  it("gives a silent one-time buyer a real chance of being gone, falling with the silence", () => {
    expect(probabilityAlive(reference, { frequency: 0, recency: 0, age: 10 })).toBeCloseTo(
      0.5221727564535019,
      8,
    );
    expect(probabilityAlive(reference, { frequency: 0, recency: 0, age: 38.86 })).toBeCloseTo(
      0.3897163754536421,
      8,
    );
    // BG/NBD, for contrast, keeps every one-time buyer alive for certain.
    expect(probabilityAlive({ ...reference, variant: "BG" }, { frequency: 0, recency: 0, age: 38.86 })).toBe(
      1,
    );
  });

  it("expects purchases as the reference does", () => {
    expect(probabilityAlive(reference, paperCustomer)).toBeCloseTo(0.7061262561065045, 8);
    expect(expectedTransactions(reference, paperCustomer, 39)).toBeCloseTo(1.2626707889608562, 6);
    expect(expectedTransactions(reference, { frequency: 0, recency: 0, age: 38.86 }, 39)).toBeCloseTo(
      0.1539536625728974,
      6,
    );
    expect(expectedTransactions(reference, { frequency: 0, recency: 0, age: 10 }, 39)).toBeCloseTo(
      0.48251584887447024,
      6,
    );
  });
});
