// E[Y(t) | alive at T]: the purchases a BG/NBD customer who is still alive makes in the next t weeks,
// for any parameters a fit can return and any history. Given alive at T, the purchase rate is
// λ ~ Gamma(r + x, α + T) and the drop-out probability p ~ Beta(a, b + x), independently; for fixed p
// the expectation over λ is (1 − (1 + p·u)^−(r+x)) / p with u = t/(α + T), so
//
//   E[Y(t) | alive] = E over p ~ Beta(a, b + x) of h(p),   h(p) = (1 − (1 + p·u)^−(r+x)) / p.
//
// FHL's closed form (a 2F1 series) is exact and fast for moderate parameters and horizons, and is
// used there. It fails elsewhere: with large a, b or r the terms grow like e^(a·z) and overflow (a fit
// with little drop-out signal drifts exactly there), and as z = t/(α+T+t) nears 1 the series needs
// ~35/(1 − z) terms. There the expectation is integrated numerically, which works everywhere: h is
// smooth, positive, decreasing and never varies faster than 1/p, and in y = logit(p) the Beta density
// is log-concave with a known mode and width.
import { integrateAdaptively } from "./gauss-kronrod.ts";
import { hypergeometricPFQOrNull } from "./hypergeometric.ts";

/** Beyond about this many terms the integral (≈ 300 evaluations of h) is cheaper than the series. */
const SERIES_TERM_BUDGET = 2000;
/** Accept the series only if its final subtraction loses at most this factor of precision. */
const SERIES_MAX_CANCELLATION = 1e3;
const QUADRATURE_TOLERANCE = 1e-12;

export interface ConditionalExpectationInput {
  /** The fitted r, a, b (α enters through the scaled horizon). */
  r: number;
  a: number;
  b: number;
  /** x: repeat purchases so far. */
  frequency: number;
  /** u = t / (α + T): the horizon in units of the scale of λ's posterior. */
  scaledHorizon: number;
}

/**
 * E[Y(t) | alive at T]; finite and ≥ 0 for every positive finite input, 0 when u = 0, and
 * non-decreasing in the horizon. Near its limit E[1/p] (a > 1, long horizons) it is always taken from
 * the quadrature, which computes it as that limit minus a remainder, so that the two methods' last-bit
 * differences cannot make it decrease from one horizon to the next.
 */
export function expectedPurchasesIfAlive(input: ConditionalExpectationInput): number {
  if (input.scaledHorizon === 0) return 0;
  const series = expectedPurchasesBySeries(input);
  const nearLimit =
    series !== null && input.a > 1 && series >= (input.a + input.b + input.frequency - 1) / (input.a - 1) / 2;
  return series !== null && !nearLimit ? series : expectedPurchasesByQuadrature(input);
}

/**
 * FHL's eq. 10 after Euler's transformation (see expectedTransactions in bg-nbd.ts for the
 * derivation). Null when the series would overflow, need too many terms, or lose too many digits in
 * the final subtraction.
 */
export function expectedPurchasesBySeries(input: ConditionalExpectationInput): number | null {
  const { r, a, b, frequency: x, scaledHorizon: u } = input;
  const c = a + b + x - 1;
  const numerator = a + b - 1 - r;
  // Terms of 3F2(a+b−r, a, 1; c+1, 2; z) are all positive only when a + b > r.
  if (!(numerator + 1 > 0)) return null;
  const z = u / (1 + u);
  const logOneMinusZ = -Math.log1p(u);
  // The terms end up shrinking by a factor z each, so 1e-15 takes at least 35/ln(1/z) of them.
  if (35 > SERIES_TERM_BUDGET * Math.log1p(1 / u)) return null;
  const aMinusOne = a - 1;
  const firstPart = aMinusOne === 0 ? -logOneMinusZ : -Math.expm1(aMinusOne * logOneMinusZ) / aMinusOne;
  const series = hypergeometricPFQOrNull([numerator + 1, a, 1], [c + 1, 2], z, {
    maxTerms: SERIES_TERM_BUDGET,
  });
  if (series === null) return null;
  const head = c * firstPart;
  const tail = Math.exp(aMinusOne * logOneMinusZ) * numerator * z * series;
  const value = head - tail;
  if (!(Number.isFinite(value) && value > 0)) return null;
  if (Math.abs(head) + Math.abs(tail) > SERIES_MAX_CANCELLATION * value) return null;
  return value;
}

/**
 * The same expectation by quadrature over p. In y = logit(p) the Beta(a, b') weight p^a (1−p)^b' is
 * log-concave with its mode at ln(a/b') and curvature −ab'/(a+b'), so panels are laid out from the mode
 * in widths that double, plus breakpoints where h changes regime (p·u ≈ 1 and p·(r+x)·u ≈ 1). Below p₀
 * and above 1 − q₁, h is constant to 1e-16 relative, and the weight is integrated there in closed form
 * (a convergent series), which is what makes tiny a or b' (mass piled at 0 or 1) tractable. The result
 * is a ratio of integrals over the same nodes, so the Beta function is never formed.
 *
 * When a > 1 the expectation has a finite limit, E[1/p] = (a+b'−1)/(a−1), the purchases until drop-out.
 * Near it, E is computed as that limit minus E[(1 + p·u)^−(r+x) / p], which shrinks with the horizon:
 * evaluated directly, a saturated E would wobble in its last bit from one horizon to the next.
 */
export function expectedPurchasesByQuadrature(input: ConditionalExpectationInput): number {
  const { a, scaledHorizon: u } = input;
  const s = input.r + input.frequency;
  const b = input.b + input.frequency;
  const silent = (p: number) => Math.exp(-s * Math.log1p(p * u)); // P(no purchase | p) given alive
  const h = (p: number) => (p === 0 ? s * u : -Math.expm1(-s * Math.log1p(p * u)) / p);
  // h(0)·(1 − (s+1)·u·p/2) ≤ h(p) ≤ h(0), and p·h(p) increases, so |h′| ≤ h(1)/p² near p = 1.
  const p0 = Math.min(1e-16 / (1 + (s + 1) * u), 1e-3 / (1 + Math.abs(b - 1)));
  const q1 = Math.min(1e-16, 1e-3 / (1 + Math.abs(a - 1)));
  const lower = Math.log(p0) - Math.log1p(-p0);
  const upper = Math.log1p(-q1) - Math.log(q1);

  const mode = Math.log(a) - Math.log(b);
  const sigmaMode = 1 / (1 + Math.exp(-mode)); // σ(mode) = a/(a+b')
  const sigmaNotMode = 1 / (1 + Math.exp(mode));
  const peakLog = a * logSigmoid(mode) + b * logSigmoid(-mode);
  // ln of the weight relative to its peak, accurate near the peak even when a and b' are large.
  const logWeight = (y: number) =>
    -a * Math.log1p(sigmaNotMode * Math.expm1(mode - y)) - b * Math.log1p(sigmaMode * Math.expm1(y - mode));

  const saturates = a > 1;
  const integrand = (y: number, out: Float64Array) => {
    const weight = Math.exp(logWeight(y));
    const p = sigmoid(y);
    out[0] = weight * h(p);
    out[1] = weight;
    if (saturates) out[2] = (weight * silent(p)) / p;
  };
  const breakpoints = layOutPanels(lower, upper, mode, Math.sqrt(1 / a + 1 / b), logWeight, [
    -Math.log(u),
    -Math.log(s * u),
  ]);
  const lowerMass = Math.exp(logIncompleteBetaNearZero(a, b, p0) - peakLog);
  const upperMass = Math.exp(logIncompleteBetaNearZero(b, a, q1) - peakLog);
  const tailWeighted = h(0) * lowerMass + h(1) * upperMass;
  const limit = (a + b - 1) / (a - 1);
  const lowerRemainder = saturates ? Math.exp(logIncompleteBetaNearZero(a - 1, b, p0) - peakLog) : 0;
  const tailRemainder = lowerRemainder + silent(1) * upperMass;
  // Each integral's error counts against the whole it is part of: the remainder is only used when it
  // is below limit/2, so its error matters relative to the limit times the mass.
  const middle = integrateAdaptively(integrand, saturates ? 3 : 2, breakpoints, {
    tolerance: QUADRATURE_TOLERANCE,
    scale: (totals, k) => {
      const mass = lowerMass + (totals[1] as number) + upperMass;
      return k === 0 ? tailWeighted + (totals[0] as number) : k === 1 ? mass : limit * mass;
    },
  });
  const mass = lowerMass + (middle[1] as number) + upperMass;
  if (saturates) {
    const remainder = (tailRemainder + (middle[2] as number)) / mass;
    if (remainder < limit / 2) return limit - remainder;
  }
  return (tailWeighted + (middle[0] as number)) / mass;
}

/**
 * Breakpoints from `lower` to `upper`: the mode, then mode ± width·2^k until the integrand is
 * negligible (below e^−40 of the weight's peak, even after h's largest possible growth, a factor
 * e^|Δy| towards p = 0, as h decreases in p) and falling; one panel then covers the rest of that side.
 * The `extra` points are added where the integrand is not negligible.
 */
function layOutPanels(
  lower: number,
  upper: number,
  mode: number,
  width: number,
  logWeight: (y: number) => number,
  extra: readonly number[],
): number[] {
  const centre = Math.min(Math.max(mode, lower), upper);
  const logBound = (y: number) => logWeight(y) + Math.max(0, centre - y);
  // logBound is concave too, so a drop over the last half-step means it keeps dropping beyond.
  const negligible = (y: number) => logBound(y) < -40 && logBound(y) < logBound((y + centre) / 2) - 1;
  const points = [lower, centre, upper];
  for (let step = width; centre - step > lower; step *= 2) {
    points.push(centre - step);
    if (negligible(centre - step)) break;
  }
  for (let step = width; centre + step < upper; step *= 2) {
    points.push(centre + step);
    if (negligible(centre + step)) break;
  }
  for (const point of extra) if (point > lower && point < upper && logBound(point) > -40) points.push(point);
  return [...new Set(points)].sort((p, q) => p - q);
}

/** ln ∫₀^x t^(c−1) (1−t)^(d−1) dt for x·|d − 1| ≤ 1e-3: x^c Σₖ (1−d)ₖ/k! · x^k/(c+k). */
function logIncompleteBetaNearZero(c: number, d: number, x: number): number {
  let coefficient = 1;
  let sum = 1 / c;
  for (let k = 0; k < 60; k++) {
    coefficient *= ((k + 1 - d) / (k + 1)) * x;
    const term = coefficient / (c + k + 1);
    sum += term;
    if (Math.abs(term) <= 1e-17 * sum) break;
  }
  return c * Math.log(x) + Math.log(sum);
}

function sigmoid(y: number): number {
  return y >= 0 ? 1 / (1 + Math.exp(-y)) : Math.exp(y) / (1 + Math.exp(y));
}

function logSigmoid(y: number): number {
  return y >= 0 ? -Math.log1p(Math.exp(-y)) : y - Math.log1p(Math.exp(y));
}
