// The scores section of `npm run bench`: on CDNOW master (23,570 customers, the bench database),
// fit the purchase model on the first 39 weeks, score every customer as of week 39 with the product's
// own bulk rescore, and hold the scores against what each customer did in weeks 40-78: predicted vs
// actual repeat transactions, and how well churn risk ranks the customers who bought nothing more
// (AUC), beside days-since-last-purchase, the recency baseline, measured in the same run.
// Everything runs in one transaction that is rolled back, so the bench database is left as it was.
import { type Db, fromPostgresUrl } from "../../src/db/database.ts";
import { DEFAULT_SCORING_POLICY, scoringPolicySchema } from "../../src/policy/scoring-policy.ts";
import { readCustomerSignals } from "../../src/scoring/customer-signals.ts";
import { areaUnderRocCurve } from "../../src/scoring/models/auc.ts";
import { expectedTransactions } from "../../src/scoring/models/bg-nbd.ts";
import { purchaseHistoryAt } from "../../src/scoring/models/purchase-summary.ts";
import { computeScore, rescoreCustomers } from "../../src/scoring/rescore-customers.ts";
import { fitScoreModel } from "../../src/scoring/score-model.ts";

const DAY_MS = 86_400_000;
/** The end of week 39 (1997-09-30) and of week 78 (1998-06-30), as the papers split CDNOW. */
const CALIBRATION_END = new Date(Date.UTC(1997, 8, 30) + DAY_MS - 1);
const HOLDOUT_END = new Date(Date.UTC(1998, 5, 30) + DAY_MS - 1);
const HOLDOUT_WEEKS = 39;

class RollBack extends Error {}

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
  auc: { churnRisk: number; purchaseSignal: number; recency: number };
}

interface Outcome {
  customer_id: string;
  holdout_days: number;
}

export async function runScoresBench(
  databaseUrl: string,
  log: (line: string) => void,
): Promise<ScoresFigures> {
  const database = fromPostgresUrl(databaseUrl);
  let figures: ScoresFigures | null = null;
  try {
    await database.prisma
      .$transaction(
        async (tx) => {
          figures = await measure(tx, log);
          throw new RollBack();
        },
        { timeout: 600_000, maxWait: 10_000 },
      )
      .catch((error: unknown) => {
        if (!(error instanceof RollBack)) throw error;
      });
  } finally {
    await database.close();
  }
  if (!figures) throw new Error("The scores bench produced no figures.");
  return figures;
}

async function measure(db: Db, log: (line: string) => void): Promise<ScoresFigures> {
  const policy = DEFAULT_SCORING_POLICY;
  const fitStarted = performance.now();
  const model = await fitScoreModel(db, { policy, calibrationEnd: CALIBRATION_END });
  const fitMilliseconds = performance.now() - fitStarted;
  const p = model.bgNbd;
  const gg = model.gammaGamma;
  const parameters = `BG/NBD r ${p.r.toFixed(3)}, alpha ${p.alpha.toFixed(3)}, a ${p.a.toFixed(3)}, b ${p.b.toFixed(3)}; Gamma-Gamma ${gg ? `p ${gg.p.toFixed(2)}, q ${gg.q.toFixed(2)}, gamma ${gg.gamma.toFixed(2)}` : "not fitted"}`;
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

  // The same customers' signals, to score them with the purchase signal alone and to get recency.
  const signals = await readCustomerSignals(db, { customerIds: cohort, asOf: CALIBRATION_END, policy });
  const purchaseOnly = scoringPolicySchema.parse({
    weights: { engagementDrop: 0, sentiment: 0, nps: 0, csat: 0, ces: 0, unansweredMessages: 0 },
  });
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
  const purchaseSignal: number[] = [];
  const recency: number[] = [];
  let predicted = 0;
  for (const customer of signals) {
    if (!customer.purchases) continue;
    labels.push(!holdoutDays.has(customer.customerId));
    churnRisk.push(stored.get(customer.customerId) ?? Number.NaN);
    purchaseSignal.push(computeScore(customer, model, purchaseOnly, CALIBRATION_END).assessment.churnRisk);
    recency.push((CALIBRATION_END.getTime() - customer.purchases.lastDay.getTime()) / DAY_MS);
    predicted += expectedTransactions(
      model.bgNbd,
      purchaseHistoryAt(customer.purchases, CALIBRATION_END),
      HOLDOUT_WEEKS,
    );
  }
  const actual = [...holdoutDays.values()].reduce((sum, days) => sum + days, 0);
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
      purchaseSignal: areaUnderRocCurve(purchaseSignal, labels),
      recency: areaUnderRocCurve(recency, labels),
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
    `    churn risk (all signals, default policy)  ${f.auc.churnRisk.toFixed(4)}  (${ratio(f.auc.churnRisk, f.auc.recency)} the baseline)`,
    `    purchase signal alone                     ${f.auc.purchaseSignal.toFixed(4)}  (${ratio(f.auc.purchaseSignal, f.auc.recency)} the baseline)`,
    `    baseline: days since last purchase        ${f.auc.recency.toFixed(4)}`,
  ].join("\n");
}
