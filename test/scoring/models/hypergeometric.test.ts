import { describe, expect, it } from "vitest";
import {
  HypergeometricConvergenceError,
  hypergeometric2F1,
  hypergeometricPFQ,
  hypergeometricPFQOrNull,
} from "../../../src/scoring/models/hypergeometric.ts";

function expectRelative(actual: number, expected: number, tolerance: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

describe("hypergeometric2F1", () => {
  it.for([0.01, 0.3, 0.5, 0.9, 0.99, 0.999])("equals −ln(1−z)/z for 2F1(1, 1; 2; %s)", (z) => {
    expectRelative(hypergeometric2F1(1, 1, 2, z), -Math.log1p(-z) / z, 1e-13);
  });

  it.for([
    [2.5, 0.7, 0.6],
    [0.243, 4.2, 0.47],
    [-0.3, 1.5, 0.9],
    [12, 3, 0.8],
  ])("equals (1−z)^(−a) for 2F1(%s, b; b; z) with b=%s, z=%s", ([a, b, z]) => {
    expectRelative(
      hypergeometric2F1(a as number, b as number, b as number, z as number),
      (1 - (z as number)) ** -(a as number),
      1e-13,
    );
  });

  it("equals arcsin(z)/z for 2F1(½, ½; 3/2; z²)", () => {
    for (const z of [0.2, 0.7, 0.95])
      expectRelative(hypergeometric2F1(0.5, 0.5, 1.5, z * z), Math.asin(z) / z, 1e-13);
  });

  it("is the polynomial it reduces to when a numerator is a negative integer", () => {
    const [b, c, z] = [3.3, 1.7, 0.8];
    const expected = 1 - (2 * b * z) / c + (b * (b + 1) * z * z) / (c * (c + 1));
    expectRelative(hypergeometric2F1(-2, b, c, z), expected, 1e-14);
  });

  it("is 1 at z = 0 and handles a negative, non-integer denominator", () => {
    expect(hypergeometric2F1(3, 4, 5, 0)).toBe(1);
    // 2F1(a, b; b; z) = (1−z)^(−a) holds for any b that is not a non-positive integer.
    expectRelative(hypergeometric2F1(1.3, -0.4, -0.4, 0.5), 0.5 ** -1.3, 1e-13);
  });

  it("sums alternating series for negative z", () => {
    expectRelative(hypergeometric2F1(1, 1, 2, -0.5), Math.log(1.5) / 0.5, 1e-13);
  });

  it("refuses z outside (−1, 1) and undefined denominators", () => {
    expect(() => hypergeometric2F1(1, 1, 2, 1)).toThrow(RangeError);
    expect(() => hypergeometric2F1(1, 1, 2, -1)).toThrow(RangeError);
    expect(() => hypergeometric2F1(1, 1, 0, 0.5)).toThrow(RangeError);
    expect(() => hypergeometric2F1(1, 1, -2, 0.5)).toThrow(RangeError);
    expect(() => hypergeometric2F1(Number.NaN, 1, 2, 0.5)).toThrow(RangeError);
  });

  it("throws instead of returning a partial sum when the series has not converged", () => {
    expect(() => hypergeometric2F1(1, 1, 2, 0.99, { maxTerms: 50 })).toThrow(HypergeometricConvergenceError);
    expect(() => hypergeometric2F1(1, 1, 2, 0.99, { maxTerms: 50 })).toThrow(/maxTerms/);
  });
});

describe("hypergeometricPFQ", () => {
  it("gives Li₂(z)/z for 3F2(1, 1, 1; 2, 2; z)", () => {
    const dilogarithmOfHalf = (Math.PI * Math.PI) / 12 - Math.log(2) ** 2 / 2;
    expectRelative(hypergeometricPFQ([1, 1, 1], [2, 2], 0.5), dilogarithmOfHalf / 0.5, 1e-13);
  });

  it("gives (1−z)^(−a) for 1F0(a;; z) and refuses mismatched parameter counts", () => {
    expectRelative(hypergeometricPFQ([1.7], [], 0.4), 0.6 ** -1.7, 1e-13);
    expect(() => hypergeometricPFQ([1, 1], [1, 1], 0.5)).toThrow(RangeError);
  });
});

describe("hypergeometricPFQOrNull", () => {
  it("is the same sum when the series converges", () => {
    expect(hypergeometricPFQOrNull([1, 1, 1], [2, 2], 0.5)).toBe(hypergeometricPFQ([1, 1, 1], [2, 2], 0.5));
  });

  it("is null instead of an error when the terms overflow or are too many", () => {
    // The BG/NBD series with a and b in the millions: the terms grow like e^(a·z) and overflow.
    expect(hypergeometricPFQOrNull([11879592.6, 2697179.9, 1], [11879596.5, 2], 0.4973)).toBeNull();
    expect(hypergeometricPFQOrNull([1, 1], [2], 0.99, { maxTerms: 50 })).toBeNull();
  });

  it("still refuses invalid arguments", () => {
    expect(() => hypergeometricPFQOrNull([1, 1], [0], 0.5)).toThrow(RangeError);
    expect(() => hypergeometricPFQOrNull([1, 1], [2], 1)).toThrow(RangeError);
  });
});
