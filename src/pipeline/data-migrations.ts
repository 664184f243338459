// Data migrations that SQL cannot do, run at start-up after the schema migrations: each rewrites
// stored facts, the customers whose facts it rewrote are rescored through the pipeline (alerts
// decided like any other rescore), and only then is it recorded as done (DataMigration). A start cut
// short anywhere before that runs it again; the rewrite is idempotent and names the same customers.
// Migrations of layers above the pipeline (a connector's stored dead letters) are handed in as
// DataMigrations and run after the pipeline's own, recorded the same way.
import type { PrismaClient } from "../db/database.ts";
import { dataMigrationDone, recordDataMigration } from "../domain/data-migration-log.ts";
import {
  type BodyScorer,
  RESTATE_SENTIMENT,
  restateSentiment,
} from "../domain/interactions/restate-sentiment.ts";
import type { Logger } from "../logger.ts";
import { rescoreWithAlerts } from "./rescore-with-alerts.ts";
import type { WriteContext } from "./unit-of-work.ts";

/** A rewrite of stored rows that touches no customer's facts (so nothing to rescore). */
export interface DataMigration {
  /** Its name in DataMigration, once done. */
  name: string;
  /** Runs it (idempotently); what to log when it changed anything, or null. */
  run(db: PrismaClient): Promise<string | null>;
}

export interface DataMigrationOptions {
  /** Per plugin id, how its connector scores a stored body now (see restate-sentiment.ts). */
  sentimentScorers?: Readonly<Record<string, BodyScorer>>;
  /** Migrations of the layers above, in the order to run them. */
  more?: readonly DataMigration[];
}

export async function runDataMigrations(
  db: PrismaClient,
  { policy, clock }: WriteContext,
  logger: Logger,
  options: DataMigrationOptions = {},
): Promise<void> {
  if (!(await dataMigrationDone(db, RESTATE_SENTIMENT))) {
    const restated = await restateSentiment(db, { scorers: options.sentimentScorers ?? {} });
    if (restated.customerIds.length > 0) {
      await rescoreWithAlerts(db, { policy, customerIds: restated.customerIds, asOf: clock() });
    }
    await recordDataMigration(db, RESTATE_SENTIMENT);
    if (restated.updated > 0) {
      logger.info(
        `Restated the sentiment of ${restated.updated} interaction(s) on the hub's one scale and rescored ${restated.customerIds.length} customer(s).`,
      );
    }
  }
  await runPendingDataMigrations(db, options.more ?? [], logger);
}

/**
 * Runs those of `migrations` not yet recorded as done, in order, and records each. Also for a tool
 * that opens the database without starting the hub (the connectors CLI), so that what it prints
 * after an upgrade is what the hub would show.
 */
export async function runPendingDataMigrations(
  db: PrismaClient,
  migrations: readonly DataMigration[],
  logger: Logger,
): Promise<void> {
  for (const migration of migrations) {
    if (await dataMigrationDone(db, migration.name)) continue;
    const said = await migration.run(db);
    await recordDataMigration(db, migration.name);
    if (said) logger.info(said);
  }
}
