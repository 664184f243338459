import { describe, expect, it } from "vitest";
import {
  calibrationBins,
  liftTopDecile,
  predictionQuality,
} from "../../../src/scoring/models/backtest-metrics.ts";

describe("predictionQuality", () => {
  // Four customers predicted 0.15 (one lapsed), four predicted 0.85 (three lapsed), two at 1.0 (both).
  const predictions = [0.15, 0.15, 0.15, 0.15, 0.85, 0.85, 0.85, 0.85, 1, 1];
  const outcomes = [true, false, false, false, true, true, true, false, true, true];

  it("bins predictions in tenths, the last bin holding 1", () => {
    const bins = calibrationBins(predictions, outcomes);
    expect(bins).toHaveLength(10);
    expect(bins[1]).toEqual({ lower: 0.1, upper: 0.2, customers: 4, predicted: 0.15, observed: 0.25 });
    expect(bins[8]).toEqual({ lower: 0.8, upper: 0.9, customers: 4, predicted: 0.85, observed: 0.75 });
    expect(bins[9]).toMatchObject({ customers: 2, predicted: 1, observed: 1 });
    expect(bins[0]).toMatchObject({ customers: 0, predicted: null, observed: null });
  });

  it("weighs each bin's miss by its share for the calibration error, and scores Brier per customer", () => {
    const quality = predictionQuality(predictions, outcomes);
    // 0.4 × |0.25 − 0.15| + 0.4 × |0.75 − 0.85| + 0.2 × 0 = 0.08
    expect(quality.expectedCalibrationError).toBeCloseTo(0.08, 12);
    // (0.85² + 3 × 0.15² + 3 × 0.15² + 0.85²) / 10
    expect(quality.brierScore).toBeCloseTo((2 * 0.85 ** 2 + 6 * 0.15 ** 2) / 10, 12);
    expect(quality).toMatchObject({ customers: 10, positives: 6 });
  });

  it("measures the lift of the riskiest tenth against the overall rate", () => {
    // The top tenth is one customer, predicted 1, who lapsed: 1 / 0.6.
    expect(liftTopDecile(predictions, outcomes)).toBeCloseTo(1 / 0.6, 12);
  });
});
