// The numerics of the key-touchpoint driver analysis: one L2-regularised logistic regression of the
// outcome on every touchpoint feature at once (so each driver's effect is net of the others: a slow
// reply is not blamed for what the support channel itself does), then, per feature, the effect a CX
// lead reads — an adjusted risk ratio — with a 95% confidence interval.
//
// Why this method (the README's "Key touchpoints" section says it for users):
// - Logistic regression on per-customer binary features answers "how much more likely is the outcome
//   for customers who had this touchpoint, everything else equal", which is the question; relative
//   weights (Johnson) only split R² into shares, with no direction, no unit a CX lead can act on and
//   no interval without a bootstrap.
// - The small ridge penalty (1 on standardised coefficients, as the churn model's fit) keeps the fit
//   finite when a feature separates the outcome (every customer who reached a stage was a promoter)
//   and stable when features overlap (a kind and its channel); with hundreds of customers it moves an
//   effect by far less than its standard error.
// - Wald intervals from the inverse penalised Hessian cost one matrix inversion, where a bootstrap
//   would refit hundreds of times per request; with binary features and the counts the analysis
//   requires, the normal approximation of the log-odds holds (the tests check coverage).
// - The risk ratio is computed by standardisation (g-computation): the model's mean predicted risk
//   with the touchpoint set for everyone over the same with it unset, so it keeps the adjustment of
//   the odds ratio but says "2.1× as likely", which an odds ratio does not mean when outcomes are
//   common. Its interval is the delta method on log RR with the fit's covariance.
// The features arrive as distinct patterns with a count each (the SQL groups customers by the set of
// touchpoints they had), which gives the same fit as one row per customer at a fraction of the work.
import { fitLogisticRegression, sigmoid } from "../statistics/logistic-regression.ts";

/** z of a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/** Customers who share one set of features and one outcome. */
export interface FeaturePattern {
  /** Indices of the features these customers had (each 0/1 feature absent is 0). */
  features: readonly number[];
  positive: boolean;
  customers: number;
}

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

export interface DriverEffect {
  /** Adjusted risk ratio: P(outcome | touchpoint) / P(outcome | not), others as they were. */
  riskRatio: Interval;
  /** Adjusted odds ratio: e^β. */
  oddsRatio: Interval;
  /** Customers with the feature, and how many of them had the outcome. */
  customers: number;
  positives: number;
  /** The same among customers without it (unadjusted rates, for the chart beside the effect). */
  customersWithout: number;
  positivesWithout: number;
}

export interface DriverFit {
  effects: DriverEffect[];
  customers: number;
  positives: number;
  converged: boolean;
}

/**
 * Fits the outcome on `featureCount` binary features and returns each feature's effect. Throws a
 * RangeError without patterns; the caller decides whether there is enough to fit.
 */
export function driverEffects(patterns: readonly FeaturePattern[], featureCount: number): DriverFit {
  const rows = patterns.map((pattern) => {
    const row = new Array<number>(featureCount).fill(0);
    for (const j of pattern.features) row[j] = 1;
    return row;
  });
  const fit = fitLogisticRegression(
    rows,
    patterns.map((pattern) => pattern.positive),
    { weights: patterns.map((pattern) => pattern.customers) },
  );
  const k = featureCount + 1;
  const beta = [fit.intercept, ...fit.coefficients];
  const total = patterns.reduce((sum, pattern) => sum + pattern.customers, 0);
  const positives = patterns.reduce((sum, pattern) => sum + (pattern.positive ? pattern.customers : 0), 0);

  const effects = Array.from({ length: featureCount }, (_, j): DriverEffect => {
    const se = Math.sqrt(Math.max(fit.covariance[(j + 1) * k + (j + 1)] as number, 0));
    const b = beta[j + 1] as number;
    const counts = { customers: 0, positives: 0 };
    for (const pattern of patterns) {
      if (!pattern.features.includes(j)) continue;
      counts.customers += pattern.customers;
      if (pattern.positive) counts.positives += pattern.customers;
    }
    return {
      riskRatio: standardisedRiskRatio(rows, patterns, beta, fit.covariance, j, total),
      oddsRatio: { estimate: Math.exp(b), lower: Math.exp(b - Z95 * se), upper: Math.exp(b + Z95 * se) },
      ...counts,
      customersWithout: total - counts.customers,
      positivesWithout: positives - counts.positives,
    };
  });
  return { effects, customers: total, positives, converged: fit.converged };
}

/**
 * Mean predicted risk with feature j set for everyone (m₁) over the same with it unset (m₀), and a
 * delta-method interval: ∇ log(m₁/m₀) = ∇m₁/m₁ − ∇m₀/m₀, with ∇m = mean of σ′(η)·x.
 */
function standardisedRiskRatio(
  rows: readonly number[][],
  patterns: readonly FeaturePattern[],
  beta: readonly number[],
  covariance: Float64Array,
  j: number,
  total: number,
): Interval {
  const k = beta.length;
  const mean = [0, 0];
  const gradient = [new Float64Array(k), new Float64Array(k)];
  rows.forEach((row, i) => {
    const weight = (patterns[i] as FeaturePattern).customers / total;
    let rest = beta[0] as number;
    for (let m = 0; m < row.length; m++) if (m !== j) rest += (beta[m + 1] as number) * (row[m] as number);
    for (const setting of [0, 1]) {
      const p = sigmoid(rest + setting * (beta[j + 1] as number));
      mean[setting] = (mean[setting] as number) + weight * p;
      const slope = weight * p * (1 - p);
      const g = gradient[setting] as Float64Array;
      g[0] = (g[0] as number) + slope;
      for (let m = 0; m < row.length; m++) {
        const x = m === j ? setting : (row[m] as number);
        if (x !== 0) g[m + 1] = (g[m + 1] as number) + slope * x;
      }
    }
  });
  const [m0, m1] = mean as [number, number];
  const direction = new Float64Array(k);
  for (let a = 0; a < k; a++)
    direction[a] =
      ((gradient[1] as Float64Array)[a] as number) / m1 - ((gradient[0] as Float64Array)[a] as number) / m0;
  let variance = 0;
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++)
      variance += (direction[a] as number) * (covariance[a * k + b] as number) * (direction[b] as number);
  const logRatio = Math.log(m1 / m0);
  const se = Math.sqrt(Math.max(variance, 0));
  return {
    estimate: Math.exp(logRatio),
    lower: Math.exp(logRatio - Z95 * se),
    upper: Math.exp(logRatio + Z95 * se),
  };
}
