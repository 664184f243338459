import { describe, expect, it } from "vitest";
import { integrateAdaptively } from "../../../src/scoring/models/gauss-kronrod.ts";
import { relativeError } from "./cdnow.ts";

describe("integrateAdaptively", () => {
  it("integrates a polynomial of degree 22 on one panel exactly", () => {
    const [value] = integrateAdaptively(
      (y, out) => {
        out[0] = 23 * y ** 22;
      },
      1,
      [0, 1],
    );
    expect(value).toBeCloseTo(1, 14);
  });

  it("computes several integrals over the same nodes", () => {
    const [gaussian, first, second] = integrateAdaptively(
      (y, out) => {
        const density = Math.exp((-y * y) / 2) / Math.sqrt(2 * Math.PI);
        out[0] = density;
        out[1] = y * density;
        out[2] = y * y * density;
      },
      3,
      [-40, 0, 40],
    );
    expect(relativeError(gaussian as number, 1)).toBeLessThan(1e-13);
    expect(Math.abs(first as number)).toBeLessThan(1e-14);
    expect(relativeError(second as number, 1)).toBeLessThan(1e-12);
  });

  it("resolves a narrow peak given breakpoints at its scale (it cannot find what no node samples)", () => {
    // ∫ e^(−|y − 1|/w) dy over [−50, 50] = 2w for a narrow peak of width w; panels double in width
    // away from it, as the BG/NBD expectation lays them out from the mode of its density.
    const width = 1e-3;
    const steps = Array.from({ length: 15 }, (_, k) => width * 2 ** k);
    const [value] = integrateAdaptively(
      (y, out) => {
        out[0] = Math.exp(-Math.abs(y - 1) / width);
      },
      1,
      [-50, ...steps.map((step) => 1 - step).reverse(), 1, ...steps.map((step) => 1 + step), 50],
    );
    expect(relativeError(value as number, 2 * width)).toBeLessThan(1e-12);
  });

  it("integrates an endpoint singularity to the tolerance by bisecting towards it", () => {
    const [value] = integrateAdaptively(
      (y, out) => {
        out[0] = 1 / Math.sqrt(y);
      },
      1,
      [0, 1],
      { tolerance: 1e-10 },
    );
    expect(relativeError(value as number, 2)).toBeLessThan(1e-9);
  });
});
