// L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least squares),
// for the churn model's weights and the key-touchpoint driver analysis: a handful of features, up to
// hundreds of thousands of customers (or their distinct feature patterns, each with its count as a
// frequency weight, which gives exactly the fit of the expanded rows).
// Features are standardised inside the fit, so one penalty suits every feature whatever its unit, and
// the coefficients come back on the features' own scale. The intercept is not penalised, so the fitted
// probabilities average to the observed rate: the model is calibrated in the large by construction.
// The same fit with its default penalty matches scikit-learn's LogisticRegression(C=1) on
// standardised features to four decimals (its lbfgs stops at its own tolerance) (test/domain/statistics).
// The covariance is the inverse of the penalised Hessian at the optimum (the Wald, or Laplace,
// approximation), mapped back to the features' own scale: standard errors for confidence intervals.

export interface LogisticFit {
  intercept: number;
  /** One per feature, on the features' own scale. */
  coefficients: number[];
  iterations: number;
  converged: boolean;
  /**
   * The covariance of (intercept, coefficients…) on the features' own scale, row-major, (p+1)×(p+1):
   * the inverse of the penalised Hessian. Rows and columns of a feature that never varies are 0.
   */
  covariance: Float64Array;
}

export interface LogisticOptions {
  /** Ridge penalty on the standardised coefficients (scikit-learn's 1 / C). Default 1. */
  l2?: number;
  maxIterations?: number;
  /** A count per row (frequency weights): row i stands for weights[i] identical observations. Default 1 each. */
  weights?: readonly number[];
}

/**
 * Fits P(y = 1 | x) = sigmoid(b₀ + Σ bⱼ xⱼ). `rows[i]` holds customer i's features, `labels[i]` the
 * outcome. A feature that never varies gets coefficient 0 (nothing can be learned about it).
 */
export function fitLogisticRegression(
  rows: readonly (readonly number[])[],
  labels: readonly boolean[],
  options: LogisticOptions = {},
): LogisticFit {
  const n = rows.length;
  if (n === 0 || n !== labels.length) {
    throw new RangeError(
      `Logistic regression needs one label per row; got ${n} rows and ${labels.length} labels.`,
    );
  }
  const p = rows[0]?.length ?? 0;
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const counts = options.weights;
  if (counts && counts.length !== n) {
    throw new RangeError(
      `Logistic regression needs one weight per row; got ${n} rows and ${counts.length} weights.`,
    );
  }
  const countOf = (i: number) => (counts ? (counts[i] as number) : 1);
  const { mean, scale } = standardisation(rows, p, countOf);
  const active = scale.map((s) => s > 0);
  const k = p + 1; // intercept first
  const x = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = rows[i] as readonly number[];
    x[i * k] = 1;
    for (let j = 0; j < p; j++)
      x[i * k + j + 1] = active[j] ? ((row[j] as number) - (mean[j] as number)) / (scale[j] as number) : 0;
  }
  const beta = new Float64Array(k);
  let converged = false;
  let iterations = 0;
  let hessian = new Float64Array(k * k);
  for (; iterations < maxIterations && !converged; iterations++) {
    const gradient = new Float64Array(k);
    hessian = new Float64Array(k * k);
    for (let i = 0; i < n; i++) {
      let eta = 0;
      for (let j = 0; j < k; j++) eta += (x[i * k + j] as number) * (beta[j] as number);
      const mu = sigmoid(eta);
      const count = countOf(i);
      const residual = count * ((labels[i] ? 1 : 0) - mu);
      const weight = count * Math.max(mu * (1 - mu), 1e-12);
      for (let a = 0; a < k; a++) {
        const xa = x[i * k + a] as number;
        if (xa === 0) continue;
        gradient[a] = (gradient[a] as number) + xa * residual;
        for (let b = a; b < k; b++)
          hessian[a * k + b] = (hessian[a * k + b] as number) + weight * xa * (x[i * k + b] as number);
      }
    }
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < a; b++) hessian[a * k + b] = hessian[b * k + a] as number;
      if (a > 0) {
        gradient[a] = (gradient[a] as number) - l2 * (beta[a] as number);
        hessian[a * k + a] = (hessian[a * k + a] as number) + l2;
      }
      // An inactive feature's column is all zeros: pin its coefficient at 0.
      if (a > 0 && !active[a - 1]) hessian[a * k + a] = 1;
    }
    const step = solveSymmetric(hessian, gradient, k);
    let largest = 0;
    for (let j = 0; j < k; j++) {
      beta[j] = (beta[j] as number) + (step[j] as number);
      largest = Math.max(largest, Math.abs(step[j] as number));
    }
    converged = largest < 1e-8;
  }
  const coefficients = Array.from({ length: p }, (_, j) =>
    active[j] ? (beta[j + 1] as number) / (scale[j] as number) : 0,
  );
  const intercept =
    (beta[0] as number) - coefficients.reduce((sum, c, j) => sum + c * (mean[j] as number), 0);
  const covariance = originalScaleCovariance(invertSymmetric(hessian, k), mean, scale, active);
  return { intercept, coefficients, iterations, converged, covariance };
}

/**
 * The covariance of the standardised coefficients carried to the original scale: with
 * b = T·β (bⱼ = βⱼ / sⱼ, b₀ = β₀ − Σ mⱼ βⱼ / sⱼ), Cov(b) = T·Cov(β)·Tᵀ.
 */
function originalScaleCovariance(
  standardised: Float64Array,
  mean: readonly number[],
  scale: readonly number[],
  active: readonly boolean[],
): Float64Array {
  const k = mean.length + 1;
  const t = new Float64Array(k * k);
  t[0] = 1;
  for (let j = 1; j < k; j++) {
    if (!active[j - 1]) continue;
    t[j] = -(mean[j - 1] as number) / (scale[j - 1] as number);
    t[j * k + j] = 1 / (scale[j - 1] as number);
  }
  const tc = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let sum = 0;
      for (let m = 0; m < k; m++) sum += (t[a * k + m] as number) * (standardised[m * k + b] as number);
      tc[a * k + b] = sum;
    }
  const covariance = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let sum = 0;
      for (let m = 0; m < k; m++) sum += (tc[a * k + m] as number) * (t[b * k + m] as number);
      covariance[a * k + b] = sum;
    }
  return covariance;
}

/** The inverse of a symmetric positive-definite matrix, one Cholesky solve per column. */
function invertSymmetric(a: Float64Array, k: number): Float64Array {
  const inverse = new Float64Array(k * k);
  for (let column = 0; column < k; column++) {
    const unit = new Float64Array(k);
    unit[column] = 1;
    const solved = solveSymmetric(a, unit, k);
    for (let row = 0; row < k; row++) inverse[row * k + column] = solved[row] as number;
  }
  return inverse;
}

/** The fitted probability for one row. */
export function predictLogistic(
  fit: Pick<LogisticFit, "intercept" | "coefficients">,
  row: readonly number[],
): number {
  let eta = fit.intercept;
  for (let j = 0; j < fit.coefficients.length; j++)
    eta += (fit.coefficients[j] as number) * (row[j] as number);
  return sigmoid(eta);
}

/**
 * Out-of-fold predictions: each row is predicted by a fit that never saw it, over `folds` folds assigned
 * round-robin after a deterministic shuffle. The backtest's figures come from these, so they measure
 * the model on customers it was not fitted to.
 */
export function crossValidatedPredictions(
  rows: readonly (readonly number[])[],
  labels: readonly boolean[],
  folds = 5,
  options: LogisticOptions = {},
): number[] {
  const fold = rows.map((_, i) => shuffledIndex(i) % folds);
  const predictions = new Array<number>(rows.length).fill(0);
  for (let f = 0; f < folds; f++) {
    const trainRows: (readonly number[])[] = [];
    const trainLabels: boolean[] = [];
    for (let i = 0; i < rows.length; i++) {
      if (fold[i] === f) continue;
      trainRows.push(rows[i] as readonly number[]);
      trainLabels.push(labels[i] as boolean);
    }
    if (trainRows.length === 0) continue;
    const fit = fitLogisticRegression(trainRows, trainLabels, options);
    for (let i = 0; i < rows.length; i++)
      if (fold[i] === f) predictions[i] = predictLogistic(fit, rows[i] as readonly number[]);
  }
  return predictions;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function standardisation(rows: readonly (readonly number[])[], p: number, countOf: (i: number) => number) {
  const mean = new Array<number>(p).fill(0);
  const scale = new Array<number>(p).fill(0);
  let total = 0;
  rows.forEach((row, i) => {
    const count = countOf(i);
    total += count;
    for (let j = 0; j < p; j++) mean[j] = (mean[j] as number) + count * (row[j] as number);
  });
  for (let j = 0; j < p; j++) mean[j] = (mean[j] as number) / total;
  rows.forEach((row, i) => {
    const count = countOf(i);
    for (let j = 0; j < p; j++)
      scale[j] = (scale[j] as number) + count * ((row[j] as number) - (mean[j] as number)) ** 2;
  });
  for (let j = 0; j < p; j++) {
    const sd = Math.sqrt((scale[j] as number) / total);
    scale[j] = sd > 1e-12 ? sd : 0;
  }
  return { mean, scale };
}

/** Solves A·x = b for a symmetric positive-definite A by Cholesky decomposition. */
function solveSymmetric(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * k + j] as number;
      for (let m = 0; m < j; m++) sum -= (l[i * k + m] as number) * (l[j * k + m] as number);
      l[i * k + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / (l[j * k + j] as number);
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let sum = b[i] as number;
    for (let m = 0; m < i; m++) sum -= (l[i * k + m] as number) * (y[m] as number);
    y[i] = sum / (l[i * k + i] as number);
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let m = i + 1; m < k; m++) sum -= (l[m * k + i] as number) * (x[m] as number);
    x[i] = sum / (l[i * k + i] as number);
  }
  return x;
}

/** A fixed permutation-like spread of indices (Knuth's multiplicative hash), so folds do not follow row order. */
function shuffledIndex(i: number): number {
  return Math.imul(i + 1, 2654435761) >>> 0;
}
