// The hub's one sentiment scale: s / √(s² + 15) of the AFINN-165 sum s, 3 decimals. Expected values
// are worked out by hand from the AFINN valences (love +3, thanks +2, terrible −3, awful −3, good +3).
import { describe, expect, test } from "vitest";
import { scoreSentiment } from "../../src/sdk/sentiment.ts";

describe("scoreSentiment", () => {
  test.for([
    // s = 3: 3 / √24 = 0.61237…
    ["I love it", 0.612],
    // s = 2: 2 / √19 = 0.45883…
    ["Thanks!", 0.459],
    // s = −3: the one word of an emphatic short message reads clearly negative, not saturated.
    ["Terrible!", -0.612],
    // s = −12: −12 / √159 = −0.95166…
    ["awful, awful, awful, AWFUL", -0.952],
    // s = 3 − 3 = 0: praise and complaint cancel out.
    ["Great product, terrible delivery", 0],
  ] as const)("%j scores %d", ([text, expected]) => {
    expect(scoreSentiment(text)).toBe(expected);
  });

  test("a negator flips the word after it, and the scale is symmetric", () => {
    expect(scoreSentiment("good")).toBe(0.612);
    expect(scoreSentiment("not good")).toBe(-0.612);
  });

  test("a text with words but none in the word list is neutral: 0, never -0", () => {
    const score = scoreSentiment("The parcel arrived on Tuesday.");
    expect(score).toBe(0);
    expect(Object.is(score, -0)).toBe(false);
  });

  test.for(["", "   \n\t", "!!! ... ???"])("a text without words (%j) has no sentiment", (text) => {
    expect(scoreSentiment(text)).toBeUndefined();
  });

  test("stays within [-1, 1] however emphatic the text, reaching the ends only by rounding", () => {
    // s = −30000: −30000 / √(9·10⁸ + 15) rounds to −1.000.
    expect(scoreSentiment("hate ".repeat(10_000))).toBe(-1);
    expect(scoreSentiment("love ".repeat(10_000))).toBe(1);
    // s = 9: 9 / √96 = 0.9186…, strictly inside.
    expect(scoreSentiment("happy happy joy")).toBe(0.919);
  });

  test("a long text does not drown out its one strong word", () => {
    const filler = "the order number is on the receipt we sent with the parcel ".repeat(20);
    // The mean valence per word would be −3 / 241 ≈ −0.012; the sum keeps the complaint's weight.
    expect(scoreSentiment(`${filler} terrible`)).toBe(-0.612);
  });

  test("adds up the valences of every word it knows", () => {
    // thanks +2, broken −1, disappointed −2: s = −1, and −1 / √16 = −0.25 exactly.
    expect(scoreSentiment("Thanks, but the kettle arrived broken and I am disappointed.")).toBe(-0.25);
  });
});
