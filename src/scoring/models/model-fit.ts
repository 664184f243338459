// What every maximum-likelihood fit of a customer-base model takes and returns, so a caller can store
// the diagnostics beside the parameters and refuse a fit that did not converge or warn about one that
// ended on the edge of the parameter box (see bounded-search.ts).
import type { NelderMeadOptions } from "./nelder-mead.ts";

export interface ModelFit<P> {
  parameters: P;
  /** The maximised log-likelihood (natural log, summed over the customers fitted). */
  logLikelihood: number;
  /** Simplex iterations, restarts included. */
  iterations: number;
  /**
   * The simplex met its tolerances and a restart from the optimum found nothing better: the best
   * parameters within the box were found (they may lie on its edge; see `atBound`).
   */
  converged: boolean;
  /**
   * The parameters whose estimate lies on a bound of the search box (within 1e-6 relative), in
   * declaration order; empty for an interior maximum. The likelihood was still rising past that bound,
   * so the data cannot pin the parameter down: for BG/NBD, a and b on the upper bound mean every
   * customer has practically the same drop-out probability a/(a + b), and a on the lower bound that
   * practically nobody drops out. The model remains usable; the estimate is a limit, not a measurement.
   */
  atBound: Array<keyof P & string>;
  customersFitted: number;
}

export interface FitOptions<P> {
  /** Where the search starts; by default a scale-free guess from the data. */
  initial?: P;
  optimizer?: NelderMeadOptions;
}
