import { describe, expect, test } from "vitest";
import { medianRound } from "./median-round.ts";

describe("medianRound", () => {
  const round = (seconds: number, cpu: number) => ({ seconds, cpu });

  test("keeps the middle round whole, whatever order the rounds came in", () => {
    const rounds = [round(14.5, 9), round(12.7, 7), round(13.2, 8)];
    expect(medianRound(rounds, (r) => r.seconds)).toEqual(round(13.2, 8));
  });

  test("takes the lower middle round of an even count, and the one round of one", () => {
    expect(medianRound([round(4, 1), round(3, 2), round(5, 3), round(6, 4)], (r) => r.seconds)).toEqual(
      round(4, 1),
    );
    expect(medianRound([round(3.4, 2)], (r) => r.seconds)).toEqual(round(3.4, 2));
  });

  test("refuses to make up a round when none was measured", () => {
    expect(() => medianRound([], (r: { seconds: number }) => r.seconds)).toThrow(/No measured round/);
  });
});
