// Maximum likelihood over a box of positive parameters, shared by the BG/NBD and Gamma-Gamma fits.
// Some data sets have no interior maximum: when nobody has lapsed yet, BG/NBD's likelihood keeps
// rising as a and b grow together (every customer gets the same drop-out probability), and an
// unbounded search follows it to parameters of 10⁶ and beyond, where the model's functions can no
// longer be evaluated and the optimiser never settles. Past a point such a parameter changes nothing
// the data can show, so the search is confined to a box and the fit says which parameters ended on
// its edge.
//
// The search runs over log-parameters. A point outside the box is scored as its projection onto the
// box plus a penalty growing with the distance, so the minimum is always inside. The simplex reaches
// an optimum on the edge quickly but, the objective having a corner there (often at the end of a
// flat ridge), may never settle on it; so each search has an iteration budget, a parameter it leaves
// within 1 % of a bound is then held on the bound while the others are searched again (an active
// set), and a held parameter is released if a step into the box raises the likelihood. `converged`
// keeps its meaning: the last search met its tolerances, a restart found nothing better, and no held
// parameter pulls inwards, so the best point of the box was found.
import { minimizeNelderMead, type NelderMeadOptions } from "./nelder-mead.ts";

/** Smallest and largest value a parameter may take. Both positive. */
export type ParameterBounds<P> = { [K in keyof P]: readonly [lower: number, upper: number] };

/**
 * Shape parameters (BG/NBD's r, a, b; Gamma-Gamma's p, q) lie in [1e-4, 1e4]. A Gamma or Beta shape
 * of 1e4 has a coefficient of variation of 1 % or less: the customers are all alike, which no realistic
 * purchase history can tell from exactly alike. A shape of 1e-4 puts all but a 1e-4-ish share of the
 * customers at a rate (or drop-out probability) of practically 0. Scale parameters are bounded
 * relative to the data's own scale (see the fits), so that a change of time unit or currency moves
 * the box with the data.
 */
export const SHAPE_BOUNDS = [1e-4, 1e4] as const;

/** A parameter within this relative distance of a bound (1e-6 in log space) is reported as on it. */
const ON_BOUND_TOLERANCE = 1e-6;
/**
 * A search that ends within this log-distance of a bound (1 %) holds the parameter there: the simplex
 * reaches an optimum on the edge within a few hundred iterations and then stalls on the corner, or in
 * the flat region the likelihood has near such a limit. A wrong hold is undone by the release test.
 */
const HOLD_DISTANCE = 1e-2;
/** Simplex iterations per search before the active set is revised (CDNOW's fit takes about 500). */
const PASS_ITERATIONS = 2000;

export interface BoxedMaximum<P> {
  parameters: P;
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  atBound: Array<keyof P & string>;
}

/** Maximises `logLikelihood` over the box, starting from `initial` (moved into the box if outside). */
export function maximizeInBox<P extends { [K in keyof P]: number }>(
  logLikelihood: (params: P) => number,
  initial: P,
  bounds: ParameterBounds<P>,
  optimizer: NelderMeadOptions = {},
): BoxedMaximum<P> {
  const names = Object.keys(bounds) as Array<keyof P & string>;
  const lower = names.map((name) => Math.log(bounds[name][0]));
  const upper = names.map((name) => Math.log(bounds[name][1]));
  if (!names.every((_, i) => (lower[i] as number) <= (upper[i] as number))) {
    throw new RangeError(
      `Every parameter bound must be positive with lower ≤ upper; got ${JSON.stringify(bounds)}.`,
    );
  }
  const clamp = (value: number, i: number) =>
    Math.min(Math.max(value, lower[i] as number), upper[i] as number);
  // A parameter on a bound is the bound itself, not exp(ln(bound)) one rounding away from it.
  const valueAt = (theta: readonly number[], i: number) => {
    const [low, high] = bounds[names[i] as keyof P];
    return theta[i] === lower[i] ? low : theta[i] === upper[i] ? high : Math.exp(theta[i] as number);
  };
  const toParameters = (theta: readonly number[]) =>
    Object.fromEntries(names.map((name, i) => [name, valueAt(theta, i)])) as P;
  const logLikelihoodAt = (theta: readonly number[]) => logLikelihood(toParameters(theta));
  const distanceToBound = (theta: readonly number[], i: number) =>
    Math.min((theta[i] as number) - (lower[i] as number), (upper[i] as number) - (theta[i] as number));
  const nearestBound = (theta: readonly number[], i: number) =>
    (theta[i] as number) - (lower[i] as number) < (upper[i] as number) - (theta[i] as number)
      ? (lower[i] as number)
      : (upper[i] as number);

  let best = names.map((name, i) => clamp(Math.log(initial[name] as number), i));
  const held = new Set<number>();
  // A parameter released once is held again only if a search ends right on its bound: no ping-pong.
  const released = new Set<number>();
  const maxIterations = optimizer.maxIterations ?? 20_000;
  let iterations = 0;
  let converged = false;
  // Each round holds or releases a parameter, or ends; the cap on rounds only guards against cycles.
  for (let round = 0; round < 10 * (names.length + 1) && iterations < maxIterations; round++) {
    const free = names.map((_, i) => i).filter((i) => !held.has(i));
    const fullPoint = (coordinates: readonly number[]) => {
      const theta = [...best];
      free.forEach((i, k) => {
        theta[i] = coordinates[k] as number;
      });
      return theta;
    };
    const objective = (coordinates: readonly number[]) => {
      const theta = fullPoint(coordinates);
      let outside = 0;
      for (const i of free) {
        const inside = clamp(theta[i] as number, i);
        outside += Math.abs((theta[i] as number) - inside);
        theta[i] = inside;
      }
      return -logLikelihoodAt(theta) + outside;
    };
    // A pass is a whole search, restarts included, with a budget: on the corner at a bound the
    // simplex, or its restart, can stall indefinitely, and the pass then ends near the bound.
    let pass: { converged: boolean } | null = null;
    if (free.length > 0) {
      const budget = Math.min(PASS_ITERATIONS, maxIterations - iterations);
      const result = minimizeNelderMead(
        objective,
        free.map((i) => best[i] as number),
        { ...optimizer, maxIterations: budget },
      );
      iterations += result.iterations;
      const theta = fullPoint(result.x).map(clamp);
      if (logLikelihoodAt(theta) >= logLikelihoodAt(best)) best = theta;
      pass = result;
    }
    if (holdReached(free)) continue;
    const toRelease = [...held].filter((i) => risesAwayFromBound(i));
    if (toRelease.length > 0) {
      for (const i of toRelease) {
        held.delete(i);
        released.add(i);
      }
      continue;
    }
    if (pass === null || pass.converged) {
      converged = true;
      break;
    }
  }
  return {
    parameters: toParameters(best),
    logLikelihood: logLikelihoodAt(best),
    iterations,
    converged,
    atBound: names.filter((_, i) => distanceToBound(best, i) <= ON_BOUND_TOLERANCE),
  };

  /** Holds the free parameters the last search left at a bound; true if there were any. */
  function holdReached(free: readonly number[]): boolean {
    const reached = free.filter(
      (i) => distanceToBound(best, i) <= (released.has(i) ? ON_BOUND_TOLERANCE : HOLD_DISTANCE),
    );
    for (const i of reached) {
      best[i] = nearestBound(best, i);
      held.add(i);
    }
    return reached.length > 0;
  }

  /** True when a small step from the bound into the box raises the likelihood. */
  function risesAwayFromBound(i: number): boolean {
    const inward = [...best];
    inward[i] = (best[i] as number) + (best[i] === lower[i] ? 1e-4 : -1e-4);
    const here = logLikelihoodAt(best);
    return logLikelihoodAt(inward) > here + 1e-12 * Math.max(1, Math.abs(here));
  }
}
