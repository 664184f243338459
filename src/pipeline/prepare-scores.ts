// At start-up: make sure scores exist and follow the rules of this version. Fits the score model when
// none is fitted yet, or when the one in use predates the learned churn model (churn-v2), and the
// history allows it; then scores every live customer without a score or with a score of older rules
// (a database that predates scoring or this version, or customers bulk-loaded by the demo), deciding
// alerts on the way like any other rescore.
import type { Db } from "../db/database.ts";
import { ConflictError } from "../domain/errors.ts";
import type { Logger } from "../logger.ts";
import { SCORING_RULES_VERSION } from "../scoring/rescore-customers.ts";
import { currentScoreModel, fitScoreModel } from "../scoring/score-model.ts";
import { rescoreWithAlerts } from "./rescore-with-alerts.ts";
import type { WriteContext } from "./unit-of-work.ts";

export interface PreparedScores {
  /** The model fitted now, if one was. */
  fittedVersion: string | null;
  rescored: number;
}

export async function prepareScores(
  db: Db,
  { policy, clock }: WriteContext,
  logger: Logger,
): Promise<PreparedScores> {
  let fittedVersion: string | null = null;
  const current = await currentScoreModel(db);
  if (!current || current.churnWeights === null) {
    try {
      const fitted = await fitScoreModel(db, { policy, calibrationEnd: clock(), clock });
      fittedVersion = fitted.version;
      logger.info(
        `Fitted the purchase model ${fitted.version} on ${fitted.record.customersFitted} buyers in ${fitted.record.fitMilliseconds} ms.`,
      );
    } catch (error) {
      // Too little history is the normal state of a new hub, not a failure: say so and go on.
      if (!(error instanceof ConflictError)) throw error;
      logger.info(`No purchase model yet: ${error.message}`);
    }
  }
  const stale = {
    OR: [
      { score: { is: null } },
      { score: { modelVersion: { not: { startsWith: `${SCORING_RULES_VERSION}/` } } } },
    ],
  };
  const unscored = await db.customer.findMany({
    where: { mergedIntoId: null, ...(fittedVersion ? {} : stale) },
    select: { id: true },
  });
  if (unscored.length === 0) return { fittedVersion, rescored: 0 };
  // New scores of a new model or new rules move for reasons that are not the customers' doing: the
  // alert states follow them without raising alerts (a first score raises none either way).
  const result = await rescoreWithAlerts(db, {
    policy,
    customerIds: unscored.map((row) => row.id),
    asOf: clock(),
    alerts: "rebaseline",
  });
  logger.info(`Scored ${result.rescored} customer(s) with ${result.modelVersion}.`);
  return { fittedVersion, rescored: result.rescored };
}
