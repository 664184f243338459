// Start-up of everything connectors need at run time: the plugins and the key (prepare-connectors)
// and the sync engine. Scheduled and webhook-requested runs come from the job engine (src/jobs), which
// ticks the sync scheduler and hands the runs to the engines of the instances. Without a secret key the engine still runs connectors
// whose plugins have no secret fields; the others fail saying to set CXHUB_SECRET_KEY.

import { systemClock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import { describeError } from "../db/database-errors.ts";
import type { Logger } from "../logger.ts";
import type { HubMetrics } from "../metrics/hub-metrics.ts";
import { type DrainResult, rescoreDueCustomers } from "../pipeline/rescore-due-customers.ts";
import type { WriteContext } from "../pipeline/unit-of-work.ts";
import type { LoadedPlugin } from "./plugin-loader.ts";
import { createPluginRegistry } from "./plugin-registry.ts";
import { prepareConnectors } from "./prepare-connectors.ts";
import { createSyncEngine, type SyncEngine } from "./sync/sync-engine.ts";
import { syncStateSource } from "./sync/sync-metrics.ts";
import { reapAbandonedRuns } from "./sync/sync-runs.ts";

/** Records per transaction. The embedded database has one connection, which a batch holds while it
 * commits, so its batches are smaller to keep GraphQL requests from queueing long behind a sync. */
const BATCH_SIZE = { pglite: 100, postgres: 500 } as const;
/**
 * Drains rescoring a run's customers side by side at its end (rescore-due-customers.ts): PostgreSQL
 * runs two transactions on two cores, the embedded database one at a time.
 */
export const RESCORE_DRAINS = { pglite: 1, postgres: 2 } as const;

export interface RunningSync {
  plugins: LoadedPlugin[];
  secretKey: Buffer | null;
  engine: SyncEngine;
  /** The start-up scoring of customers a cut-short run left due (null if it failed: it is logged). */
  leftDue: Promise<DrainResult | null>;
  /** Stops the runs in progress (they end CANCELLED and resume from their cursor). */
  stop(): Promise<void>;
}

export async function startSync(options: {
  config: Config;
  database: Database;
  logger: Logger;
  writes: WriteContext;
  metrics?: HubMetrics;
}): Promise<RunningSync> {
  const { config, database, logger, writes, metrics } = options;
  const prepared = await prepareConnectors(config, logger);
  // The embedded database belongs to this one process: a run still marked active was this process's
  // before it stopped, and can be closed now instead of after its lease runs out.
  if (database.kind === "pglite") await reapAbandonedRuns(database.prisma, { staleAfterMs: 0 });
  const engine = createSyncEngine({
    db: database.prisma,
    plugins: createPluginRegistry(prepared.plugins),
    secretKey: prepared.secretKey,
    writes,
    logger,
    batchSize: BATCH_SIZE[database.kind],
    rescoreDrains: RESCORE_DRAINS[database.kind],
    metrics,
  });
  // Runs are stamped with the machine's clock (sync-runs.ts), so their lag is measured with it.
  metrics?.watch("syncState", syncStateSource(database.prisma, systemClock));
  const leftDue = rescoreLeftDue(database, writes, logger);
  return {
    plugins: prepared.plugins,
    secretKey: prepared.secretKey,
    engine,
    leftDue,
    async stop() {
      await leftDue;
      await engine.close();
    },
  };
}

/**
 * A run cut short (a shutdown, a lost lease) leaves the customers its batches stored marked due and
 * unscored; the next run's end would score them, but no run may come for hours. So every instance
 * scores what is left at start-up, beside serving (SKIP LOCKED lets instances share the rows). A
 * failure is logged and leaves the rows due for the next run.
 */
async function rescoreLeftDue(
  database: Database,
  writes: WriteContext,
  logger: Logger,
): Promise<DrainResult | null> {
  try {
    const drained = await rescoreDueCustomers(database.prisma, writes, {
      drains: RESCORE_DRAINS[database.kind],
    });
    if (drained.customers > 0)
      logger.info(`Scored ${drained.rescored} customer(s) a cut-short sync run had left due.`);
    return drained;
  } catch (error) {
    logger.error(
      `Customers left due by a cut-short sync run could not be scored at start-up (the next run will): ${describeError(error)}`,
    );
    return null;
  }
}
