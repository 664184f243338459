import { describe, expect, it } from "vitest";
import {
  driverSentence,
  ratio,
  slowReplyTouchpoint,
  stageTouchpoint,
} from "../../../src/domain/analytics/driver-sentences.ts";

describe("driver sentences", () => {
  it("writes ratios with two significant digits, never in exponent notation", () => {
    expect([2.13, 3, 0.4519, 12.4, 143.2, 0.0456].map(ratio)).toEqual([
      "2.1",
      "3.0",
      "0.45",
      "12",
      "143",
      "0.046",
    ]);
  });

  it("says a raised outcome as '× as likely', with the interval and the count", () => {
    expect(
      driverSentence(
        slowReplyTouchpoint(4 * 3600),
        "NPS_DETRACTOR",
        { estimate: 2.1, lower: 1.6, upper: 2.8 },
        412,
      ),
    ).toBe(
      "Customers who waited over 4 h for a first reply are 2.1× as likely to be detractors (NPS 0–6) (95% CI 1.6–2.8), 412 customers.",
    );
  });

  it("says a lowered outcome as a percentage less likely", () => {
    expect(
      driverSentence(
        stageTouchpoint("Onboarding", "Onboarded"),
        "LAPSED",
        { estimate: 0.45, lower: 0.33, upper: 0.6 },
        1,
      ),
    ).toBe(
      "Customers who reached the stage “Onboarded” of the journey “Onboarding” are 55% less likely to lapse: 0.45× as likely (95% CI 0.33–0.60), 1 customer.",
    );
  });

  it("claims no effect when the interval includes 1", () => {
    expect(
      driverSentence(
        slowReplyTouchpoint(90 * 60),
        "CSAT_SATISFIED",
        { estimate: 1.1, lower: 0.8, upper: 1.5 },
        30,
      ),
    ).toBe(
      "Customers who waited over 90 min for a first reply show no clear effect on how likely they are to be satisfied (CSAT 4–5): 1.1× (95% CI 0.80–1.5, which includes no effect), 30 customers.",
    );
  });
});
