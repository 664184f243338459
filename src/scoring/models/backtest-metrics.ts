// How well predicted probabilities match what happened, in the terms the literature reports for churn
// models: ranking (AUC), accuracy of the probabilities (Brier score), calibration in equal-width bins
// and its expected calibration error, and the lift of the riskiest tenth.
import { areaUnderRocCurve } from "./auc.ts";

export interface CalibrationBin {
  /** The bin covers predictions in [lower, upper). */
  lower: number;
  upper: number;
  customers: number;
  /** Mean prediction in the bin (null when empty). */
  predicted: number | null;
  /** Share of the bin's customers who turned out positive (null when empty). */
  observed: number | null;
}

export interface PredictionQuality {
  customers: number;
  positives: number;
  auc: number;
  brierScore: number;
  /** Σ over bins of (bin share) × |observed − predicted|. */
  expectedCalibrationError: number;
  calibration: CalibrationBin[];
  /** Positive rate among the top-scored tenth over the overall rate. */
  liftTopDecile: number;
}

/** Scores every figure; `predictions` are probabilities of the positive outcome. */
export function predictionQuality(
  predictions: readonly number[],
  outcomes: readonly boolean[],
  bins = 10,
): PredictionQuality {
  const n = predictions.length;
  const positives = outcomes.filter(Boolean).length;
  let brier = 0;
  for (let i = 0; i < n; i++) brier += ((predictions[i] as number) - (outcomes[i] ? 1 : 0)) ** 2;
  const calibration = calibrationBins(predictions, outcomes, bins);
  const expectedCalibrationError = calibration.reduce(
    (sum, bin) =>
      bin.predicted === null || bin.observed === null
        ? sum
        : sum + (bin.customers / n) * Math.abs(bin.observed - bin.predicted),
    0,
  );
  return {
    customers: n,
    positives,
    auc: areaUnderRocCurve(predictions, outcomes),
    brierScore: brier / n,
    expectedCalibrationError,
    calibration,
    liftTopDecile: liftTopDecile(predictions, outcomes),
  };
}

/** Equal-width bins over [0, 1]; the last bin includes 1. */
export function calibrationBins(
  predictions: readonly number[],
  outcomes: readonly boolean[],
  bins = 10,
): CalibrationBin[] {
  const sums = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, observed: 0 }));
  for (let i = 0; i < predictions.length; i++) {
    const p = predictions[i] as number;
    const bin = sums[Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))] as (typeof sums)[number];
    bin.count++;
    bin.predicted += p;
    bin.observed += outcomes[i] ? 1 : 0;
  }
  return sums.map((bin, k) => ({
    lower: k / bins,
    upper: (k + 1) / bins,
    customers: bin.count,
    predicted: bin.count ? bin.predicted / bin.count : null,
    observed: bin.count ? bin.observed / bin.count : null,
  }));
}

/** The positive rate among the highest-scored tenth (ties broken by position) over the overall rate. */
export function liftTopDecile(predictions: readonly number[], outcomes: readonly boolean[]): number {
  const n = predictions.length;
  const overall = outcomes.filter(Boolean).length / n;
  if (n === 0 || overall === 0) return 0;
  const top = Math.max(1, Math.round(n / 10));
  const order = predictions
    .map((_, i) => i)
    .sort((i, j) => (predictions[j] as number) - (predictions[i] as number));
  let hits = 0;
  for (let k = 0; k < top; k++) if (outcomes[order[k] as number]) hits++;
  return hits / top / overall;
}
