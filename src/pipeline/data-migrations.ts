// Data migrations that SQL cannot do, run at start-up after the schema migrations: each rewrites
// stored facts once per database (recorded in DataMigration), and the customers whose facts changed
// are rescored through the pipeline, with their alerts decided like any other rescore.
import type { PrismaClient } from "../db/database.ts";
import { type BodyScorer, restateSentiment } from "../domain/interactions/restate-sentiment.ts";
import type { Logger } from "../logger.ts";
import { rescoreWithAlerts } from "./rescore-with-alerts.ts";
import type { WriteContext } from "./unit-of-work.ts";

export interface DataMigrationOptions {
  /** Per plugin id, how its connector scores a stored body now (see restate-sentiment.ts). */
  sentimentScorers?: Readonly<Record<string, BodyScorer>>;
}

export async function runDataMigrations(
  db: PrismaClient,
  { policy, clock }: WriteContext,
  logger: Logger,
  options: DataMigrationOptions = {},
): Promise<void> {
  const restated = await restateSentiment(db, { scorers: options.sentimentScorers ?? {} });
  if (restated.updated === 0) return;
  await rescoreWithAlerts(db, { policy, customerIds: restated.customerIds, asOf: clock() });
  logger.info(
    `Restated the sentiment of ${restated.updated} interaction(s) on the hub's one scale and rescored their ${restated.customerIds.length} customer(s).`,
  );
}
