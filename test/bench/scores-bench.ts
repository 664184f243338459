// The scores section of `npm run bench`: on CDNOW master (23,570 customers, the bench database),
// fit the purchase model on the first 39 weeks, score every customer as of week 39 with the product's
// own bulk rescore, and hold the scores against what each customer did in weeks 40-78: predicted vs
// actual repeat transactions, and how well churn risk ranks the customers who bought nothing more
// (AUC), beside days-since-last-purchase, the recency baseline, measured in the same run. Then the churn
// model as the hub learns it: a fit at week 78 with the churn horizon set to the holdout's 39 weeks,
// whose time-split backtest reads every signal as of week 39 and learns from weeks 40-78 what lapsing
// looks like; its out-of-fold AUC, Brier score, calibration error and top-decile lift are printed beside
// days-since-last-purchase. Last, a generated multi-channel customer base, where the backtest learns once
// from every signal and once from purchases alone.
// Everything runs in one transaction that is rolled back, so the bench database is left as it was.
import type { Db } from "../../src/db/database.ts";
import { DEFAULT_SCORING_POLICY, scoringPolicySchema } from "../../src/policy/scoring-policy.ts";
import { type Backtest, learnChurnModel } from "../../src/scoring/backtest.ts";
import { readCustomerSignals } from "../../src/scoring/customer-signals.ts";
import { areaUnderRocCurve } from "../../src/scoring/models/auc.ts";
import { expectedTransactions } from "../../src/scoring/models/bg-nbd.ts";
import { purchaseHistoryAt } from "../../src/scoring/models/purchase-summary.ts";
import { rescoreCustomers } from "../../src/scoring/rescore-customers.ts";
import { fitScoreModel } from "../../src/scoring/score-model.ts";
import { generateMultichannelPopulation } from "../helpers/multichannel-population.ts";
import { measureRolledBack } from "./rolled-back-timing.ts";

const DAY_MS = 86_400_000;
/** The end of week 39 (1997-09-30) and of week 78 (1998-06-30), as the papers split CDNOW. */
const CALIBRATION_END = new Date(Date.UTC(1997, 8, 30) + DAY_MS - 1);
const HOLDOUT_END = new Date(Date.UTC(1998, 5, 30) + DAY_MS - 1);
const HOLDOUT_WEEKS = 39;

export interface ScoresFigures {
  customers: number;
  buyersAtWeek39: number;
  fitMilliseconds: number;
  parameters: string;
  rescored: number;
  rescoreSeconds: number;
  predictedRepeatTransactions: number;
  actualRepeatTransactions: number;
  churners: number;
  auc: { churnRisk: number; recency: number };
  /** The fit at week 78 with a 39-week horizon: the backtest over weeks 40-78. */
  backtest: Backtest;
  backtestSeconds: number;
  multichannel: { customers: number; allSignals: Backtest; purchasesOnly: Backtest };
}

const MULTICHANNEL_CUSTOMERS = 10_000;

interface Outcome {
  customer_id: string;
  holdout_days: number;
}

export function runScoresBench(databaseUrl: string, log: (line: string) => void): Promise<ScoresFigures> {
  return measureRolledBack(databaseUrl, "scores", (db) => measure(db, log));
}

async function measure(db: Db, log: (line: string) => void): Promise<ScoresFigures> {
  const policy = DEFAULT_SCORING_POLICY;
  const fitStarted = performance.now();
  const model = await fitScoreModel(db, { policy, calibrationEnd: CALIBRATION_END });
  const fitMilliseconds = performance.now() - fitStarted;
  const p = model.bgNbd;
  const gg = model.gammaGamma;
  const parameters = `${p.variant ?? "BG"}/NBD r ${p.r.toFixed(3)}, alpha ${p.alpha.toFixed(3)}, a ${p.a.toFixed(3)}, b ${p.b.toFixed(3)}; Gamma-Gamma ${gg ? `p ${gg.p.toFixed(2)}, q ${gg.q.toFixed(2)}, gamma ${gg.gamma.toFixed(2)}` : "not fitted"}`;
  log(
    `  fit on weeks 1-39: ${model.record.customersFitted} buyers in ${fitMilliseconds.toFixed(0)} ms; ${parameters}`,
  );

  // Customers who had bought by week 39: the papers' cohort (CDNOW's all first bought in 1997 Q1).
  const cohort = (
    await db.$queryRaw<Array<{ id: string }>>`
      SELECT DISTINCT "customerId" AS id FROM "Interaction"
      WHERE "kind" = 'order.placed' AND "occurredAt" <= ${CALIBRATION_END}`
  ).map((row) => row.id);

  const rescoreStarted = performance.now();
  const rescore = await rescoreCustomers(db, { policy, asOf: CALIBRATION_END, model, customerIds: cohort });
  const rescoreSeconds = (performance.now() - rescoreStarted) / 1000;
  log(
    `  bulk rescore as of week 39: ${rescore.rescored} customers in ${rescoreSeconds.toFixed(1)} s (${(rescore.rescored / rescoreSeconds).toFixed(0)} customers/s)`,
  );

  const outcomes = await db.$queryRaw<Outcome[]>`
    SELECT "customerId" AS customer_id,
           count(DISTINCT ("occurredAt" AT TIME ZONE 'UTC')::date)::int AS holdout_days
    FROM "Interaction"
    WHERE "kind" = 'order.placed' AND "occurredAt" > ${CALIBRATION_END} AND "occurredAt" <= ${HOLDOUT_END}
    GROUP BY 1`;
  const holdoutDays = new Map(outcomes.map((row) => [row.customer_id, row.holdout_days]));

  // The same customers' signals, for recency and the predicted repeat purchases.
  const signals = await readCustomerSignals(db, { customerIds: cohort, asOf: CALIBRATION_END, policy });
  const stored = new Map(
    (
      await db.score.findMany({
        where: { customerId: { in: cohort } },
        select: { customerId: true, churnRisk: true },
      })
    ).map((score) => [score.customerId, score.churnRisk]),
  );
  const labels: boolean[] = [];
  const churnRisk: number[] = [];
  const recency: number[] = [];
  let predicted = 0;
  for (const customer of signals) {
    if (!customer.purchases) continue;
    labels.push(!holdoutDays.has(customer.customerId));
    churnRisk.push(stored.get(customer.customerId) ?? Number.NaN);
    recency.push((CALIBRATION_END.getTime() - customer.purchases.lastDay.getTime()) / DAY_MS);
    predicted += expectedTransactions(
      model.bgNbd,
      purchaseHistoryAt(customer.purchases, CALIBRATION_END),
      HOLDOUT_WEEKS,
    );
  }
  const actual = [...holdoutDays.values()].reduce((sum, days) => sum + days, 0);

  // The churn model as the hub learns it, at week 78 with the holdout's length as the horizon.
  const holdoutPolicy = scoringPolicySchema.parse({ churnHorizonDays: HOLDOUT_WEEKS * 7 });
  const backtestStarted = performance.now();
  const atWeek78 = await fitScoreModel(db, { policy: holdoutPolicy, calibrationEnd: HOLDOUT_END });
  const backtestSeconds = (performance.now() - backtestStarted) / 1000;
  log(`  fit at week 78 with its backtest over weeks 40-78: ${backtestSeconds.toFixed(1)} s`);

  // A generated multi-channel base, in the same rolled-back transaction.
  const generatedAsOf = new Date(Date.UTC(2026, 5, 30, 23, 59, 59, 999));
  const population = generateMultichannelPopulation({
    customers: MULTICHANNEL_CUSTOMERS,
    asOf: generatedAsOf,
    horizonDays: policy.churnHorizonDays,
  });
  // Alone: CDNOW's customers, silent since 1998, would be easy lapses for any model. Deleted and
  // regenerated inside the transaction, which is rolled back.
  await db.$executeRaw`DELETE FROM "Customer"`;
  // In chunks, one after another: one createMany of the whole base would hand the transaction's one
  // connection hundreds of statements at once.
  const CHUNK = 5_000;
  for (let start = 0; start < population.customers.length; start += CHUNK)
    await db.customer.createMany({ data: population.customers.slice(start, start + CHUNK) });
  for (let start = 0; start < population.interactions.length; start += CHUNK)
    await db.interaction.createMany({ data: population.interactions.slice(start, start + CHUNK) });
  for (let start = 0; start < population.feedback.length; start += CHUNK)
    await db.feedback.createMany({ data: population.feedback.slice(start, start + CHUNK) });
  // Statistics for the new rows, so the planner does not take them for empty tables.
  await db.$executeRaw`ANALYZE "Customer", "Interaction", "Feedback"`;
  const generatedEnd = new Date(generatedAsOf.getTime() + policy.churnHorizonDays * DAY_MS);
  const allSignals = await learnChurnModel(db, { policy, end: generatedEnd });
  const purchasesOnly = await learnChurnModel(db, { policy, end: generatedEnd, purchasesOnly: true });
  log(`  generated multi-channel base: ${MULTICHANNEL_CUSTOMERS} customers learned from twice`);

  return {
    customers: signals.length,
    buyersAtWeek39: labels.length,
    fitMilliseconds,
    parameters,
    rescored: rescore.rescored,
    rescoreSeconds,
    predictedRepeatTransactions: predicted,
    actualRepeatTransactions: actual,
    churners: labels.filter(Boolean).length,
    auc: {
      churnRisk: areaUnderRocCurve(churnRisk, labels),
      recency: areaUnderRocCurve(recency, labels),
    },
    backtest: atWeek78.backtest,
    backtestSeconds,
    multichannel: {
      customers: MULTICHANNEL_CUSTOMERS,
      allSignals: allSignals.backtest,
      purchasesOnly: purchasesOnly.backtest,
    },
  };
}

export function formatScoresReport(f: ScoresFigures): string {
  const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(3)}×`;
  return [
    `Scores on CDNOW master, fitted on weeks 1-39 and checked against weeks 40-78 (${f.buyersAtWeek39} customers, ${f.churners} bought nothing in weeks 40-78):`,
    `  fit (read purchase histories + BG/NBD + Gamma-Gamma): ${f.fitMilliseconds.toFixed(0)} ms`,
    `  bulk rescore: ${(f.rescored / f.rescoreSeconds).toFixed(0)} customers/s (${f.rescored} in ${f.rescoreSeconds.toFixed(1)} s)`,
    `  repeat transactions in weeks 40-78: predicted ${f.predictedRepeatTransactions.toFixed(0)}, actual ${f.actualRepeatTransactions} (predicted/actual ${(f.predictedRepeatTransactions / f.actualRepeatTransactions).toFixed(3)})`,
    `  AUC for "no purchase in weeks 40-78":`,
    `    churn risk as scored at week 39           ${f.auc.churnRisk.toFixed(4)}  (${ratio(f.auc.churnRisk, f.auc.recency)} the baseline; horizon 90 days, weights learned on weeks 1-26 against 27-39)`,
    `    baseline: days since last purchase        ${f.auc.recency.toFixed(4)}`,
    "",
    formatBacktest(
      `Churn model learned by the hub on CDNOW master: fit at week 78, churn horizon 273 days (the holdout's 39 weeks), so the backtest reads signals at week 39 and outcomes in weeks 40-78 (${f.backtestSeconds.toFixed(1)} s):`,
      f.backtest,
    ),
    "",
    formatMultichannel(f.multichannel),
  ].join("\n");
}

function formatBacktest(title: string, b: Backtest): string {
  const m = b.model;
  const r = b.recencyBaseline;
  if (!m || !r) return `${title}\n  no figures: ${b.note}`;
  const row = (name: string, q: NonNullable<Backtest["model"]>) =>
    `    ${name.padEnd(34)} AUC ${q.auc.toFixed(4)}  Brier ${q.brierScore.toFixed(4)}  ECE ${q.expectedCalibrationError.toFixed(4)}  top-decile lift ${q.liftTopDecile.toFixed(2)}`;
  const bins = m.calibration
    .filter((bin) => bin.customers > 0)
    .map(
      (bin) =>
        `    ${bin.lower.toFixed(1)}-${bin.upper.toFixed(1)}: ${String(bin.customers).padStart(6)} customers, predicted ${(bin.predicted ?? 0).toFixed(3)}, lapsed ${(bin.observed ?? 0).toFixed(3)}`,
    );
  const levels = b.levels.map(
    (level) =>
      `    ${level.level.padEnd(8)} ${(100 * level.share).toFixed(1).padStart(5)}% of customers, ${level.lapsed === null ? "-" : `${(100 * level.lapsed).toFixed(1)}% lapsed`}`,
  );
  return [
    title,
    `  ${b.note}`,
    `  out-of-fold figures (${m.customers} customers, ${m.positives} lapsed):`,
    row("churn model (every signal)", m),
    row("days since the last purchase alone", r),
    `    AUC ratio model/recency ${(m.auc / r.auc).toFixed(3)}×`,
    "  calibration (10 bins):",
    ...bins,
    "  levels (default thresholds):",
    ...levels,
  ].join("\n");
}

function formatMultichannel(f: ScoresFigures["multichannel"]): string {
  const all = f.allSignals.model;
  const purchases = f.purchasesOnly.model;
  if (!all || !purchases)
    return `Generated multi-channel base: no figures (${f.allSignals.note} ${f.purchasesOnly.note})`;
  return [
    `Generated multi-channel base (${f.customers} customers, test/helpers/multichannel-population.ts), out-of-fold backtest figures:`,
    `    every signal        AUC ${all.auc.toFixed(4)}  Brier ${all.brierScore.toFixed(4)}  ECE ${all.expectedCalibrationError.toFixed(4)}`,
    `    purchases alone     AUC ${purchases.auc.toFixed(4)}  Brier ${purchases.brierScore.toFixed(4)}  ECE ${purchases.expectedCalibrationError.toFixed(4)}`,
    `    every signal − purchases alone: ${(all.auc - purchases.auc).toFixed(4)} AUC`,
  ].join("\n");
}
