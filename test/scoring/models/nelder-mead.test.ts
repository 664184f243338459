import { describe, expect, it } from "vitest";
import { minimizeNelderMead } from "../../../src/scoring/models/nelder-mead.ts";

const rosenbrock = ([x, y]: readonly number[]) =>
  100 * ((y as number) - (x as number) ** 2) ** 2 + (1 - (x as number)) ** 2;

describe("minimizeNelderMead", () => {
  it("finds the Rosenbrock minimum at (1, 1) from the classic start (−1.2, 1)", () => {
    const result = minimizeNelderMead(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
    expect(result.value).toBeLessThan(1e-12);
    expect(result.evaluations).toBeGreaterThan(result.iterations);
  });

  it("finds the centre of a shifted, badly scaled quadratic in four dimensions", () => {
    const centre = [3, -2, 0.5, 10];
    const curvature = [1, 100, 0.01, 5];
    const quadratic = (x: readonly number[]) =>
      7 +
      x.reduce((sum, value, i) => sum + (curvature[i] as number) * (value - (centre[i] as number)) ** 2, 0);
    const result = minimizeNelderMead(quadratic, [0, 0, 0, 0], { initialStep: 1 });
    expect(result.converged).toBe(true);
    expect(result.value).toBeCloseTo(7, 10);
    result.x.forEach((value, i) => {
      // Precision in x follows the curvature: the flat 0.01 direction is the loosest.
      expect(Math.abs(value - (centre[i] as number))).toBeLessThan(1e-5);
    });
  });

  it("minimises in one dimension", () => {
    const result = minimizeNelderMead(([x]) => ((x as number) - 3) ** 2, [0]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(3, 7);
  });

  it("treats NaN and Infinity as worse than any value, so an objective may fail outside its domain", () => {
    // x − ln x is NaN for x < 0, which the first reflection from [5, 15] reaches; the minimum is at 1.
    const result = minimizeNelderMead(([x]) => (x as number) - Math.log(x as number), [5], {
      initialStep: 10,
    });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    const infinite = minimizeNelderMead(
      ([x, y]) =>
        (x as number) > 2 ? Number.POSITIVE_INFINITY : ((x as number) - 1) ** 2 + (y as number) ** 2,
      [1.5, 1],
      { initialStep: 2 },
    );
    expect(infinite.x[0]).toBeCloseTo(1, 6);
    expect(infinite.x[1]).toBeCloseTo(0, 6);
  });

  it("refuses a start where the objective is not finite", () => {
    expect(() => minimizeNelderMead(() => Number.NaN, [0, 0])).toThrow(RangeError);
  });

  it("says it did not converge when the iteration budget runs out", () => {
    const result = minimizeNelderMead(rosenbrock, [-1.2, 1], { maxIterations: 20 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(20);
  });

  it("confirms convergence with a restart unless told not to", () => {
    const withRestart = minimizeNelderMead(rosenbrock, [-1.2, 1]);
    expect(withRestart.restarts).toBeGreaterThanOrEqual(1);
    const trusting = minimizeNelderMead(rosenbrock, [-1.2, 1], { maxRestarts: 0 });
    expect(trusting.restarts).toBe(0);
    expect(trusting.converged).toBe(true);
    expect(trusting.iterations).toBeLessThan(withRestart.iterations);
  });
});
