import { describe, expect, it } from "vitest";
import { areaUnderRocCurve } from "../../../src/scoring/models/auc.ts";

/** The definition, pair by pair: P(score of a positive > score of a negative) + ½ P(tie). O(n²). */
function aucByPairs(scores: readonly number[], labels: readonly boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((positive, i) => {
    if (!labels[i]) return;
    scores.forEach((negative, j) => {
      if (labels[j]) return;
      pairs++;
      wins += positive > negative ? 1 : positive === negative ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

/** A small seeded generator so the random case is the same on every run. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("areaUnderRocCurve", () => {
  it("is 1 for a perfect ranking and 0 for a perfectly wrong one", () => {
    expect(areaUnderRocCurve([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(areaUnderRocCurve([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
  });

  it("is 0.5 when every score is the same", () => {
    expect(areaUnderRocCurve([0.3, 0.3, 0.3, 0.3, 0.3], [true, false, false, true, false])).toBe(0.5);
  });

  it("counts one discordant pair out of four: 0.75", () => {
    expect(areaUnderRocCurve([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBe(0.75);
  });

  it("counts a tie between a positive and a negative as half a win: 3.5 / 4", () => {
    expect(areaUnderRocCurve([1, 2, 2, 3], [false, true, false, true])).toBe(0.875);
  });

  it("does not depend on the order of the customers", () => {
    expect(areaUnderRocCurve([3, 2, 1, 2], [true, false, false, true])).toBe(0.875);
  });

  it("agrees with the pairwise definition on a large random case with many ties", () => {
    const random = mulberry32(42);
    const labels = Array.from({ length: 2000 }, () => random() < 0.3);
    const scores = labels.map((label) => Math.round((random() + (label ? 0.3 : 0)) * 20) / 20);
    expect(areaUnderRocCurve(scores, labels)).toBeCloseTo(aucByPairs(scores, labels), 12);
  });

  it("orders infinite scores", () => {
    expect(
      areaUnderRocCurve(
        [Number.NEGATIVE_INFINITY, 0, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
        [false, false, true, true],
      ),
    ).toBe(1);
  });

  it("refuses cases where the AUC is undefined or the input is malformed", () => {
    expect(() => areaUnderRocCurve([0.1, 0.2], [true, true])).toThrow(RangeError);
    expect(() => areaUnderRocCurve([0.1, 0.2], [false, false])).toThrow(RangeError);
    expect(() => areaUnderRocCurve([0.1], [true, false])).toThrow(RangeError);
    expect(() => areaUnderRocCurve([Number.NaN, 0.2], [true, false])).toThrow(RangeError);
  });
});
