// At start-up: make sure scores exist. Fits the purchase model when none is fitted yet and the order
// history allows it, then scores every live customer that has no score (a database that predates
// scoring, or customers bulk-loaded by the demo), deciding alerts on the way like any other rescore.
import type { Db } from "../db/database.ts";
import { ConflictError } from "../domain/errors.ts";
import type { Logger } from "../logger.ts";
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
  if (!(await currentScoreModel(db))) {
    try {
      const fitted = await fitScoreModel(db, { policy, calibrationEnd: clock() });
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
  const unscored = await db.customer.findMany({
    where: { mergedIntoId: null, ...(fittedVersion ? {} : { score: { is: null } }) },
    select: { id: true },
  });
  if (unscored.length === 0) return { fittedVersion, rescored: 0 };
  const result = await rescoreWithAlerts(db, {
    policy,
    customerIds: unscored.map((row) => row.id),
    asOf: clock(),
  });
  logger.info(`Scored ${result.rescored} customer(s) with ${result.modelVersion}.`);
  return { fittedVersion, rescored: result.rescored };
}
