// Reasons are stored as values and their sentences built when read, from the reader's clock: a score
// left unwritten for days still says true things. And a fresh score's reasons agree with the stored
// ones only when they cite the same facts, move the risk the same way and hold the same shares.
import { describe, expect, it } from "vitest";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { churnReasonValuesSchema, storedScoreReasonsSchema } from "../../src/scoring/churn-factors.ts";
import { explainReasons, reasonsAgree } from "../../src/scoring/churn-reasons.ts";
import { assessChurnRisk, defaultChurnWeights } from "../../src/scoring/churn-risk.ts";
import type { CustomerSignals } from "../../src/scoring/customer-signals.ts";

const DAY_MS = 86_400_000;
const asOf = new Date("2026-11-23T12:00:00Z");
const policy = DEFAULT_SCORING_POLICY;

function customer(overrides: Partial<CustomerSignals> = {}): CustomerSignals {
  return {
    customerId: "0190f5a2-0000-7000-8000-000000000001",
    ownerId: null,
    purchases: {
      transactions: 3,
      firstDay: new Date("2025-10-01T00:00:00Z"),
      lastDay: new Date("2026-08-15T00:00:00Z"),
      repeatSpend: 80,
      repeatTransactionsWithValue: 2,
      totalSpend: 120,
      transactionsWithValue: 3,
    },
    recentInteractions: 0,
    baselineInteractions: 12,
    averageSentiment: null,
    sentimentMessages: 0,
    latestNps: { score: 2, respondedAt: new Date("2026-11-01T09:30:00Z") },
    latestCsat: null,
    latestCes: null,
    unansweredMessages: 2,
    firstActivityAt: new Date("2025-10-01T00:00:00Z"),
    lastActivityAt: new Date("2026-08-15T00:00:00Z"),
    ...overrides,
  };
}

const outlook = (expectedPurchases: number) => ({
  transactions: 3,
  lastDay: new Date("2026-08-15T00:00:00Z"),
  probabilityAlive: 0.6,
  expectedPurchases,
  // Above e^(−expected): the model may have lost the customer, and its rate is uncertain.
  probabilityOfNoPurchase: 0.4 + 0.6 * Math.exp(-expectedPurchases / 0.6),
});

function assess(expectedPurchases = 0.4, at = asOf, overrides: Partial<CustomerSignals> = {}) {
  return assessChurnRisk(
    customer(overrides),
    outlook(expectedPurchases),
    defaultChurnWeights(policy),
    policy,
    at,
  );
}

describe("churn reasons stored as values", () => {
  it("stores the facts a sentence cites, never a number of days to now", () => {
    const { reasonValues } = assess();
    expect(reasonValues.map((reason) => reason.factor).sort()).toEqual([
      "ENGAGEMENT_DROP",
      "NPS",
      "PURCHASE_PATTERN",
      "UNANSWERED_MESSAGES",
    ]);
    const pattern = reasonValues.find((reason) => reason.factor === "PURCHASE_PATTERN");
    expect(pattern?.facts).toEqual({
      purchases: 3,
      expectedPurchases: 0.4,
      lastPurchaseOn: "2026-08-15",
      horizonDays: policy.churnHorizonDays,
    });
    expect(JSON.stringify(reasonValues)).not.toMatch(/days ago|explanation/);
    // What is written reads back through the schema the graph reads it with.
    expect(storedScoreReasonsSchema.parse(JSON.parse(JSON.stringify(reasonValues)))).toEqual(reasonValues);
    expect(churnReasonValuesSchema.safeParse({ ...pattern, facts: { daysAgo: 3 } }).success).toBe(false);
  });

  it("builds on read the sentences an assessment of that moment writes", () => {
    const assessment = assess();
    expect(explainReasons(assessment.reasonValues, { now: asOf, computedAt: asOf })).toEqual(
      assessment.reasons,
    );
    expect(assessment.reasons.find((r) => r.factor === "PURCHASE_PATTERN")?.explanation).toContain(
      "3 purchases, most recently 100 days ago",
    );
  });

  it("counts days to the reader's clock and names the window a count was made over", () => {
    const { reasonValues } = assess();
    const later = new Date(asOf.getTime() + 40 * DAY_MS);
    const read = explainReasons(reasonValues, { now: later, computedAt: asOf });
    const byFactor = new Map(read.map((reason) => [reason.factor, reason.explanation]));
    expect(byFactor.get("PURCHASE_PATTERN")).toContain("3 purchases, most recently 140 days ago");
    expect(byFactor.get("ENGAGEMENT_DROP")).toContain(
      "0 interactions (purchases included) in the 30 days to 2026-11-23",
    );
    expect(byFactor.get("UNANSWERED_MESSAGES")).toContain("in the 30 days to 2026-11-23 have waited");
    expect(byFactor.get("NPS")).toContain("on 2026-11-01");
    // Shares and effects are the score's own: the clock moves the words, not the score.
    expect(read.map((reason) => reason.weight)).toEqual(reasonValues.map((reason) => reason.weight));
  });

  it("shows days since the last activity as of the reader's clock", () => {
    const learnedPolicyWeights = {
      ...defaultChurnWeights(policy),
      features: {
        ...defaultChurnWeights(policy).features,
        RECENCY: { weight: 0.5, center: Math.log1p(30) },
      },
    };
    const { reasonValues } = assessChurnRisk(customer(), outlook(0.4), learnedPolicyWeights, policy, asOf);
    const later = new Date(asOf.getTime() + 10 * DAY_MS);
    const recency = explainReasons(reasonValues, { now: later, computedAt: asOf }).find(
      (r) => r.factor === "RECENCY",
    );
    expect(recency?.value).toBe(110);
    expect(recency?.explanation).toMatch(
      /^Last active 110 days ago .*longer ago than the typical customer here \(about 30 days\)/,
    );
  });
});

describe("reasonsAgree", () => {
  const tolerance = 0.005;

  it("agrees with itself a day later when only the clock moved a little", () => {
    const before = assess(0.4).reasonValues;
    const after = assess(0.401, new Date(asOf.getTime() + DAY_MS)).reasonValues;
    expect(reasonsAgree(before, after, tolerance)).toBe(true);
  });

  it("disagrees when a cited fact changed, even where the risk hardly moved", () => {
    const before = assess().reasonValues;
    const answered = assess(0.4, asOf, {
      latestNps: { score: 2, respondedAt: new Date("2026-11-20T09:30:00Z") },
    });
    expect(reasonsAgree(before, answered.reasonValues, tolerance)).toBe(false);
    const replied = assess(0.4, asOf, { unansweredMessages: 3 });
    expect(reasonsAgree(before, replied.reasonValues, tolerance)).toBe(false);
  });

  it("disagrees when a factor comes or goes, or a share moves by the tolerance", () => {
    const before = assess().reasonValues;
    expect(reasonsAgree(before, assess(0.4, asOf, { latestNps: null }).reasonValues, tolerance)).toBe(false);
    const shifted = before.map((reason, index) =>
      index === 0 ? { ...reason, weight: reason.weight - 0.005 } : reason,
    );
    expect(reasonsAgree(before, shifted, tolerance)).toBe(false);
  });

  it("never agrees with reasons stored with their sentences: those rows are rewritten as values", () => {
    const assessment = assess();
    expect(reasonsAgree(assessment.reasons, assessment.reasonValues, tolerance)).toBe(false);
  });
});
