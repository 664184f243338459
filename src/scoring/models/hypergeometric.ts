// Generalized hypergeometric series pFq with p = q + 1, summed term by term for |z| < 1. The BG/NBD
// conditional expectation needs the Gaussian 2F1 at z = t/(α+T+t) ∈ [0, 1), and a 3F2 that lets it
// divide the singular factor 1/(a − 1) out exactly (see bg-nbd.ts).
//
// Each term follows from the previous one by a ratio, so no factorial or Pochhammer symbol is ever
// formed, and the sum stops only when a rigorous bound on the whole remaining tail is below the
// tolerance: a small term alone is not enough (with a tiny numerator parameter the first terms can
// be tiny and the later ones large).

export interface HypergeometricOptions {
  /** Relative accuracy wanted for the sum. Default 1e-15. */
  tolerance?: number;
  /** Give up (and throw) after this many terms. Default 1,000,000 (z = 0.9999 needs about 400,000). */
  maxTerms?: number;
}

/** The series did not converge within `maxTerms`; the message says what to change. */
export class HypergeometricConvergenceError extends Error {
  override name = "HypergeometricConvergenceError";
}

/**
 * Σₙ [Πᵢ (aᵢ)ₙ / Πⱼ (bⱼ)ₙ] zⁿ / n!  for numerators a (length q + 1), denominators b (length q), |z| < 1.
 * Throws RangeError when a denominator is 0 or a negative integer (the series is undefined) or z is
 * outside (−1, 1), and HypergeometricConvergenceError when the tail cannot be bounded in time.
 */
export function hypergeometricPFQ(
  numerators: readonly number[],
  denominators: readonly number[],
  z: number,
  options: HypergeometricOptions = {},
): number {
  checkArguments(numerators, denominators, z);
  const outcome = sumSeries(numerators, denominators, z, options);
  if (outcome.kind === "sum") return outcome.sum;
  if (outcome.kind === "overflow") {
    const all = [...numerators, ...denominators, z];
    throw new HypergeometricConvergenceError(
      `The hypergeometric series overflowed after ${outcome.terms} terms (parameters ${all.join(", ")}); use smaller parameters or z.`,
    );
  }
  throw new HypergeometricConvergenceError(
    `The hypergeometric series did not converge in ${outcome.terms} terms (z = ${z}); z this close to 1 needs a larger maxTerms.`,
  );
}

/**
 * The same sum for a caller that has another way to the value: null instead of an error when the
 * series overflows or needs more than `maxTerms` terms. Invalid arguments still throw a RangeError.
 */
export function hypergeometricPFQOrNull(
  numerators: readonly number[],
  denominators: readonly number[],
  z: number,
  options: HypergeometricOptions = {},
): number | null {
  checkArguments(numerators, denominators, z);
  const outcome = sumSeries(numerators, denominators, z, options);
  return outcome.kind === "sum" ? outcome.sum : null;
}

function checkArguments(numerators: readonly number[], denominators: readonly number[], z: number): void {
  if (numerators.length !== denominators.length + 1) {
    throw new RangeError(
      `pFq is summed here only for p = q + 1 (got ${numerators.length} numerators and ${denominators.length} denominators).`,
    );
  }
  if (![...numerators, ...denominators, z].every(Number.isFinite))
    throw new RangeError("Hypergeometric parameters and z must be finite numbers.");
  if (!(z > -1 && z < 1)) {
    throw new RangeError(`The hypergeometric series converges only for |z| < 1; got z = ${z}.`);
  }
  for (const c of denominators) {
    if (c <= 0 && Number.isInteger(c)) {
      throw new RangeError(
        `A hypergeometric denominator parameter of ${c} (0 or a negative integer) is undefined.`,
      );
    }
  }
}

type SeriesOutcome = { kind: "sum"; sum: number } | { kind: "overflow" | "unconverged"; terms: number };

function sumSeries(
  numerators: readonly number[],
  denominators: readonly number[],
  z: number,
  options: HypergeometricOptions,
): SeriesOutcome {
  const tolerance = options.tolerance ?? 1e-15;
  const maxTerms = options.maxTerms ?? 1_000_000;
  // Pair every numerator with a denominator; the last numerator is paired with the n! (i.e. 1 + n).
  const pairedDenominators = [...denominators, 1];
  const q = numerators.length;

  let term = 1;
  let sum = 1;
  for (let n = 0; n < maxTerms; n++) {
    let ratio = z;
    for (let i = 0; i < q; i++) {
      ratio *= (numerators[i] as number) + n;
      ratio /= (pairedDenominators[i] as number) + n;
    }
    term *= ratio;
    sum += term;
    if (!Number.isFinite(sum)) return { kind: "overflow", terms: n + 1 };
    if (term === 0) return { kind: "sum", sum }; // a numerator reached a non-positive integer: a polynomial
    const bound = tailRatioBound(numerators, pairedDenominators, z, n + 1);
    if (bound < 1 && Math.abs(term) * (bound / (1 - bound)) <= tolerance * Math.abs(sum)) {
      return { kind: "sum", sum };
    }
  }
  return { kind: "unconverged", terms: maxTerms };
}

/**
 * A bound ρ on |tₖ₊₁ / tₖ| for every k ≥ n, or Infinity when none is known yet. Once every shifted
 * parameter is positive, (aᵢ + k)/(bᵢ + k) moves monotonically towards 1 as k grows, so it never
 * exceeds max(1, its value at n); the product of those maxima times |z| bounds every later ratio,
 * and the tail after the term just added is at most |term|·ρ/(1 − ρ).
 */
function tailRatioBound(
  numerators: readonly number[],
  pairedDenominators: readonly number[],
  z: number,
  n: number,
): number {
  let bound = Math.abs(z);
  for (let i = 0; i < numerators.length; i++) {
    const a = (numerators[i] as number) + n;
    const b = (pairedDenominators[i] as number) + n;
    if (a < 0 || b <= 0) return Number.POSITIVE_INFINITY;
    bound *= Math.max(1, a / b);
  }
  return bound;
}

/** Gauss's hypergeometric function 2F1(a, b; c; z) for |z| < 1 (in the models, z ∈ [0, 1)). */
export function hypergeometric2F1(
  a: number,
  b: number,
  c: number,
  z: number,
  options?: HypergeometricOptions,
): number {
  return hypergeometricPFQ([a, b], [c], z, options);
}
