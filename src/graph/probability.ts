// Probabilities as the API shows them: rounded to 4 decimal places, so a churn risk reads 0.9999
// and not 0.9999000000000001 (the float noise of the sigmoid at the model's floor of 1e-4). Four
// places keep everything the models can tell apart: risks are clamped to [0.0001, 0.9999], and
// the history keeps a snapshot only when the risk moves by 0.005. Only the answer is rounded: the
// stored scores, thresholds and calibration use the full values.
const SCALE = 10_000;

export function shownProbability(value: number): number {
  return Math.round(value * SCALE) / SCALE;
}

export function shownProbabilityOrNull(value: number | null | undefined): number | null {
  return value == null ? null : shownProbability(value);
}
