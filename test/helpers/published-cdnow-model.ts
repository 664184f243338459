// The BG/NBD and Gamma-Gamma parameters Fader, Hardie & Lee (2005) publish for CDNOW (the 2,357
// customers' 39-week calibration), as a fitted ScoreModel row stores them: for tests and benches that
// score with the known model instead of fitting one.
export const PUBLISHED_CDNOW_FIT = {
  currency: "USD",
  customersFitted: 2357,
  repeatCustomersFitted: 946,
  bgNbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
  bgNbdLogLikelihood: -9582.4,
  bgNbdConverged: true,
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
} as const;

/** The published CDNOW model as a fit at `fittedAt` would store it (a ScoreModel row's data). */
export const publishedModel = (version: string, fittedAt: Date) => ({
  version,
  fittedAt,
  calibrationEnd: fittedAt,
  ...PUBLISHED_CDNOW_FIT,
  gammaGammaLogLikelihood: -4000,
  fitMilliseconds: 1,
});
