// Adaptive Gauss–Kronrod quadrature (the 7/15-point pair of QUADPACK's QAG, Piessens et al. 1983) for
// smooth integrands on a finite interval. Several integrands share the nodes, so a ratio of two
// integrals (an expectation over an unnormalised density) is computed in one pass and its errors
// largely cancel. The caller supplies breakpoints where the integrand changes scale; the panel with the
// largest error estimate is bisected until every integral meets the tolerance.

/** Kronrod nodes on [0, 1] (the symmetric half; the last is the centre) and their weights. */
const KRONROD_NODES = [
  0.9914553711208126, 0.9491079123427585, 0.8648644233597691, 0.7415311855993945, 0.5860872354676911,
  0.4058451513773972, 0.20778495500789848, 0,
];
const KRONROD_WEIGHTS = [
  0.022935322010529224, 0.06309209262997856, 0.10479001032225019, 0.14065325971552592, 0.1690047266392679,
  0.19035057806478542, 0.20443294007529889, 0.20948214108472782,
];
/** The embedded 7-point Gauss rule uses Kronrod nodes 1, 3, 5 and the centre. */
const GAUSS_WEIGHTS = [0.1294849661688697, 0.27970539148927664, 0.3818300505051189, 0.4179591836734694];

export interface QuadratureOptions {
  /** Wanted relative accuracy of every integral. Default 1e-12. */
  tolerance?: number;
  /** Stop bisecting after this many panels (the estimate is then returned as it stands). Default 400. */
  maxPanels?: number;
}

interface Panel {
  lower: number;
  upper: number;
  values: Float64Array;
  errors: Float64Array;
}

/**
 * ∫ f_k(y) dy over [breakpoints[0], breakpoints[last]] for k = 0 … dimension − 1, where `integrand`
 * writes f(y) into `out`. Returns the integrals. Panels are bisected until every integral's summed
 * error estimate is below tolerance × its scale, or `maxPanels` is reached. The scale is |integral| by
 * default; `scale(totals, k)` can make it the size of the quantity the integral is part of, so that
 * an integral that only adds a negligible amount to it is not refined for nothing.
 */
export function integrateAdaptively(
  integrand: (y: number, out: Float64Array) => void,
  dimension: number,
  breakpoints: readonly number[],
  options: QuadratureOptions & { scale?: (totals: Float64Array, k: number) => number } = {},
): Float64Array {
  const tolerance = options.tolerance ?? 1e-12;
  const maxPanels = options.maxPanels ?? 400;
  const scratch = new Float64Array(dimension);
  const panels: Panel[] = [];
  for (let i = 1; i < breakpoints.length; i++) {
    const lower = breakpoints[i - 1] as number;
    const upper = breakpoints[i] as number;
    if (upper > lower) panels.push(applyRule(integrand, lower, upper, dimension, scratch));
  }
  const totals = new Float64Array(dimension);
  for (;;) {
    totals.fill(0);
    const errors = new Float64Array(dimension);
    for (const panel of panels) {
      for (let k = 0; k < dimension; k++) {
        totals[k] = (totals[k] as number) + (panel.values[k] as number);
        errors[k] = (errors[k] as number) + (panel.errors[k] as number);
      }
    }
    const allowed = (k: number) =>
      tolerance * (options.scale ? options.scale(totals, k) : Math.abs(totals[k] as number));
    let done = true;
    for (let k = 0; k < dimension; k++) if ((errors[k] as number) > allowed(k)) done = false;
    if (done || panels.length >= maxPanels) return totals;

    // Bisect the panel whose error uses up the largest share of some integral's allowance.
    let worstIndex = 0;
    let worstShare = -1;
    panels.forEach((panel, i) => {
      for (let k = 0; k < dimension; k++) {
        const share = (panel.errors[k] as number) / (allowed(k) || 1);
        if (share > worstShare) [worstIndex, worstShare] = [i, share];
      }
    });
    const { lower, upper } = panels[worstIndex] as Panel;
    const middle = (lower + upper) / 2;
    if (!(middle > lower && middle < upper)) return totals; // the panel cannot be split any further
    panels[worstIndex] = applyRule(integrand, lower, middle, dimension, scratch);
    panels.push(applyRule(integrand, middle, upper, dimension, scratch));
  }
}

function applyRule(
  integrand: (y: number, out: Float64Array) => void,
  lower: number,
  upper: number,
  dimension: number,
  scratch: Float64Array,
): Panel {
  const centre = (lower + upper) / 2;
  const halfWidth = (upper - lower) / 2;
  // 15 values per integrand, centre last, for the error estimate's second pass.
  const samples = new Float64Array(15 * dimension);
  const kronrod = new Float64Array(dimension);
  const gauss = new Float64Array(dimension);
  const absolute = new Float64Array(dimension);
  for (let i = 0; i < 15; i++) {
    const node = i < 7 ? i : i < 14 ? i - 7 : 7;
    const y = centre + (i < 7 ? -1 : 1) * halfWidth * (KRONROD_NODES[node] as number);
    integrand(i === 14 ? centre : y, scratch);
    const kronrodWeight = KRONROD_WEIGHTS[node] as number;
    const gaussWeight = node % 2 === 1 ? (GAUSS_WEIGHTS[(node - 1) / 2] as number) : 0;
    for (let k = 0; k < dimension; k++) {
      const value = scratch[k] as number;
      samples[i * dimension + k] = value;
      kronrod[k] = (kronrod[k] as number) + kronrodWeight * value;
      gauss[k] = (gauss[k] as number) + gaussWeight * value;
      absolute[k] = (absolute[k] as number) + kronrodWeight * Math.abs(value);
    }
  }
  const errors = new Float64Array(dimension);
  for (let k = 0; k < dimension; k++) {
    // QUADPACK's estimate: |K − G| scaled by the integrand's variation about its mean, raised to 1.5
    // (the Kronrod sum converges much faster than the Gauss one), never below rounding level.
    const mean = (kronrod[k] as number) / 2;
    let variation = 0;
    for (let i = 0; i < 15; i++) {
      const node = i < 7 ? i : i < 14 ? i - 7 : 7;
      variation +=
        (KRONROD_WEIGHTS[node] as number) * Math.abs((samples[i * dimension + k] as number) - mean);
    }
    variation *= halfWidth;
    let error = Math.abs(((kronrod[k] as number) - (gauss[k] as number)) * halfWidth);
    if (variation !== 0 && error !== 0) error = variation * Math.min(1, ((200 * error) / variation) ** 1.5);
    errors[k] = Math.max(error, 50 * Number.EPSILON * (absolute[k] as number) * halfWidth);
    kronrod[k] = (kronrod[k] as number) * halfWidth;
  }
  return { lower, upper, values: kronrod, errors };
}
