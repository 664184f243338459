// From CDNOW's raw purchase log to the published model estimates, through the code a deployment runs.
import { describe, expect, it } from "vitest";
import { fitBgNbd } from "../../../src/scoring/models/bg-nbd.ts";
import { fitGammaGamma } from "../../../src/scoring/models/gamma-gamma.ts";
import { type PurchaseSummary, summarizePurchases } from "../../../src/scoring/models/purchase-summary.ts";
import {
  CALIBRATION_END,
  PUBLISHED_BG_NBD,
  PUBLISHED_BG_NBD_LOG_LIKELIHOOD,
  PUBLISHED_GAMMA_GAMMA,
  readSamplePurchases,
  relativeError,
} from "./cdnow.ts";

describe("CDNOW sample, raw transactions to fitted models", () => {
  const summaries = [...readSamplePurchases().values()]
    .map((purchases) => summarizePurchases(purchases, CALIBRATION_END))
    .filter((summary): summary is PurchaseSummary => summary !== null);

  it("summarises all 2,357 customers, 946 of whom bought again in the calibration period", () => {
    expect(summaries).toHaveLength(2357);
    expect(summaries.filter((s) => s.frequency > 0)).toHaveLength(946);
  });

  it("fits BG/NBD to the published r, α, a, b within 1 %", () => {
    const fit = fitBgNbd(summaries);
    for (const name of ["r", "alpha", "a", "b"] as const) {
      expect(relativeError(fit.parameters[name], PUBLISHED_BG_NBD[name]), name).toBeLessThan(0.01);
    }
    expect(fit.logLikelihood).toBeCloseTo(PUBLISHED_BG_NBD_LOG_LIKELIHOOD, 0);
    expect(fit.converged).toBe(true);
    expect(fit.atBound).toEqual([]);
  });

  it("fits Gamma-Gamma to the published p, q, γ within 1 %", () => {
    const fit = fitGammaGamma(summaries);
    expect(fit.customersFitted).toBe(946);
    for (const name of ["p", "q", "gamma"] as const) {
      expect(relativeError(fit.parameters[name], PUBLISHED_GAMMA_GAMMA[name]), name).toBeLessThan(0.01);
    }
    expect(fit.converged).toBe(true);
    expect(fit.atBound).toEqual([]);
  });
});
