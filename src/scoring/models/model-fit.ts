// What every maximum-likelihood fit of a customer-base model takes and returns, so a caller can store
// the diagnostics beside the parameters and refuse a fit that did not converge.
import type { NelderMeadOptions } from "./nelder-mead.ts";

export interface ModelFit<P> {
  parameters: P;
  /** The maximised log-likelihood (natural log, summed over the customers fitted). */
  logLikelihood: number;
  /** Simplex iterations, restarts included. */
  iterations: number;
  /** The simplex met its tolerances and a restart from the optimum found nothing better. */
  converged: boolean;
  customersFitted: number;
}

export interface FitOptions<P> {
  /** Where the search starts; by default a scale-free guess from the data. */
  initial?: P;
  optimizer?: NelderMeadOptions;
}
