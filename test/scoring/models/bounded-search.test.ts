import { describe, expect, it } from "vitest";
import { maximizeInBox, SHAPE_BOUNDS } from "../../../src/scoring/models/bounded-search.ts";

const box = { x: SHAPE_BOUNDS, y: SHAPE_BOUNDS };

describe("maximizeInBox", () => {
  it("finds an interior maximum, with nothing on a bound", () => {
    const fit = maximizeInBox(
      ({ x, y }: { x: number; y: number }) => -((Math.log(x) - 1) ** 2) - 3 * (Math.log(y) + 2) ** 2,
      { x: 1, y: 1 },
      box,
    );
    expect(fit.parameters.x).toBeCloseTo(Math.E, 6);
    expect(fit.parameters.y).toBeCloseTo(Math.exp(-2), 6);
    expect(fit.atBound).toEqual([]);
    expect(fit.converged).toBe(true);
  });

  it("stops on the bound when the likelihood keeps rising beyond it, and says which parameter", () => {
    const fit = maximizeInBox(
      ({ x, y }: { x: number; y: number }) => -((Math.log(x) - 1) ** 2) + Math.log(y),
      { x: 1, y: 1 },
      box,
    );
    expect(fit.parameters.y).toBe(1e4);
    expect(fit.parameters.x).toBeCloseTo(Math.E, 6);
    expect(fit.atBound).toEqual(["y"]);
    expect(fit.converged).toBe(true);
    expect(fit.logLikelihood).toBeCloseTo(Math.log(1e4), 10);
  });

  it("stops on a lower bound too, at exactly the bound", () => {
    const fit = maximizeInBox(({ x, y }: { x: number; y: number }) => -x - (y - 2) ** 2, { x: 1, y: 1 }, box);
    expect(fit.parameters.x).toBe(1e-4);
    expect(fit.parameters.y).toBeCloseTo(2, 6);
    expect(fit.atBound).toEqual(["x"]);
  });

  it("follows a flat ridge to the bound and settles there (BG/NBD's a and b growing at a fixed ratio)", () => {
    // Steep across the ridge a/b = 0.05, rising ever more slowly along it: the shape of a
    // likelihood where every customer has the same drop-out probability.
    const ridge = ({ a, b }: { a: number; b: number }) =>
      -1000 * (Math.log(a / b) - Math.log(0.05)) ** 2 - 1 / (a + b);
    const fit = maximizeInBox(ridge, { a: 1, b: 1 }, { a: SHAPE_BOUNDS, b: SHAPE_BOUNDS });
    expect(fit.parameters.b).toBe(1e4);
    expect(fit.parameters.a).toBeCloseTo(500, 3);
    expect(fit.atBound).toEqual(["b"]);
    expect(fit.converged).toBe(true);
  });

  it("finds a maximum just inside a bound rather than holding the parameter on it", () => {
    const peak = 0.995e4; // within the 1 % where the search first holds a parameter
    const fit = maximizeInBox(
      ({ x, y }: { x: number; y: number }) => -1000 * (Math.log(x) - Math.log(peak)) ** 2 - (y - 3) ** 2,
      { x: 1, y: 1 },
      box,
    );
    expect(fit.parameters.x).toBeCloseTo(peak, 2);
    expect(fit.atBound).toEqual([]);
    expect(fit.converged).toBe(true);
  });

  it("starts from the nearest point of the box when the given start is outside it", () => {
    const fit = maximizeInBox(
      ({ x, y }: { x: number; y: number }) => -((Math.log(x) - 1) ** 2) - (Math.log(y) - 1) ** 2,
      { x: 1e9, y: 1e-9 },
      box,
    );
    expect(fit.parameters.x).toBeCloseTo(Math.E, 6);
    expect(fit.parameters.y).toBeCloseTo(Math.E, 6);
  });

  it("refuses a box whose bounds are not positive and ordered", () => {
    const flat = () => 0;
    expect(() => maximizeInBox(flat, { x: 1 }, { x: [2, 1] })).toThrow(RangeError);
    expect(() => maximizeInBox(flat, { x: 1 }, { x: [-1, 1] })).toThrow(RangeError);
  });
});
