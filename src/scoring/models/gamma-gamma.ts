// The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV", Journal of
// Marketing Research 42(4); Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"). Each
// transaction's value is Gamma(shape p, rate ν) with ν ~ Gamma(shape q, rate γ) across customers, so
// a customer's mean of x repeat transactions, zbar, is Gamma(p·x, ν·x); the model shrinks that observed mean towards the
// population's, more for customers with few transactions. It assumes spend is independent of
// purchase frequency (check their correlation before trusting it), and values in one currency.
import gammaln from "@stdlib/math-base-special-gammaln";
import { z } from "zod";
import { maximizeInBox, type ParameterBounds, SHAPE_BOUNDS } from "./bounded-search.ts";
import type { FitOptions, ModelFit } from "./model-fit.ts";

/**
 * Shape p of a transaction's value; shape q and rate γ (in currency units) of the customer's rate ν.
 * Every parameter is a positive, finite number; the schema reads them back from ScoreModel.gammaGamma.
 */
export const gammaGammaParametersSchema = z.object({
  p: z.number().positive(),
  q: z.number().positive(),
  gamma: z.number().positive(),
});
export type GammaGammaParameters = z.infer<typeof gammaGammaParametersSchema>;

/** A customer with x ≥ 1 repeat transactions whose mean value was `averageSpend` (zbar > 0). */
export interface Spender {
  frequency: number;
  averageSpend: number;
}

/**
 * Log-likelihood of the spenders' mean repeat values (Fader & Hardie 2013), summed over customers:
 * ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln zbar + px ln x − (px+q) ln(γ + x·zbar).
 * Customers without repeat transactions carry no information on spend and are skipped.
 */
export function gammaGammaLogLikelihood(params: GammaGammaParameters, spenders: readonly Spender[]): number {
  checkParameters(params);
  return createLogLikelihood(compressSpenders(spenders))(params);
}

/**
 * Maximum-likelihood p, q, γ (searched over their logarithms) from the customers with x > 0; the
 * others are skipped and not counted. A repeat buyer whose mean repeat value is not positive (free
 * orders, refunds) is outside the model and makes this throw: leave such customers out.
 *
 * The search keeps p and q in SHAPE_BOUNDS ([1e-4, 1e4]) and γ in [1e-8, 1e8] × the mean observed
 * spend m: the population mean pγ/(q − 1) can then match m for any p and q in their box (γ/m ≈
 * (q − 1)/p), and a change of currency moves the box with the data. `atBound` names the parameters on
 * the edge: q on the upper bound means customers barely differ in their mean spend.
 */
export function fitGammaGamma(
  spenders: readonly Spender[],
  options: FitOptions<GammaGammaParameters> = {},
): ModelFit<GammaGammaParameters> {
  const data = compressSpenders(spenders);
  if (data.customers === 0) {
    throw new RangeError("Fitting Gamma-Gamma needs at least one customer with a repeat transaction.");
  }
  // p = 1, q = 2 make the population mean pγ/(q−1) equal γ; starting γ at the observed mean spend
  // keeps the start independent of the currency's scale.
  const initial = options.initial ?? { p: 1, q: 2, gamma: data.meanSpend };
  checkParameters(initial);
  const bounds: ParameterBounds<GammaGammaParameters> = {
    p: SHAPE_BOUNDS,
    q: SHAPE_BOUNDS,
    gamma: [1e-8 * data.meanSpend, 1e8 * data.meanSpend],
  };
  const fit = maximizeInBox(createLogLikelihood(data), initial, bounds, options.optimizer);
  return { ...fit, customersFitted: data.customers };
}

/**
 * E[M | x, zbar] = p(γ + x·zbar) / (px + q − 1): a weighted average of the population mean pγ/(q−1)
 * and the customer's own zbar, weighted px/(px + q − 1) towards the customer. For x = 0 (zbar is
 * ignored) it is the population mean. When q ≤ 1 the population mean is infinite (ν has too much mass
 * near 0), so for x = 0, or any x with px + q ≤ 1, there is no finite expectation and this throws a
 * RangeError rather than return Infinity into a CLV.
 */
export function expectedAverageSpend(
  params: GammaGammaParameters,
  frequency: number,
  averageSpend: number,
): number {
  checkParameters(params);
  if (!(Number.isInteger(frequency) && frequency >= 0)) {
    throw new RangeError(`A frequency must be a whole number of repeat transactions ≥ 0; got ${frequency}.`);
  }
  const { p, q, gamma } = params;
  const spend = frequency === 0 ? 0 : averageSpend;
  if (frequency > 0 && !(Number.isFinite(spend) && spend > 0)) {
    throw new RangeError(`The average repeat spend must be a positive amount; got ${averageSpend}.`);
  }
  const denominator = p * frequency + q - 1;
  if (!(denominator > 0)) {
    throw new RangeError(
      `With q = ${q} ≤ 1 the fitted spend distribution has no finite mean for a customer with ${frequency} repeat transaction(s); use a fallback (for example the observed mean spend) or refit on more data.`,
    );
  }
  return (p * (gamma + frequency * spend)) / denominator;
}

/**
 * The data reduced to what the likelihood needs: Σ ln zbar is summed once here; ln Γ terms depend on
 * x alone; only the terms in γ are per customer, and identical (x, zbar) pairs share them.
 */
interface CompressedSpenders {
  customers: number;
  meanSpend: number;
  /** Distinct x and how many customers have it. */
  frequencies: Float64Array;
  frequencyWeight: Float64Array;
  /** Σ ln zbar over customers. */
  sumLogSpend: number;
  /** Per distinct (x, zbar): x, x·zbar and how many customers share it. */
  rowFrequency: Float64Array;
  rowTotalSpend: Float64Array;
  rowWeight: Float64Array;
}

function compressSpenders(spenders: readonly Spender[]): CompressedSpenders {
  const rows = new Map<string, { frequency: number; totalSpend: number; weight: number }>();
  const frequencyWeight = new Map<number, number>();
  let customers = 0;
  let spendTotal = 0;
  let sumLogSpend = 0;
  spenders.forEach((spender, index) => {
    const { frequency, averageSpend } = spender;
    if (!(Number.isInteger(frequency) && frequency >= 0)) {
      throw new RangeError(`Spender ${index} has frequency ${frequency}; it must be a whole number ≥ 0.`);
    }
    if (frequency === 0) return;
    if (!(Number.isFinite(averageSpend) && averageSpend > 0)) {
      throw new RangeError(
        `Spender ${index} has an average repeat spend of ${averageSpend}; Gamma-Gamma needs a positive amount, so leave out customers whose repeat transactions have no positive value.`,
      );
    }
    customers++;
    spendTotal += averageSpend;
    sumLogSpend += Math.log(averageSpend);
    frequencyWeight.set(frequency, (frequencyWeight.get(frequency) ?? 0) + 1);
    const key = `${frequency}|${averageSpend}`;
    const row = rows.get(key);
    if (row) row.weight++;
    else rows.set(key, { frequency, totalSpend: frequency * averageSpend, weight: 1 });
  });
  const values = [...rows.values()];
  return {
    customers,
    meanSpend: customers > 0 ? spendTotal / customers : 1,
    frequencies: Float64Array.from(frequencyWeight.keys()),
    frequencyWeight: Float64Array.from(frequencyWeight.values()),
    sumLogSpend,
    rowFrequency: Float64Array.from(values, (row) => row.frequency),
    rowTotalSpend: Float64Array.from(values, (row) => row.totalSpend),
    rowWeight: Float64Array.from(values, (row) => row.weight),
  };
}

/**
 * −Infinity (never NaN) where the parameters make the likelihood undefined. Per customer it is
 * −ln B(px, q) − ln zbar − q·log1p(x·zbar/γ) − px·log1p(γ/(x·zbar)), the published form regrouped so
 * that no term is much larger than the result: near the edge of the fit's box (q or p of 1e4, γ in
 * proportion) q·ln γ alone is 10⁵, and the differences the search needs would drown in its rounding.
 */
function createLogLikelihood(data: CompressedSpenders): (params: GammaGammaParameters) => number {
  return ({ p, q, gamma }) => {
    if (!(p > 0 && q > 0 && gamma > 0 && Number.isFinite(p + q + gamma))) return Number.NEGATIVE_INFINITY;
    let total = -data.sumLogSpend;
    for (let j = 0; j < data.frequencies.length; j++) {
      const px = p * (data.frequencies[j] as number);
      total += (data.frequencyWeight[j] as number) * -logBeta(px, q);
    }
    for (let i = 0; i < data.rowWeight.length; i++) {
      const px = p * (data.rowFrequency[i] as number);
      const totalSpend = data.rowTotalSpend[i] as number;
      total -=
        (data.rowWeight[i] as number) *
        (q * Math.log1p(totalSpend / gamma) + px * Math.log1p(gamma / totalSpend));
    }
    return Number.isNaN(total) ? Number.NEGATIVE_INFINITY : total;
  };
}

/**
 * ln B(c, d) = ln Γ(c) + ln Γ(d) − ln Γ(c + d), with the larger argument's terms subtracted
 * analytically (Stirling's series for both, from 20 on): ln Γ(c + d) − ln Γ(c) for c ≥ 20 is
 * (c − ½)·log1p(d/c) + d·ln(c + d) − d + s(c + d) − s(c), s(z) = 1/(12z) − 1/(360z³) + 1/(1260z⁵) −
 * 1/(1680z⁷) (truncation below 1e-15), where ln Γ(c) alone would be large and cost its digits.
 */
function logBeta(c: number, d: number): number {
  const [large, small] = c >= d ? [c, d] : [d, c];
  if (large < 20) return gammaln(c) + gammaln(d) - gammaln(c + d);
  const stirling = (z: number) => {
    const inverseSquare = 1 / (z * z);
    return (1 / 12 - inverseSquare * (1 / 360 - inverseSquare * (1 / 1260 - inverseSquare / 1680))) / z;
  };
  const logRising =
    (large - 0.5) * Math.log1p(small / large) +
    small * Math.log(large + small) -
    small +
    stirling(large + small) -
    stirling(large);
  return gammaln(small) - logRising;
}

function checkParameters(params: GammaGammaParameters): void {
  const { p, q, gamma } = params;
  if (![p, q, gamma].every((value) => Number.isFinite(value) && value > 0)) {
    throw new RangeError(
      `Gamma-Gamma parameters must be positive finite numbers; got p=${p}, q=${q}, γ=${gamma}.`,
    );
  }
}
