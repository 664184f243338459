// What the other channels add to churn risk, learned the way the hub learns it: a generated customer
// base (test/helpers/multichannel-population.ts) whose lapses depend on the purchase pattern and on a
// hidden disaffection that engagement, sentiment, surveys and service reveal. The hub's own backtest
// learns the weights once from every signal and once from purchases alone; its out-of-fold AUCs show
// what the other channels add, and the learned weights point the way the generator drives them.
import { describe, expect } from "vitest";
import type { PrismaClient } from "../../src/db/database.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { learnChurnModel } from "../../src/scoring/backtest.ts";
import { assessChurnRisk } from "../../src/scoring/churn-risk.ts";
import { readCustomerSignals } from "../../src/scoring/customer-signals.ts";
import { test } from "../helpers/database.ts";
import { insertRows } from "../helpers/insert-rows.ts";
import {
  type GeneratedPopulation,
  generateMultichannelPopulation,
} from "../helpers/multichannel-population.ts";

const DAY_MS = 86_400_000;
const CUSTOMERS = 600;
const asOf = new Date("2026-06-30T23:59:59.999Z");
const policy = DEFAULT_SCORING_POLICY;
const end = new Date(asOf.getTime() + policy.churnHorizonDays * DAY_MS);

/** The generated base, stored; `answer` may change each survey answer on its way in. */
async function storePopulation(
  prisma: PrismaClient,
  answer: (row: GeneratedPopulation["feedback"][number]) => GeneratedPopulation["feedback"][number] = (row) =>
    row,
): Promise<GeneratedPopulation> {
  const population = generateMultichannelPopulation({
    customers: CUSTOMERS,
    asOf,
    horizonDays: policy.churnHorizonDays,
  });
  const stored = { ...population, feedback: population.feedback.map(answer) };
  await insertRows(prisma, "Customer", stored.customers);
  await insertRows(prisma, "Interaction", stored.interactions);
  await insertRows(prisma, "Feedback", stored.feedback);
  return stored;
}

describe("what the other channels add", () => {
  test("learned from the hub's history, every signal ranks lapses better than purchases alone", async ({
    db,
  }) => {
    const population = await storePopulation(db.prisma);

    const all = await learnChurnModel(db.prisma, { policy, end });
    const purchases = await learnChurnModel(db.prisma, { policy, end, purchasesOnly: true });
    const allAuc = all.backtest.model?.auc ?? Number.NaN;
    const purchasesAuc = purchases.backtest.model?.auc ?? Number.NaN;
    console.log(
      `Backtest AUC on ${CUSTOMERS} generated customers: every signal ${allAuc.toFixed(3)}, purchases alone ${purchasesAuc.toFixed(3)}, days since the last purchase ${all.backtest.recencyBaseline?.auc.toFixed(3)}`,
    );

    expect(all.backtest).toMatchObject({ weightsSource: "LEARNED", cutoff: asOf, end });
    // The backtest's outcome is the generator's: lapsed customers are those it made lapse.
    const lapses = [...population.lapsed.values()].filter(Boolean).length;
    expect(all.backtest.model?.positives).toBe(lapses);
    // Seeded: every signal 0.773 and purchases alone 0.688 when written; the margin is the issue's.
    expect(allAuc).toBeGreaterThan(purchasesAuc + 0.05);
    // The generator makes lapsers sound negative, score low on NPS and lose engagement.
    const weight = (factor: keyof typeof all.weights.features) => all.weights.features[factor].weight;
    expect(weight("SENTIMENT")).toBeLessThan(0);
    expect(weight("NPS")).toBeGreaterThan(0);
    expect(weight("ENGAGEMENT_DROP")).toBeGreaterThan(0);
    // Each measured signal's weight holds within the range the history showed (1st–99th percentile).
    for (const factor of ["PURCHASE_PATTERN", "RECENCY", "FREQUENCY", "TENURE", "SPEND"] as const) {
      const { lower, upper, center } = all.weights.features[factor];
      expect(lower, factor).toBeLessThanOrEqual(center);
      expect(upper, factor).toBeGreaterThanOrEqual(center);
    }
    // Calibrated out of sample: the shown risks are near what happened.
    expect(all.backtest.model?.expectedCalibrationError).toBeLessThan(0.08);
  }, 120_000);

  test("a signal the history ties to lapses the wrong way round gets no weight, not a false reason", async ({
    db,
  }) => {
    // Satisfaction surveys answered backwards: the generator's lapsers rate 5 of 5, its loyal customers
    // 1. Learned freely, "rated satisfaction 5 of 5" would raise the risk.
    const backwards = (
      await storePopulation(db.prisma, (answer) =>
        answer.kind === "CSAT" ? { ...answer, score: 6 - answer.score } : answer,
      )
    ).feedback;

    const learned = await learnChurnModel(db.prisma, { policy, end });
    expect(learned.backtest.weightsSource).toBe("LEARNED");
    const weight = (factor: keyof typeof learned.weights.features) => learned.weights.features[factor].weight;
    expect(weight("CSAT")).toBe(0);
    expect(learned.backtest.note).toMatch(
      /Left out \(weight 0\), as their learned weights came out against what they mean: [A-Z_, ]*CSAT/,
    );
    // No CES survey in this base: that signal keeps its default weight, and the note says so.
    expect(learned.backtest.note).toMatch(
      /Too rarely seen here to learn, so at their default weights: [A-Z_, ]*CES/,
    );
    // The signals that point the right way keep their learned weights.
    expect(weight("SENTIMENT")).toBeLessThan(0);
    expect(weight("NPS")).toBeGreaterThan(0);
    expect(weight("ENGAGEMENT_DROP")).toBeGreaterThan(0);
    // And no score names it: a customer who rated satisfaction 5 of 5 is not told it raises the risk.
    const satisfied = backwards.find((answer) => answer.kind === "CSAT" && answer.score === 5);
    if (!satisfied) throw new Error("The generated base has no CSAT answer of 5.");
    const [signals] = await readCustomerSignals(db.prisma, {
      customerIds: [satisfied.customerId],
      asOf,
      policy,
    });
    if (!signals) throw new Error(`No signals read for ${satisfied.customerId}.`);
    expect(signals.latestCsat?.score).toBe(5);
    const assessment = assessChurnRisk(signals, null, learned.weights, policy, asOf);
    expect(assessment.reasonValues.map((reason) => reason.factor)).not.toContain("CSAT");
  }, 120_000);
});
