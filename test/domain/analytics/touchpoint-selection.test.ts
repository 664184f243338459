import { describe, expect, it } from "vitest";
import {
  MAX_FEATURES,
  MAX_KIND_FEATURES,
  selectFeatures,
} from "../../../src/domain/analytics/touchpoint-selection.ts";

/**
 * `stages` journey stages over 2,000 customers, stage s reached by the customers whose index is below
 * 60 + 10·s (so every stage is a different set, each larger than the one before), one pattern per customer.
 */
function stagePatterns(stages: number, customers = 2_000) {
  return Array.from({ length: customers }, (_, index) => ({
    features: [
      ...Array.from({ length: stages }, (_, s) => s).flatMap((s) =>
        index < 60 + 10 * s ? [`STAGE:s${s}`] : [],
      ),
      ...(index % 3 === 0 ? ["SLOW_FIRST_REPLY"] : []),
    ],
    positive: index % 4 === 0,
    customers: 1,
  }));
}

describe("selectFeatures", () => {
  it("keeps every eligible, distinct touchpoint while there are few", () => {
    const { selected, capped, leftOut } = selectFeatures(stagePatterns(10), 2_000, 20);
    expect(selected).toHaveLength(11);
    expect(capped).toEqual([]);
    expect(leftOut).toBe(0);
    // The order the model takes them in: response delay first, then the stages by key.
    expect(selected[0]?.key).toBe("SLOW_FIRST_REPLY");
  });

  it(`caps the model at ${MAX_FEATURES} touchpoints, keeping those had by the most customers`, () => {
    const { selected, capped } = selectFeatures(stagePatterns(120), 2_000, 20);
    expect(selected).toHaveLength(MAX_FEATURES);
    expect(capped).toHaveLength(121 - MAX_FEATURES);
    // Stage s is reached by 60 + 10·s customers: the kept ones are the 40 largest stages (over 1,000
    // customers each), the slow reply (667) among those left out.
    const smallestKept = Math.min(...selected.map((c) => c.customers));
    const largestCapped = Math.max(...capped.map((c) => c.customers));
    expect(largestCapped).toBeLessThanOrEqual(smallestKept);
    expect(selected.map((c) => c.key).sort()).toEqual(
      Array.from({ length: MAX_FEATURES }, (_, i) => `STAGE:s${80 + i}`).sort(),
    );
    expect(capped.map((c) => c.key)).toContain("SLOW_FIRST_REPLY");
    expect(new Set([...selected, ...capped].map((c) => c.key)).size).toBe(121);
  });

  it(`still takes at most ${MAX_KIND_FEATURES} interaction kinds`, () => {
    const patterns = Array.from({ length: 500 }, (_, index) => ({
      features: Array.from({ length: 30 }, (_, k) => k).flatMap((k) =>
        index < 30 + 5 * k ? [`KIND:k${k}`] : [],
      ),
      positive: index % 2 === 0,
      customers: 1,
    }));
    const { selected, leftOut } = selectFeatures(patterns, 500, 20);
    expect(selected).toHaveLength(MAX_KIND_FEATURES);
    expect(leftOut).toBe(10);
  });
});
