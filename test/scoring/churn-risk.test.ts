import { describe, expect, it } from "vitest";
import { DEFAULT_SCORING_POLICY, scoringPolicySchema } from "../../src/policy/scoring-policy.ts";
import { explainReasons } from "../../src/scoring/churn-reasons.ts";
import {
  articleForNumber,
  assessChurnRisk,
  type ChurnAssessment,
  type ChurnFactor,
  type ChurnReason,
  churnReasonsSchema,
  churnRiskLevel,
  defaultChurnWeights,
  type PurchaseOutlook,
} from "../../src/scoring/churn-risk.ts";
import type { CustomerSignals, SurveyAnswer } from "../../src/scoring/customer-signals.ts";

const DAY_MS = 86_400_000;
const asOf = new Date("2026-11-23T12:00:00Z");
const daysBefore = (days: number) => new Date(Date.UTC(2026, 10, 23) - days * DAY_MS);
const answeredOn = new Date("2026-11-01T09:30:00Z");
const policy = DEFAULT_SCORING_POLICY;
const w = DEFAULT_SCORING_POLICY.weights;

// The formula, written out independently of the code under test.
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

/** A customer with no purchases and nothing to say on any other channel. */
function signals(overrides: Partial<CustomerSignals> = {}): CustomerSignals {
  return {
    customerId: "0190f5a2-0000-7000-8000-000000000001",
    ownerId: null,
    purchases: null,
    recentInteractions: 0,
    baselineInteractions: 0,
    averageSentiment: null,
    sentimentMessages: 0,
    latestNps: null,
    latestCsat: null,
    latestCes: null,
    unansweredMessages: 0,
    firstActivityAt: null,
    lastActivityAt: null,
    ...overrides,
  };
}

/** A customer who bought on `transactions` days, the last `lastDaysAgo` days before asOf. */
function buyer(transactions: number, lastDaysAgo: number, overrides: Partial<CustomerSignals> = {}) {
  return signals({
    purchases: {
      transactions,
      firstDay: daysBefore(400),
      lastDay: daysBefore(lastDaysAgo),
      repeatSpend: transactions > 1 ? 40 * (transactions - 1) : null,
      repeatTransactionsWithValue: transactions - 1,
      totalSpend: null,
      transactionsWithValue: 0,
    },
    ...overrides,
  });
}

/**
 * What the purchase model says about `buyer(transactions, lastDaysAgo)`: a chance of no purchase of
 * `probabilityNoPurchase`, and as many expected purchases as would have that Poisson chance of none
 * (the model's own expectation is larger: test "scores the purchase model's own chance of none").
 */
function outlook(probabilityNoPurchase: number, transactions = 4, lastDaysAgo = 30): PurchaseOutlook {
  return {
    transactions,
    lastDay: daysBefore(lastDaysAgo),
    probabilityAlive: 1 - probabilityNoPurchase / 2,
    expectedPurchases: -Math.log(probabilityNoPurchase),
    probabilityOfNoPurchase: probabilityNoPurchase,
  };
}

const answer = (score: number): SurveyAnswer => ({ score, respondedAt: answeredOn });

/** Only the other channels: no purchases, so the score starts from log-odds 0. */
const assessSignals = (overrides: Partial<CustomerSignals>, withPolicy = policy) =>
  assessChurnRisk(signals(overrides), null, defaultChurnWeights(withPolicy), withPolicy, asOf);

function reason(assessment: ChurnAssessment, factor: ChurnFactor): ChurnReason {
  const found = assessment.reasons.find((r) => r.factor === factor);
  if (!found) throw new Error(`no ${factor} reason in ${JSON.stringify(assessment.reasons)}`);
  return found;
}

const factors = (assessment: ChurnAssessment) => assessment.reasons.map((r) => r.factor);
const sumOfWeights = (assessment: ChurnAssessment) =>
  assessment.reasons.reduce((sum, r) => sum + r.weight, 0);

describe("assessChurnRisk: the starting point", () => {
  it("starts a customer without purchases or other signals at 50%, MEDIUM, health 50", () => {
    const result = assessChurnRisk(signals(), null, defaultChurnWeights(policy), policy, asOf);
    expect(result).toEqual({
      churnRisk: 0.5,
      level: "MEDIUM",
      health: 50,
      reasonValues: [
        { factor: "NO_PURCHASES", value: 0, contribution: 0, weight: 0, facts: { learned: false } },
      ],
      reasons: [
        {
          factor: "NO_PURCHASES",
          value: 0,
          contribution: 0,
          weight: 0,
          explanation: "No purchases yet, so the score starts from 50% and only the other signals move it.",
        },
      ],
    });
  });

  it("does not score purchases before a purchase model is fitted, and says how to fit one", () => {
    const result = assessChurnRisk(buyer(3, 10), null, defaultChurnWeights(policy), policy, asOf);
    expect(result.churnRisk).toBe(0.5);
    expect(result.level).toBe("MEDIUM");
    expect(result.health).toBe(50);
    expect(result.reasons).toEqual([
      {
        factor: "NO_PURCHASE_MODEL",
        value: 3,
        contribution: 0,
        weight: 0,
        explanation: expect.stringContaining("an admin can run refitScoreModel"),
      },
    ]);
  });

  it("keeps the starting point last, with weight 0, when other signals move the score", () => {
    const result = assessSignals({ latestNps: answer(0) });
    expect(factors(result)).toEqual(["NPS", "NO_PURCHASES"]);
    expect(reason(result, "NPS").weight).toBe(1);
    expect(reason(result, "NO_PURCHASES").weight).toBe(0);
  });
});

describe("assessChurnRisk: the purchase outlook", () => {
  it("takes the model's 90% chance of no purchase as a 90% churn risk: CRITICAL", () => {
    const result = assessChurnRisk(buyer(4, 30), outlook(0.9), defaultChurnWeights(policy), policy, asOf);
    expect(result.churnRisk).toBeCloseTo(0.9, 12);
    expect(result.level).toBe("CRITICAL");
    expect(result.health).toBe(10);
    expect(result.reasons).toEqual([
      {
        factor: "PURCHASE_PATTERN",
        value: 0.9,
        contribution: logit(0.9),
        weight: 1,
        explanation:
          "4 purchases, most recently 30 days ago: the purchase model expects 0.11 purchases in the next 90 days, a 90% chance of none; that raises the risk.",
      },
    ]);
  });

  it("takes a 20% chance of no purchase as a 20% churn risk: LOW, with a negative contribution", () => {
    const result = assessChurnRisk(buyer(4, 30), outlook(0.2), defaultChurnWeights(policy), policy, asOf);
    expect(result.churnRisk).toBeCloseTo(0.2, 12);
    expect(result.level).toBe("LOW");
    expect(result.health).toBe(80);
    expect(reason(result, "PURCHASE_PATTERN").contribution).toBeCloseTo(Math.log(0.2 / 0.8), 12);
  });

  it("names one purchase, yesterday, and the policy's horizon", () => {
    const sixtyDays = scoringPolicySchema.parse({ churnHorizonDays: 60 });
    const result = assessChurnRisk(
      buyer(1, 1),
      outlook(0.35, 1, 1),
      defaultChurnWeights(sixtyDays),
      sixtyDays,
      asOf,
    );
    expect(reason(result, "PURCHASE_PATTERN").explanation).toBe(
      "One purchase yesterday: the purchase model expects 1.05 purchases in the next 60 days, a 35% chance of none; that lowers the risk.",
    );
  });

  it("says today for a purchase on the day of the assessment", () => {
    const result = assessChurnRisk(
      buyer(2, 0),
      outlook(0.05, 2, 0),
      defaultChurnWeights(policy),
      policy,
      asOf,
    );
    expect(reason(result, "PURCHASE_PATTERN").explanation).toBe(
      "2 purchases, most recently today: the purchase model expects 3.00 purchases in the next 90 days, a 5% chance of none; that lowers the risk.",
    );
  });

  it("says when the latest of several purchases was, and an 8% chance with its article", () => {
    const result = assessChurnRisk(
      buyer(3, 1),
      outlook(0.08, 3, 1),
      defaultChurnWeights(policy),
      policy,
      asOf,
    );
    expect(reason(result, "PURCHASE_PATTERN").explanation).toBe(
      "3 purchases, most recently yesterday: the purchase model expects 2.53 purchases in the next 90 days, an 8% chance of none; that lowers the risk.",
    );
  });

  it("scores the purchase model's own chance of none, not the Poisson chance of its expectation", () => {
    // A one-time buyer 270 days silent, as CDNOW's MBG/NBD sees one over 273 days: 0.15 purchases
    // expected, whose Poisson chance of none is 86%, but a 90% chance of none, since the customer may
    // have dropped out and the rate is uncertain.
    const horizon = scoringPolicySchema.parse({ churnHorizonDays: 273 });
    const result = assessChurnRisk(
      buyer(1, 270),
      { ...outlook(0.9, 1, 270), expectedPurchases: 0.15 },
      defaultChurnWeights(horizon),
      horizon,
      asOf,
    );
    expect(result.churnRisk).toBeCloseTo(0.9, 12);
    expect(reason(result, "PURCHASE_PATTERN")).toMatchObject({
      value: 0.9,
      explanation:
        "One purchase 270 days ago: the purchase model expects 0.15 purchases in the next 273 days, a 90% chance of none; that raises the risk.",
    });
  });

  it("reads the expectation back from the chance of none in a reason stored before it was cited", () => {
    const stored = {
      factor: "PURCHASE_PATTERN" as const,
      value: Math.exp(-0.25),
      contribution: 1.3,
      weight: 1,
      facts: { purchases: 2, lastPurchaseOn: "2026-08-15", horizonDays: 90 },
    };
    const [read] = explainReasons([stored], { now: asOf, computedAt: asOf });
    expect(read?.explanation).toContain(
      "the purchase model expects 0.25 purchases in the next 90 days, a 78% chance of none",
    );
    const cited = { ...stored, value: 0.8, facts: { ...stored.facts, expectedPurchases: 0.25 } };
    const [fresh] = explainReasons([cited], { now: asOf, computedAt: asOf });
    expect(fresh?.explanation).toContain(
      "the purchase model expects 0.25 purchases in the next 90 days, an 80% chance of none",
    );
  });

  it("reads the article off the number as it is said: an 8, an 11, an 18, an 80, a 1, a 100", () => {
    const articles = [1, 8, 11, 12, 18, 80, 86, 100, 110, 180, 800, 11_000, 18_500, 110_000].map(
      (n) => `${articleForNumber(n)} ${n}`,
    );
    expect(articles).toEqual([
      "a 1",
      "an 8",
      "an 11",
      "a 12",
      "an 18",
      "an 80",
      "an 86",
      "a 100",
      "a 110",
      "a 180",
      "an 800",
      "an 11000",
      "an 18500",
      "a 110000",
    ]);
  });

  it("counts whole days since the last purchase (30.5 days is 30)", () => {
    // asOf is noon; the last purchase day starts at midnight UTC, 30 days and 12 hours earlier.
    const result = assessChurnRisk(
      buyer(5, 30),
      outlook(0.5, 5, 30),
      defaultChurnWeights(policy),
      policy,
      asOf,
    );
    expect(reason(result, "PURCHASE_PATTERN").explanation).toMatch(
      /^5 purchases, most recently 30 days ago: /,
    );
  });

  it("clamps certainties so that P(no purchase) of exactly 0 or 1 gives a finite score", () => {
    const floor = 1e-4;
    const never = assessChurnRisk(buyer(9, 2), outlook(0, 9, 2), defaultChurnWeights(policy), policy, asOf);
    expect(Number.isFinite(never.churnRisk)).toBe(true);
    expect(reason(never, "PURCHASE_PATTERN")).toMatchObject({ value: 0, contribution: logit(floor) });
    expect(never.churnRisk).toBeCloseTo(floor, 12);
    expect(never.level).toBe("LOW");
    expect(never.health).toBe(100);

    const certain = assessChurnRisk(
      buyer(2, 300),
      outlook(1, 2, 300),
      defaultChurnWeights(policy),
      policy,
      asOf,
    );
    expect(Number.isFinite(certain.churnRisk)).toBe(true);
    expect(reason(certain, "PURCHASE_PATTERN")).toMatchObject({ value: 1, contribution: logit(1 - floor) });
    expect(certain.churnRisk).toBeCloseTo(1 - floor, 12);
    expect(certain.level).toBe("CRITICAL");
    expect(certain.health).toBe(0);
  });

  it("lists an even 50% outlook though it moves nothing", () => {
    const result = assessChurnRisk(
      buyer(3, 40),
      outlook(0.5, 3, 40),
      defaultChurnWeights(policy),
      policy,
      asOf,
    );
    expect(result.churnRisk).toBe(0.5);
    expect(result.reasons).toEqual([expect.objectContaining({ factor: "PURCHASE_PATTERN", weight: 0 })]);
  });

  it("adds the other channels to the purchase log-odds", () => {
    const result = assessChurnRisk(
      buyer(4, 30, { latestNps: answer(0) }),
      outlook(0.9),
      defaultChurnWeights(policy),
      policy,
      asOf,
    );
    expect(result.churnRisk).toBeCloseTo(1 / (1 + Math.exp(-(Math.log(0.9 / 0.1) + 1.2 * 1))), 12);
  });
});

describe("assessChurnRisk: engagement drop", () => {
  // Defaults: a 30-day recent window against the 180 days before it, so 12 baseline interactions
  // make about 12 · 30 / 180 = 2 expected in the recent window.
  it("is a full drop (value 1) when a customer with 12 baseline interactions goes silent", () => {
    const result = assessSignals({ baselineInteractions: 12, recentInteractions: 0 });
    expect(reason(result, "ENGAGEMENT_DROP")).toEqual({
      factor: "ENGAGEMENT_DROP",
      value: 1,
      contribution: w.engagementDrop,
      weight: 1,
      explanation:
        "0 interactions (purchases included) in the last 30 days where about 2 were usual before: activity is down 100%, which raises the risk.",
    });
    expect(result.churnRisk).toBeCloseTo(sigmoid(1.5 * 1), 12);
  });

  it("is half a drop with one interaction where two were usual", () => {
    const result = assessSignals({ baselineInteractions: 12, recentInteractions: 1 });
    expect(reason(result, "ENGAGEMENT_DROP")).toMatchObject({
      value: 0.5,
      contribution: 1.5 * 0.5,
      explanation:
        "1 interaction (purchases included) in the last 30 days where about 2 were usual before: activity is down 50%, which raises the risk.",
    });
    expect(result.churnRisk).toBeCloseTo(sigmoid(0.75), 12);
  });

  it.for([
    ["as usual", 2],
    ["busier than usual", 5],
  ] as const)("is no factor when activity is %s (%s where 2 were usual)", ([, recent]) => {
    const result = assessSignals({ baselineInteractions: 12, recentInteractions: recent });
    expect(factors(result)).toEqual(["NO_PURCHASES"]);
    expect(result.churnRisk).toBe(0.5);
  });

  it("needs minBaselineInteractions (3) of history before it calls a drop", () => {
    const tooLittle = assessSignals({ baselineInteractions: 2, recentInteractions: 0 });
    expect(factors(tooLittle)).toEqual(["NO_PURCHASES"]);
    expect(tooLittle.churnRisk).toBe(0.5);

    const enough = assessSignals({ baselineInteractions: 3, recentInteractions: 0 });
    expect(reason(enough, "ENGAGEMENT_DROP")).toMatchObject({
      value: 1,
      explanation:
        "0 interactions (purchases included) in the last 30 days where about 0.5 were usual before: activity is down 100%, which raises the risk.",
    });
  });

  it("compares windows of the policy's lengths", () => {
    const custom = scoringPolicySchema.parse({
      windows: { recentActivityDays: 14, baselineActivityDays: 70, minBaselineInteractions: 10 },
    });
    // 20 · 14 / 70 = 4 expected; 1 seen is a drop of 0.75.
    const result = assessSignals({ baselineInteractions: 20, recentInteractions: 1 }, custom);
    expect(reason(result, "ENGAGEMENT_DROP")).toMatchObject({
      value: 0.75,
      explanation:
        "1 interaction (purchases included) in the last 14 days where about 4 were usual before: activity is down 75%, which raises the risk.",
    });
  });
});

describe("assessChurnRisk: sentiment", () => {
  it("raises the risk for negative messages: contribution = −weight × average", () => {
    const result = assessSignals({ averageSentiment: -0.6, sentimentMessages: 4 });
    expect(reason(result, "SENTIMENT")).toEqual({
      factor: "SENTIMENT",
      value: -0.6,
      contribution: -w.sentiment * -0.6,
      weight: 1,
      explanation:
        "4 recent messages from the customer read negative on average (sentiment -0.60 on a scale from −1 to 1, last 90 days): that raises the risk.",
    });
    expect(result.churnRisk).toBeCloseTo(sigmoid(1.5 * 0.6), 12);
  });

  it("lowers the risk for positive messages", () => {
    const result = assessSignals({ averageSentiment: 0.4, sentimentMessages: 1 });
    expect(reason(result, "SENTIMENT")).toMatchObject({
      value: 0.4,
      contribution: -1.5 * 0.4,
      explanation:
        "1 recent message from the customer read positive on average (sentiment 0.40 on a scale from −1 to 1, last 90 days): that lowers the risk.",
    });
    expect(result.churnRisk).toBeCloseTo(sigmoid(-0.6), 12);
    expect(result.level).toBe("LOW");
  });

  it("is no factor without messages that carry a sentiment", () => {
    expect(factors(assessSignals({ averageSentiment: null, sentimentMessages: 0 }))).toEqual([
      "NO_PURCHASES",
    ]);
    expect(factors(assessSignals({ averageSentiment: -0.9, sentimentMessages: 0 }))).toEqual([
      "NO_PURCHASES",
    ]);
  });

  it("moves the risk but gets no line when its contribution is under 0.01", () => {
    // −1.5 × 0.004 = −0.006: too small to explain, still part of the sum.
    const result = assessSignals({ averageSentiment: 0.004, sentimentMessages: 2 });
    expect(factors(result)).toEqual(["NO_PURCHASES"]);
    expect(result.churnRisk).toBeCloseTo(sigmoid(-0.006), 12);
  });
});

describe("assessChurnRisk: surveys", () => {
  // NPS strength: detractors 0.4 (a 6) to 1 (a 0), passives 0, promoters −0.5.
  it.for([
    [0, 1, "a detractor"],
    [3, 0.7, "a detractor"],
    [6, 0.4, "a detractor"],
    [9, -0.5, "a promoter"],
    [10, -0.5, "a promoter"],
  ] as const)("NPS %s has strength %s: %s", ([score, strength, kind]) => {
    const result = assessSignals({ latestNps: answer(score) });
    expect(reason(result, "NPS")).toEqual({
      factor: "NPS",
      value: score,
      contribution: expect.closeTo(w.nps * strength, 12),
      weight: 1,
      explanation: `Answered ${score} to the NPS survey on 2026-11-01, ${kind}: that ${strength > 0 ? "raises" : "lowers"} the risk.`,
    });
    expect(result.churnRisk).toBeCloseTo(sigmoid(1.2 * strength), 12);
  });

  it.for([7, 8])("NPS %s is a passive and no factor", (score) => {
    const result = assessSignals({ latestNps: answer(score) });
    expect(factors(result)).toEqual(["NO_PURCHASES"]);
    expect(result.churnRisk).toBe(0.5);
  });

  it.for([
    [1, 1, "dissatisfied"],
    [2, 0.6, "dissatisfied"],
    [4, -0.3, "satisfied"],
    [5, -0.5, "satisfied"],
  ] as const)("CSAT %s has strength %s: %s", ([score, strength, verdict]) => {
    const result = assessSignals({ latestCsat: answer(score) });
    expect(reason(result, "CSAT")).toEqual({
      factor: "CSAT",
      value: score,
      contribution: expect.closeTo(w.csat * strength, 12),
      weight: 1,
      explanation: `Rated satisfaction ${score} of 5 on 2026-11-01, ${verdict}: that ${strength > 0 ? "raises" : "lowers"} the risk.`,
    });
    expect(result.churnRisk).toBeCloseTo(sigmoid(0.8 * strength), 12);
  });

  it("CSAT 3 is neutral and no factor", () => {
    const result = assessSignals({ latestCsat: answer(3) });
    expect(factors(result)).toEqual(["NO_PURCHASES"]);
    expect(result.churnRisk).toBe(0.5);
  });

  it.for([
    [7, 1, "hard work"],
    [6, 0.7, "hard work"],
    [5, 0.4, "hard work"],
    [3, -0.2, "easy"],
    [2, -0.35, "easy"],
    [1, -0.5, "easy"],
  ] as const)("CES %s has strength %s: %s", ([score, strength, verdict]) => {
    const result = assessSignals({ latestCes: answer(score) });
    expect(reason(result, "CES")).toEqual({
      factor: "CES",
      value: score,
      contribution: expect.closeTo(w.ces * strength, 12),
      weight: 1,
      explanation: `Rated the effort ${score} of 7 (1 easy, 7 very hard) on 2026-11-01, ${verdict}: that ${strength > 0 ? "raises" : "lowers"} the risk.`,
    });
    expect(result.churnRisk).toBeCloseTo(sigmoid(0.8 * strength), 12);
  });

  it("CES 4 is neutral and no factor", () => {
    const result = assessSignals({ latestCes: answer(4) });
    expect(factors(result)).toEqual(["NO_PURCHASES"]);
    expect(result.churnRisk).toBe(0.5);
  });
});

describe("assessChurnRisk: unanswered messages", () => {
  it.for([
    [1, 1 / 3],
    [2, 2 / 3],
    [3, 1],
    [10, 1],
  ] as const)("%s unanswered has strength %s (saturating at 3)", ([waiting, strength]) => {
    const result = assessSignals({ unansweredMessages: waiting });
    expect(reason(result, "UNANSWERED_MESSAGES")).toMatchObject({
      value: waiting,
      contribution: expect.closeTo(w.unansweredMessages * strength, 12),
      weight: 1,
    });
    expect(result.churnRisk).toBeCloseTo(sigmoid(strength), 12);
  });

  it("says how long the messages have waited, in the policy's windows", () => {
    expect(reason(assessSignals({ unansweredMessages: 1 }), "UNANSWERED_MESSAGES").explanation).toBe(
      "1 message from the customer in the last 30 days has waited more than 48 hours without a reply: that raises the risk.",
    );
    const custom = scoringPolicySchema.parse({
      windows: { unansweredDays: 14, replyWithinHours: 24, unansweredSaturation: 5 },
    });
    const result = assessSignals({ unansweredMessages: 4 }, custom);
    expect(reason(result, "UNANSWERED_MESSAGES")).toMatchObject({
      contribution: 4 / 5,
      explanation:
        "4 messages from the customer in the last 14 days have waited more than 24 hours without a reply: that raises the risk.",
    });
  });
});

describe("assessChurnRisk: weights and levels", () => {
  it("sorts the reasons by weight, largest first, and their weights sum to 1", () => {
    const everything = buyer(4, 30, {
      baselineInteractions: 12,
      recentInteractions: 0,
      averageSentiment: -0.5,
      sentimentMessages: 3,
      latestNps: answer(0),
      latestCsat: answer(5),
      latestCes: answer(1),
      unansweredMessages: 3,
    });
    const result = assessChurnRisk(everything, outlook(0.9), defaultChurnWeights(policy), policy, asOf);

    const contributions = {
      PURCHASE_PATTERN: logit(0.9), // 2.197
      ENGAGEMENT_DROP: 1.5 * 1,
      NPS: 1.2 * 1,
      UNANSWERED_MESSAGES: 1 * 1,
      SENTIMENT: -1.5 * -0.5, // 0.75
      CSAT: 0.8 * -0.5,
      CES: 0.8 * -0.5,
    };
    const values = Object.values(contributions);
    const total = values.reduce((sum, c) => sum + c, 0);
    const moved = values.reduce((sum, c) => sum + Math.abs(c), 0);

    expect(result.churnRisk).toBeCloseTo(sigmoid(total), 12);
    expect(result.level).toBe("CRITICAL");
    expect(result.health).toBe(Math.round(100 * (1 - sigmoid(total))));
    // CSAT and CES tie; the sort keeps them in the order the factors are computed.
    expect(factors(result)).toEqual(Object.keys(contributions));
    for (const r of result.reasons) {
      const contribution = contributions[r.factor as keyof typeof contributions];
      expect(r.contribution).toBeCloseTo(contribution, 12);
      expect(r.weight).toBeCloseTo(Math.abs(contribution) / moved, 12);
    }
    const weights = result.reasons.map((r) => r.weight);
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    expect(sumOfWeights(result)).toBeCloseTo(1, 12);
  });

  it("gives lowering factors a share too: weights are |contribution| / Σ|contributions|", () => {
    // +1.2 (NPS 0) and −0.4 (CSAT 5): shares 0.75 and 0.25 although the net is +0.8.
    const result = assessSignals({ latestNps: answer(0), latestCsat: answer(5) });
    expect(result.churnRisk).toBeCloseTo(sigmoid(0.8), 12);
    expect(result.reasons.map((r) => [r.factor, r.weight])).toEqual([
      ["NPS", expect.closeTo(0.75, 12)],
      ["CSAT", expect.closeTo(0.25, 12)],
      ["NO_PURCHASES", 0],
    ]);
    expect(sumOfWeights(result)).toBeCloseTo(1, 12);
  });

  it("ignores a factor whose weight is 0 in the policy", () => {
    const noNps = scoringPolicySchema.parse({ weights: { nps: 0 } });
    const alone = assessSignals({ latestNps: answer(0) }, noNps);
    expect(alone.churnRisk).toBe(0.5);
    expect(factors(alone)).toEqual(["NO_PURCHASES"]);

    const withOthers = assessSignals({ latestNps: answer(0), unansweredMessages: 3 }, noNps);
    expect(withOthers.churnRisk).toBeCloseTo(sigmoid(1), 12);
    expect(factors(withOthers)).toEqual(["UNANSWERED_MESSAGES", "NO_PURCHASES"]);
    expect(reason(withOthers, "UNANSWERED_MESSAGES").weight).toBe(1);
  });

  it("ignores the purchase model when its weight is 0, but still lists the starting point", () => {
    const noPurchases = scoringPolicySchema.parse({ weights: { purchasePattern: 0 } });
    const result = assessChurnRisk(
      buyer(4, 30),
      outlook(0.9),
      defaultChurnWeights(noPurchases),
      noPurchases,
      asOf,
    );
    expect(result.churnRisk).toBe(0.5);
    expect(result.reasons).toEqual([
      expect.objectContaining({ factor: "PURCHASE_PATTERN", value: 0.9, contribution: 0, weight: 0 }),
    ]);
  });

  it("scales the purchase model's log-odds by its weight", () => {
    const halfTrust = scoringPolicySchema.parse({ weights: { purchasePattern: 0.5 } });
    const result = assessChurnRisk(
      buyer(4, 30),
      outlook(0.9),
      defaultChurnWeights(halfTrust),
      halfTrust,
      asOf,
    );
    expect(result.churnRisk).toBeCloseTo(sigmoid(0.5 * logit(0.9)), 12); // 0.75
    expect(result.churnRisk).toBeCloseTo(0.75, 12);
  });

  it("counts a value beyond the range a learned weight was learned on as that range's edge", () => {
    // A weight learned where the purchase outlook barely varied (log-odds 2.0 to 2.2) is steep; a
    // customer far outside that range (log-odds −2.2, a 10% chance of no purchase) must not
    // extrapolate to a certainty: the outlook counts as 2.0, the range's low edge.
    const defaults = defaultChurnWeights(policy);
    const learned = {
      ...defaults,
      source: "LEARNED" as const,
      baseLogOdds: 0.5,
      features: {
        ...defaults.features,
        PURCHASE_PATTERN: { weight: 40, center: 2.1, lower: 2.0, upper: 2.2 },
      },
    };
    const far = assessChurnRisk(buyer(4, 30), outlook(0.1), learned, policy, asOf);
    expect(reason(far, "PURCHASE_PATTERN").contribution).toBeCloseTo(40 * (2.0 - 2.1), 12);
    expect(far.churnRisk).toBeCloseTo(sigmoid(0.5 + 40 * (2.0 - 2.1)), 12);
    // Inside the range the weight applies as learned.
    const inside = assessChurnRisk(buyer(4, 30), outlook(0.89), learned, policy, asOf);
    expect(reason(inside, "PURCHASE_PATTERN").contribution).toBeCloseTo(40 * (logit(0.89) - 2.1), 12);
    // The reason still shows what was measured, not the edge it counted as.
    expect(reason(far, "PURCHASE_PATTERN").value).toBeCloseTo(0.1, 12);
  });

  it("places levels at the default thresholds 0.4, 0.6 and 0.8, each inclusive", () => {
    expect(churnRiskLevel(0, policy)).toBe("LOW");
    expect(churnRiskLevel(0.3999, policy)).toBe("LOW");
    expect(churnRiskLevel(0.4, policy)).toBe("MEDIUM");
    expect(churnRiskLevel(0.5999, policy)).toBe("MEDIUM");
    expect(churnRiskLevel(0.6, policy)).toBe("HIGH");
    expect(churnRiskLevel(0.7999, policy)).toBe("HIGH");
    expect(churnRiskLevel(0.8, policy)).toBe("CRITICAL");
    expect(churnRiskLevel(1, policy)).toBe("CRITICAL");
  });

  it("follows a policy's own thresholds", () => {
    const strict = scoringPolicySchema.parse({ levels: { medium: 0.2, high: 0.3, critical: 0.95 } });
    expect(churnRiskLevel(0.19, strict)).toBe("LOW");
    expect(churnRiskLevel(0.25, strict)).toBe("MEDIUM");
    expect(churnRiskLevel(0.5, strict)).toBe("HIGH");
    expect(churnRiskLevel(0.95, strict)).toBe("CRITICAL");

    // The same 90% outlook is CRITICAL by default and only HIGH under this policy;
    // the no-purchase starting point of 50% is HIGH here and MEDIUM by default.
    expect(assessChurnRisk(buyer(4, 30), outlook(0.9), defaultChurnWeights(strict), strict, asOf).level).toBe(
      "HIGH",
    );
    expect(assessChurnRisk(signals(), null, defaultChurnWeights(strict), strict, asOf).level).toBe("HIGH");
  });
});

describe("churn reasons as stored", () => {
  it("reads back from JSON exactly the reasons an assessment wrote", () => {
    const { reasons } = assessChurnRisk(
      buyer(4, 30, { latestNps: answer(0), unansweredMessages: 2 }),
      outlook(0.9),
      defaultChurnWeights(policy),
      policy,
      asOf,
    );
    expect(reasons.length).toBeGreaterThan(2);
    expect(churnReasonsSchema.parse(JSON.parse(JSON.stringify(reasons)))).toEqual(reasons);
  });

  it("refuses reasons with an unknown factor or a missing number", () => {
    const reason = { factor: "NPS", value: 0, contribution: 1.2, weight: 1, explanation: "Answered 0." };
    expect(churnReasonsSchema.safeParse([reason]).success).toBe(true);
    expect(churnReasonsSchema.safeParse([{ ...reason, factor: "MOOD" }]).success).toBe(false);
    expect(churnReasonsSchema.safeParse([{ ...reason, weight: undefined }]).success).toBe(false);
    expect(churnReasonsSchema.safeParse({ reasons: [reason] }).success).toBe(false);
  });
});
