// A small Nelder–Mead simplex minimiser for the models' maximum-likelihood fits: 3 or 4 smooth
// parameters, objectives that are cheap once the data is compressed, no gradients to maintain.
// Coefficients are Gao & Han's dimension-adaptive ones (2012; the classic 1, 2, ½, ½ in 2-D), moves
// follow Lagarias et al. (1998), and the search restarts from its best point with a fresh simplex
// until a restart no longer improves: a collapsed simplex can stall away from the minimum, and a
// restart is the standard remedy (it is how `converged` can be trusted).

export interface NelderMeadOptions {
  /** Edge of the starting simplex along each axis (one for all, or one per coordinate). Default 0.5. */
  initialStep?: number | readonly number[];
  /** Converged when every vertex is within this of the best one, per coordinate. Default 1e-8. */
  xTolerance?: number;
  /** …and every vertex's value is within this × max(1, |best value|) of the best. Default 1e-12. */
  fTolerance?: number;
  /** Simplex iterations over all restarts together. Default 20,000. */
  maxIterations?: number;
  /** Fresh simplices to try around the best point after the first run converges. Default 5; 0 trusts the first run. */
  maxRestarts?: number;
}

export interface NelderMeadResult {
  x: number[];
  value: number;
  iterations: number;
  evaluations: number;
  /** The tolerances were met and a restart from the result did not improve it. */
  converged: boolean;
  restarts: number;
}

interface Vertex {
  x: number[];
  f: number;
}

/**
 * Minimises `objective` from `start`. Non-finite values (NaN, ±Infinity) count as +Infinity, so an
 * objective may simply fail to evaluate outside its domain; the start itself must be finite.
 */
export function minimizeNelderMead(
  objective: (x: readonly number[]) => number,
  start: readonly number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const n = start.length;
  if (n === 0) throw new RangeError("Nelder–Mead needs at least one coordinate to optimise.");
  const steps = Array.from({ length: n }, (_, i) => {
    const step = options.initialStep ?? 0.5;
    return typeof step === "number" ? step : (step[i] ?? Number.NaN);
  });
  if (!steps.every((step) => Number.isFinite(step) && step !== 0)) {
    throw new RangeError("Nelder–Mead initial steps must be finite and non-zero, one per coordinate.");
  }
  const xTolerance = options.xTolerance ?? 1e-8;
  const fTolerance = options.fTolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 20_000;
  const maxRestarts = options.maxRestarts ?? 5;

  let evaluations = 0;
  const evaluate = (x: number[]): Vertex => {
    evaluations++;
    const f = objective(x);
    return { x, f: Number.isFinite(f) ? f : Number.POSITIVE_INFINITY };
  };

  let best = evaluate([...start]);
  if (best.f === Number.POSITIVE_INFINITY) {
    throw new RangeError(
      `The objective is not finite at the starting point (${start.join(", ")}); start elsewhere.`,
    );
  }
  const limits = { xTolerance, fTolerance, iterationBudget: maxIterations };
  const first = runSimplex(best, steps, evaluate, limits);
  let iterations = first.iterations;
  best = first.best;
  let converged = first.converged;
  let restarts = 0;
  let confirmed = maxRestarts === 0;
  while (converged && !confirmed && restarts < maxRestarts) {
    restarts++;
    const again = runSimplex(best, steps, evaluate, {
      ...limits,
      iterationBudget: maxIterations - iterations,
    });
    iterations += again.iterations;
    const improvement = best.f - again.best.f;
    if (again.best.f < best.f) best = again.best;
    converged = again.converged;
    confirmed = improvement <= fTolerance * Math.max(1, Math.abs(best.f));
  }
  // Every restart still improving means the minimum is not pinned down yet.
  converged &&= confirmed;
  return { x: best.x, value: best.f, iterations, evaluations, converged, restarts };
}

function runSimplex(
  start: Vertex,
  steps: readonly number[],
  evaluate: (x: number[]) => Vertex,
  limits: { xTolerance: number; fTolerance: number; iterationBudget: number },
): { best: Vertex; iterations: number; converged: boolean } {
  const n = start.x.length;
  const reflection = 1;
  const expansion = 1 + 2 / n;
  const contraction = 0.75 - 1 / (2 * n);
  const shrinkage = 1 - 1 / n || 0.5; // 1-D: 1 − 1/1 = 0 would collapse the simplex onto one point

  const simplex: Vertex[] = [start];
  for (let i = 0; i < n; i++) {
    const x = [...start.x];
    x[i] = (x[i] as number) + (steps[i] as number);
    simplex.push(evaluate(x));
  }

  const along = (from: readonly number[], to: readonly number[], factor: number): number[] =>
    from.map((value, i) => value + factor * ((to[i] as number) - value));

  let iterations = 0;
  for (;;) {
    simplex.sort((p, q) => p.f - q.f);
    const best = simplex[0] as Vertex;
    const worst = simplex[n] as Vertex;
    if (hasConverged(simplex, limits.xTolerance, limits.fTolerance)) {
      return { best, iterations, converged: true };
    }
    if (iterations >= limits.iterationBudget) return { best, iterations, converged: false };
    iterations++;

    const centroid = new Array<number>(n).fill(0);
    for (let v = 0; v < n; v++) {
      for (let i = 0; i < n; i++)
        centroid[i] = (centroid[i] as number) + ((simplex[v] as Vertex).x[i] as number) / n;
    }
    const secondWorst = simplex[n - 1] as Vertex;
    const reflected = evaluate(along(centroid, worst.x, -reflection));
    if (reflected.f < best.f) {
      const expanded = evaluate(along(centroid, worst.x, -reflection * expansion));
      simplex[n] = expanded.f < reflected.f ? expanded : reflected;
      continue;
    }
    if (reflected.f < secondWorst.f) {
      simplex[n] = reflected;
      continue;
    }
    if (reflected.f < worst.f) {
      const outside = evaluate(along(centroid, worst.x, -reflection * contraction));
      if (outside.f <= reflected.f) {
        simplex[n] = outside;
        continue;
      }
    } else {
      const inside = evaluate(along(centroid, worst.x, contraction));
      if (inside.f < worst.f) {
        simplex[n] = inside;
        continue;
      }
    }
    for (let v = 1; v <= n; v++) simplex[v] = evaluate(along(best.x, (simplex[v] as Vertex).x, shrinkage));
  }
}

function hasConverged(sorted: readonly Vertex[], xTolerance: number, fTolerance: number): boolean {
  const best = sorted[0] as Vertex;
  const fScale = fTolerance * Math.max(1, Math.abs(best.f));
  for (let v = 1; v < sorted.length; v++) {
    const vertex = sorted[v] as Vertex;
    if (!(vertex.f - best.f <= fScale)) return false;
    for (let i = 0; i < best.x.length; i++) {
      if (Math.abs((vertex.x[i] as number) - (best.x[i] as number)) > xTolerance) return false;
    }
  }
  return true;
}
