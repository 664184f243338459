// A rescore remembers the BG/NBD expectations by their inputs (ExpectationMemo): the scores must be
// the very same numbers with the memo and without it, whatever order customers come in, and a memo
// that meets another model must not hand it the first model's values.
import { describe, expect, it } from "vitest";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import type { CustomerSignals } from "../../src/scoring/customer-signals.ts";
import {
  type BgNbdParameters,
  ExpectationMemo,
  expectedTransactions,
  type PurchaseHistory,
} from "../../src/scoring/models/bg-nbd.ts";
import { computeScore } from "../../src/scoring/rescore-customers.ts";
import type { FittedScoreModel } from "../../src/scoring/score-model.ts";

const DAY_MS = 86_400_000;
const asOf = new Date("2026-11-23T12:00:00Z");
const policy = DEFAULT_SCORING_POLICY;
/** CDNOW's published BG/NBD parameters, and an MBG/NBD set with a > 1 (the other branch of the series). */
const BG: BgNbdParameters = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const MBG: BgNbdParameters = { r: 0.525, alpha: 6.183, a: 1.8, b: 3.1, variant: "MBG" };

/** Histories in whole days, as the hub's purchase days give them: many share x and T, not t_x. */
function histories(): PurchaseHistory[] {
  const out: PurchaseHistory[] = [];
  for (let x = 0; x <= 4; x++) {
    for (const ageDays of [0, 1, 30, 31, 200, 699]) {
      for (const recencyDays of x === 0 ? [0] : [0, 1, Math.floor(ageDays / 2), ageDays]) {
        if (recencyDays > ageDays) continue;
        out.push({ frequency: x, recency: recencyDays / 7, age: ageDays / 7 });
      }
    }
  }
  return out;
}

const HORIZONS = [1, 4.348, 13, 52.18, 90 / 7];

describe("ExpectationMemo", () => {
  it("gives every expectation exactly as computed without it, asked once, twice, and across two models", () => {
    const memo = new ExpectationMemo();
    let compared = 0;
    // Twice over, alternating the models on one memo: the second round reads what the first remembered.
    for (let round = 0; round < 2; round++) {
      for (const history of histories()) {
        for (const params of [BG, MBG]) {
          for (const weeks of HORIZONS) {
            expect(expectedTransactions(params, history, weeks, memo)).toBe(
              expectedTransactions(params, history, weeks),
            );
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(2 * histories().length * 2 * HORIZONS.length);
  });

  it("serves a model read again (equal parameters, another object), starts again when full, and still gives exact values", () => {
    // A scheduled run's slices share one memo, each with the model as it read it; a small memo fills.
    const memo = new ExpectationMemo(3);
    for (let round = 0; round < 3; round++) {
      for (const params of [{ ...BG }, { ...BG }, { ...MBG }, { ...BG, b: BG.b + 0.001 }]) {
        for (const history of histories()) {
          for (const weeks of HORIZONS) {
            expect(expectedTransactions(params, history, weeks, memo)).toBe(
              expectedTransactions(params, history, weeks),
            );
          }
        }
      }
    }
  });

  it("keys on the age: two customers with the same x and another T get their own values", () => {
    const memo = new ExpectationMemo();
    const young = expectedTransactions(BG, { frequency: 2, recency: 1, age: 2 }, 13, memo);
    const old = expectedTransactions(BG, { frequency: 2, recency: 1, age: 60 }, 13, memo);
    expect(old).not.toBe(young);
    expect(old).toBe(expectedTransactions(BG, { frequency: 2, recency: 1, age: 60 }, 13));
  });
});

describe("computeScore with a memo", () => {
  const model = (bgNbd: BgNbdParameters): FittedScoreModel => ({
    id: "0190f5a2-0000-7000-8000-0000000000aa",
    version: "test",
    bgNbd,
    gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
    currency: "USD",
    calibrationEnd: asOf,
    churnWeights: null,
  });
  const dayBefore = (days: number) => new Date(Date.UTC(2026, 10, 23) - days * DAY_MS);

  /** Buyers sharing (x, first day) with different last days and spend, and some survey answers. */
  function customers(): CustomerSignals[] {
    const out: CustomerSignals[] = [];
    let n = 0;
    for (let transactions = 1; transactions <= 4; transactions++) {
      for (const firstDaysAgo of [10, 400, 700]) {
        for (const lastDaysAgo of [0, 3, firstDaysAgo]) {
          n++;
          out.push({
            customerId: `0190f5a2-0000-7000-8000-${String(n).padStart(12, "0")}`,
            ownerId: null,
            purchases: {
              transactions,
              firstDay: dayBefore(firstDaysAgo),
              lastDay: dayBefore(transactions === 1 ? firstDaysAgo : lastDaysAgo),
              repeatSpend: transactions > 1 ? 17.5 * n : null,
              repeatTransactionsWithValue: transactions - 1,
              totalSpend: 20 * n,
              transactionsWithValue: transactions,
            },
            recentInteractions: n % 3,
            baselineInteractions: n % 5,
            averageSentiment: n % 4 === 0 ? -0.4 : null,
            sentimentMessages: n % 4 === 0 ? 2 : 0,
            latestNps: n % 6 === 0 ? { score: 3, respondedAt: dayBefore(5) } : null,
            latestCsat: null,
            latestCes: n % 7 === 0 ? { score: 6, respondedAt: dayBefore(9) } : null,
            unansweredMessages: n % 2,
            firstActivityAt: dayBefore(firstDaysAgo),
            lastActivityAt: dayBefore(Math.min(firstDaysAgo, lastDaysAgo)),
          });
        }
      }
    }
    return out;
  }

  it("scores every customer the same as without it, under BG/NBD and MBG/NBD", () => {
    for (const fitted of [model(BG), model(MBG)]) {
      const memo = new ExpectationMemo();
      // Each customer twice: the second time every expectation comes from the memo.
      for (const customer of [...customers(), ...customers()]) {
        const remembered = computeScore(customer, fitted, policy, asOf, memo);
        const computed = computeScore(customer, fitted, policy, asOf);
        expect(remembered.forecast).toEqual(computed.forecast);
        expect(remembered.forecast?.lifetimeValue).toBe(computed.forecast?.lifetimeValue);
        expect(remembered.assessment.churnRisk).toBe(computed.assessment.churnRisk);
        expect(remembered.assessment.reasonValues).toEqual(computed.assessment.reasonValues);
      }
    }
  });
});
