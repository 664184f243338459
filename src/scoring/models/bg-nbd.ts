// The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy
// Way", Marketing Science 24(2); formulas as in their note "Implementing the BG/NBD Model for
// Customer Base Analysis in Excel"). While alive, a customer buys as a Poisson process with rate
// λ ~ Gamma(r, α); after every repeat purchase they drop out with probability p ~ Beta(a, b). From
// (x, t_x, T) alone it gives the probability a customer is still alive, how many purchases to
// expect, and the probability of none in a coming period: the churn risk.
//
// MBG/NBD (Batislam, Denizel & Filiztekin 2007, "Empirical validation and comparison of models for
// customer base analysis", IJRM 24(3)) is the same model with one change: a customer may also drop out
// right after their first purchase. So a one-time buyer who stays silent becomes less and less likely
// to be alive, where BG/NBD holds them alive for certain (P(alive) = 1 whatever their silence). Its
// formulas are BG/NBD's with the drop-out chance applied at x + 1 purchases instead of x; `variant`
// on the parameters says which model they belong to (stored models from before it are BG/NBD).
//
// Time is in WEEKS everywhere (recency, age, horizons, and so α, which is a rate scale): the
// published CDNOW parameters are in weeks, and a horizon in other units would silently be wrong.
import gammaln from "@stdlib/math-base-special-gammaln";
import { z } from "zod";
import { expectedPurchasesIfAlive } from "./bg-nbd-expectation.ts";
import { maximizeInBox, type ParameterBounds, SHAPE_BOUNDS } from "./bounded-search.ts";
import type { FitOptions, ModelFit } from "./model-fit.ts";

/** One customer's calibration-period history, in weeks since their first purchase. */
export interface PurchaseHistory {
  /** x: repeat purchases (purchase days after the first one). */
  frequency: number;
  /** t_x: weeks from the first purchase to the last one (0 when x = 0). */
  recency: number;
  /** T: weeks from the first purchase to the end of the calibration period. */
  age: number;
}

/**
 * λ ~ Gamma(shape r, rate α) purchases per week; p ~ Beta(a, b) drop-out after each purchase. Every
 * parameter is a positive, finite number; the schema reads them back from storage (ScoreModel.bgNbd).
 */
export const bgNbdParametersSchema = z.object({
  r: z.number().positive(),
  alpha: z.number().positive(),
  a: z.number().positive(),
  b: z.number().positive(),
  /** BG (the default, and every model stored before MBG existed) or MBG. */
  variant: z.enum(["BG", "MBG"]).optional(),
});
export type BgNbdParameters = z.infer<typeof bgNbdParametersSchema>;

/** Log-likelihood of the histories under the parameters (FHL 2005, eq. 6), summed over customers. */
export function bgNbdLogLikelihood(params: BgNbdParameters, histories: readonly PurchaseHistory[]): number {
  checkParameters(params);
  return createLogLikelihood(compressHistories(histories), params.variant === "MBG")(params);
}

/**
 * Maximum-likelihood estimates of r, α, a, b within the box: r, a, b in SHAPE_BOUNDS ([1e-4, 1e4])
 * and α in [1e-4, 1e4] × the data's weeks per repeat purchase (ΣT / Σx), so that the mean rate r/α can
 * match the data wherever r lies, and a fit in other time units moves the box with the data.
 * `atBound` names the parameters that ended on the box's edge.
 */
export function fitBgNbd(
  histories: readonly PurchaseHistory[],
  options: FitOptions<BgNbdParameters> & { variant?: "BG" | "MBG" } = {},
): ModelFit<BgNbdParameters> {
  if (histories.length === 0) throw new RangeError("Fitting BG/NBD needs at least one customer history.");
  const variant = options.variant ?? "BG";
  const likelihood = createLogLikelihood(compressHistories(histories), variant === "MBG");
  const logLikelihood = (params: BgNbdParameters) => likelihood(params);
  const start = defaultStart(histories);
  const initial = options.initial ?? start;
  checkParameters(initial);
  const [lower, upper] = SHAPE_BOUNDS;
  const bounds: ParameterBounds<BgNbdParameters> = {
    r: SHAPE_BOUNDS,
    alpha: [lower * start.alpha, upper * start.alpha],
    a: SHAPE_BOUNDS,
    b: SHAPE_BOUNDS,
  };
  const { variant: _, ...searched } = initial;
  const fit = maximizeInBox(logLikelihood, searched, bounds, options.optimizer);
  const parameters = variant === "MBG" ? { ...fit.parameters, variant } : fit.parameters;
  return { ...fit, parameters, customersFitted: histories.length };
}

/**
 * P(alive at T | x, t_x, T) = 1 / (1 + [x > 0] · a/(b + x − 1) · ((α + T)/(α + t_x))^(r + x)).
 * Exactly 1 when x = 0: in BG/NBD a customer can only drop out right after a repeat purchase.
 * MBG/NBD: 1 / (1 + a/(b + x) · ((α + T)/(α + t_x))^(r + x)), below 1 for every x.
 */
export function probabilityAlive(params: BgNbdParameters, history: PurchaseHistory): number {
  checkParameters(params);
  checkHistory(history);
  return 1 / (1 + Math.exp(logOddsDead(params, history)));
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] (FHL 2005, eq. 10). `weeks` = t.
 *
 * The paper writes it as P(alive) · (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x;
 * a+b+x−1; z)] with z = t/(α+T+t). Evaluated as written it divides by a − 1 (the published a is 0.79;
 * a = 1 is a removable singularity) and loses digits to cancellation. Euler's transformation
 * 2F1(A, B; C; z) = (1−z)^(C−A−B) 2F1(C−A, C−B; C; z) turns the bracket into 1 − u·2F1(a+b−1−r, a−1;
 * C; z) with u = (1−z)^(a−1); every term of that series after the first carries the factor a − 1, so
 * the bracket / (a − 1) is −expm1((a−1)·ln(1−z))/(a−1) − u·(a+b−1−r)·z/C·3F2(a+b−r, a, 1; C+1, 2; z):
 * no division by a − 1 or by C = a+b+x−1 (which is ≤ 0 when x = 0 and a + b ≤ 1) remains.
 * Where that series would overflow (large a, b or r), need thousands of terms (z near 1) or cancel
 * digits, the same expectation is integrated numerically over the drop-out probability instead (see
 * bg-nbd-expectation.ts), so any positive parameters and any horizon give a finite answer.
 */
export function expectedTransactions(
  params: BgNbdParameters,
  history: PurchaseHistory,
  weeks: number,
  memo?: ExpectationMemo,
): number {
  checkParameters(params);
  checkHistory(history);
  checkWeeks(weeks);
  if (weeks === 0) return 0;
  const ifAlive = memo
    ? memo.ifAlive(params, history.frequency, history.age, weeks)
    : purchasesIfAlive(params, history.frequency, weeks / (params.alpha + history.age));
  return ifAlive / (1 + Math.exp(logOddsDead(params, history)));
}

/** E[Y(t) | alive, x, T], a function of the parameters, x and u = t / (α + T) alone. */
function purchasesIfAlive(params: BgNbdParameters, frequency: number, scaledHorizon: number): number {
  // MBG/NBD's conditional expectation is BG/NBD's with b + 1: its 2F1(r+x, b+x+1; a+b+x; z) and
  // (a+b+x)/(a−1) are BG/NBD's 2F1(r+x, b'+x; a+b'+x−1; z) and (a+b'+x−1)/(a−1) at b' = b + 1.
  return expectedPurchasesIfAlive({
    r: params.r,
    a: params.a,
    b: params.variant === "MBG" ? params.b + 1 : params.b,
    frequency,
    scaledHorizon,
  });
}

/**
 * Remembers E[Y(t) | alive] — the hypergeometric series (or the quadrature), the costly part of an
 * expectation — by its inputs: the parameters, x, T and t. A rescore evaluates it for every customer
 * at the same few horizons (each month of the lifetime value, the churn horizon), and customers with
 * the same x and age share every one of them, so a run computes each once. The value is the one the
 * series gives for those exact inputs (u = t / (α + T) is computed as without the memo): remembered
 * or not, the result is the same number. It grows with the distinct (x, T) it sees, times the
 * horizons asked, up to `maxEntries` (x, T) pairs, when it starts again: one memo may serve many
 * rescores (a scheduled run's slices, each of which reads the model anew: parameters are compared by
 * value).
 */
export class ExpectationMemo {
  #params: BgNbdParameters | null = null;
  /** The horizons asked so far (weeks); a (x, T) entry holds its values in the same order. */
  readonly #horizons: number[] = [];
  /** x → T → values per horizon (NaN: not computed yet). */
  readonly #byFrequency = new Map<number, Map<number, number[]>>();
  #entries = 0;

  readonly maxEntries: number;

  constructor(maxEntries = 100_000) {
    this.maxEntries = maxEntries;
  }

  ifAlive(params: BgNbdParameters, frequency: number, age: number, weeks: number): number {
    if (this.#params !== params && !(this.#params && sameParameters(this.#params, params))) {
      // Another model: what was remembered was for the previous one.
      this.#forget();
    }
    // The same model read again (a new object): its values stand, and are looked up by this one.
    this.#params = params;
    let slot = this.#horizons.indexOf(weeks);
    if (slot < 0) slot = this.#horizons.push(weeks) - 1;
    let byAge = this.#byFrequency.get(frequency);
    if (!byAge) {
      byAge = new Map();
      this.#byFrequency.set(frequency, byAge);
    }
    let values = byAge.get(age);
    if (!values) {
      if (this.#entries >= this.maxEntries) {
        this.#forget();
        this.#params = params;
        return this.ifAlive(params, frequency, age, weeks);
      }
      values = [];
      byAge.set(age, values);
      this.#entries++;
    }
    let value = values[slot];
    if (value === undefined) {
      value = purchasesIfAlive(params, frequency, weeks / (params.alpha + age));
      while (values.length < slot) values.push(Number.NaN);
      values[slot] = value;
    } else if (Number.isNaN(value)) {
      value = purchasesIfAlive(params, frequency, weeks / (params.alpha + age));
      values[slot] = value;
    }
    return value;
  }

  #forget(): void {
    this.#params = null;
    this.#horizons.length = 0;
    this.#byFrequency.clear();
    this.#entries = 0;
  }
}

function sameParameters(left: BgNbdParameters, right: BgNbdParameters): boolean {
  return (
    left.r === right.r &&
    left.alpha === right.alpha &&
    left.a === right.a &&
    left.b === right.b &&
    (left.variant ?? "BG") === (right.variant ?? "BG")
  );
}

/** E[X(t)]: expected repeat purchases of a new customer in their first t weeks (FHL 2005, eq. 7). */
export function expectedTransactionsOfNewCustomer(params: BgNbdParameters, weeks: number): number {
  // Eq. 7 is eq. 10 for x = t_x = T = 0 (alive for sure, λ still distributed as its prior).
  return expectedTransactions(params, { frequency: 0, recency: 0, age: 0 }, weeks);
}

/**
 * P(no purchase in (T, T + t] | x, t_x, T) = (1 − P(alive)) + P(alive) · ((α+T)/(α+T+t))^(r+x).
 * Given alive at T, λ's posterior is Gamma(r + x, α + T) (the likelihood is λ^x e^(−λT)), and its
 * Laplace transform at t is the second factor; dropping out needs a purchase first, so "alive and no
 * purchase" is just "no Poisson event". Equal to 1 for t = 0, decreasing in t towards 1 − P(alive).
 */
export function probabilityOfNoPurchase(
  params: BgNbdParameters,
  history: PurchaseHistory,
  weeks: number,
): number {
  checkParameters(params);
  checkHistory(history);
  checkWeeks(weeks);
  const logOdds = logOddsDead(params, history);
  // 1 − P(alive) straight from the odds: subtracting P(alive) from 1 would lose it when P(alive) ≈ 1.
  const alive = 1 / (1 + Math.exp(logOdds));
  const dead = logOdds > 0 ? 1 / (1 + Math.exp(-logOdds)) : Math.exp(logOdds) / (1 + Math.exp(logOdds));
  const silentIfAlive = Math.exp(
    -(params.r + history.frequency) * Math.log1p(weeks / (params.alpha + history.age)),
  );
  return dead + alive * silentIfAlive;
}

/** ln of P(dead)/P(alive); −Infinity when x = 0 under BG/NBD. */
function logOddsDead(params: BgNbdParameters, history: PurchaseHistory): number {
  const { r, alpha, a, b } = params;
  const x = history.frequency;
  const modified = params.variant === "MBG";
  if (x === 0 && !modified) return Number.NEGATIVE_INFINITY;
  return (
    Math.log(a) -
    Math.log(modified ? b + x : b + x - 1) +
    (r + x) * (Math.log(alpha + history.age) - Math.log(alpha + history.recency))
  );
}

interface CompressedHistories {
  /** Distinct values of x, t_x and T: ln Γ terms depend on x alone, ln(α + t) on one time alone. */
  frequencies: Float64Array;
  recencies: Float64Array;
  ages: Float64Array;
  /** Per distinct (x, t_x, T): indexes into the distinct values, and how many customers share it. */
  frequencyIndex: Uint32Array;
  recencyIndex: Uint32Array;
  ageIndex: Uint32Array;
  weight: Float64Array;
  customers: number;
}

/**
 * Identical histories are one term of the likelihood times their count, and each distinct x, t_x and
 * T is one transcendental evaluation: CDNOW's 23,570 customers are 8,685 distinct histories over
 * about 100 ages and 300 recencies, so the fit costs a few exp/log per distinct history.
 */
function compressHistories(histories: readonly PurchaseHistory[]): CompressedHistories {
  const tuples = new Map<string, { frequency: number; recency: number; age: number; weight: number }>();
  histories.forEach((history, index) => {
    checkHistory(history, index);
    const recency = history.frequency === 0 ? 0 : history.recency; // t_x plays no part when x = 0
    const key = `${history.frequency}|${recency}|${history.age}`;
    const tuple = tuples.get(key);
    if (tuple) tuple.weight++;
    else tuples.set(key, { frequency: history.frequency, recency, age: history.age, weight: 1 });
  });
  const rows = [...tuples.values()];
  const frequencies = distinctValues(rows.map((row) => row.frequency));
  const recencies = distinctValues(rows.map((row) => row.recency));
  const ages = distinctValues(rows.map((row) => row.age));
  return {
    frequencies: frequencies.values,
    recencies: recencies.values,
    ages: ages.values,
    frequencyIndex: frequencies.index,
    recencyIndex: recencies.index,
    ageIndex: ages.index,
    weight: Float64Array.from(rows, (row) => row.weight),
    customers: histories.length,
  };
}

function distinctValues(column: readonly number[]): { values: Float64Array; index: Uint32Array } {
  const position = new Map<number, number>();
  for (const value of column) if (!position.has(value)) position.set(value, position.size);
  return {
    values: Float64Array.from(position.keys()),
    index: Uint32Array.from(column, (value) => position.get(value) ?? 0),
  };
}

/**
 * The log-likelihood as a function of the parameters over fixed data. Per customer (Excel note):
 * ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b) + ln(A₃ + [x > 0] A₄) with (MBG/NBD: B(a, b+x+1) and
 * A₄ for every x, with b+x in place of b+x−1)
 * A₃ = (α+T)^−(r+x), A₄ = a/(b+x−1) · (α+t_x)^−(r+x); the sum is taken in log space.
 * Returns −Infinity (never NaN) where the parameters make it undefined.
 *
 * It is summed so that large parameters do not cost digits (near the edge of the fit's box, ln Γ(b)
 * is 10⁵ and the likelihood's differences would drown in its rounding, leaving the search nothing
 * to converge on): the ln Γ differences are rising factorials, ln Γ(c+x) − ln Γ(c) = Σ_{j<x} ln(c+j),
 * and r ln α − (r+x) ln(α+t) is −r·log1p(t/α) − x·ln(α+t).
 */
function createLogLikelihood(
  data: CompressedHistories,
  modified: boolean,
): (params: BgNbdParameters) => number {
  const perFrequency = new Float64Array(data.frequencies.length);
  const logDropOut = new Float64Array(data.frequencies.length);
  const recencyTerms = new Float64Array(2 * data.recencies.length);
  const ageTerms = new Float64Array(2 * data.ages.length);
  const maxFrequency = data.frequencies.reduce((max, x) => Math.max(max, x), 0);
  // MBG/NBD's beta terms run to x + 1: B(a, b + x + 1) / B(a, b).
  const [risingR, risingB, risingAB] = [0, 1, 2].map(() => createLogRising(maxFrequency + 1)) as [
    LogRising,
    LogRising,
    LogRising,
  ];
  const timeTerms = (times: Float64Array, terms: Float64Array, alpha: number) => {
    for (let k = 0; k < times.length; k++) {
      const t = times[k] as number;
      terms[2 * k] = Math.log1p(t / alpha);
      terms[2 * k + 1] = Math.log(alpha + t);
    }
  };
  return ({ r, alpha, a, b }) => {
    if (!(r > 0 && alpha > 0 && a > 0 && b > 0 && Number.isFinite(r + alpha + a + b))) {
      return Number.NEGATIVE_INFINITY;
    }
    const logA = Math.log(a);
    const ofR = risingR(r);
    const ofB = risingB(b);
    const ofAB = risingAB(a + b);
    for (let j = 0; j < data.frequencies.length; j++) {
      const x = data.frequencies[j] as number;
      const dropOuts = modified ? x + 1 : x;
      perFrequency[j] = ofR(x) + ofB(dropOuts) - ofAB(dropOuts);
      logDropOut[j] = modified ? logA - Math.log(b + x) : x > 0 ? logA - Math.log(b + x - 1) : Number.NaN;
    }
    timeTerms(data.recencies, recencyTerms, alpha);
    timeTerms(data.ages, ageTerms, alpha);

    let total = 0;
    for (let i = 0; i < data.weight.length; i++) {
      const j = data.frequencyIndex[i] as number;
      const x = data.frequencies[j] as number;
      const age = 2 * (data.ageIndex[i] as number);
      const stillAlive = -r * (ageTerms[age] as number) - x * (ageTerms[age + 1] as number);
      let individual = stillAlive;
      if (x > 0 || modified) {
        const recency = 2 * (data.recencyIndex[i] as number);
        const droppedOut =
          (logDropOut[j] as number) -
          r * (recencyTerms[recency] as number) -
          x * (recencyTerms[recency + 1] as number);
        individual = logAddExp(stillAlive, droppedOut);
      }
      total += (data.weight[i] as number) * ((perFrequency[j] as number) + individual);
    }
    return Number.isNaN(total) ? Number.NEGATIVE_INFINITY : total;
  };
}

type LogRising = (c: number) => (x: number) => number;

/**
 * ln Γ(c + x) − ln Γ(c) for whole x: a running sum of ln(c + j) up to `maxFrequency` (or up to 1,000,
 * past which the ln Γ difference is used; such histories are rare and their parameters moderate).
 * The table is reused, so the function from one call is valid until the next.
 */
function createLogRising(maxFrequency: number): LogRising {
  const summed = Math.min(maxFrequency, 1000);
  const sums = new Float64Array(summed + 1);
  return (c) => {
    for (let j = 0; j < summed; j++) sums[j + 1] = (sums[j] as number) + Math.log(c + j);
    return (x) => (x <= summed ? (sums[x] as number) : gammaln(c + x) - gammaln(c));
  };
}

function logAddExp(p: number, q: number): number {
  const high = Math.max(p, q);
  if (high === Number.NEGATIVE_INFINITY) return high;
  return high + Math.log1p(Math.exp(Math.min(p, q) - high));
}

/** r = 1, α from the pooled purchase rate (so the start does not depend on the time unit), a = b = 1. */
function defaultStart(histories: readonly PurchaseHistory[]): BgNbdParameters {
  let purchases = 0;
  let weeks = 0;
  for (const history of histories) {
    purchases += history.frequency;
    weeks += history.age;
  }
  const alpha = purchases > 0 && weeks > 0 ? weeks / purchases : 1;
  return { r: 1, alpha, a: 1, b: 1 };
}

function checkParameters(params: BgNbdParameters): void {
  const { r, alpha, a, b } = params;
  // Checked on every evaluation (a rescore makes a dozen per customer): no array, no closure.
  if (!(positiveFinite(r) && positiveFinite(alpha) && positiveFinite(a) && positiveFinite(b))) {
    throw new RangeError(
      `BG/NBD parameters must be positive finite numbers; got r=${r}, α=${alpha}, a=${a}, b=${b}.`,
    );
  }
}

function positiveFinite(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}

function checkHistory(history: PurchaseHistory, index?: number): void {
  const { frequency, recency, age } = history;
  const valid =
    Number.isInteger(frequency) &&
    frequency >= 0 &&
    Number.isFinite(recency) &&
    Number.isFinite(age) &&
    recency >= 0 &&
    recency <= age;
  if (!valid) {
    const which = index === undefined ? "A purchase history" : `Purchase history ${index}`;
    throw new RangeError(
      `${which} is not a BG/NBD history: frequency must be a whole number ≥ 0 and 0 ≤ recency ≤ age (weeks); got x=${frequency}, t_x=${recency}, T=${age}.`,
    );
  }
}

function checkWeeks(weeks: number): void {
  if (!(Number.isFinite(weeks) && weeks >= 0)) {
    throw new RangeError(`A horizon must be a finite number of weeks ≥ 0; got ${weeks}.`);
  }
}
