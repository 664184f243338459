// Start-up of everything connectors need at run time: the plugins and the key (prepare-connectors)
// and the sync engine. Scheduled and webhook-requested runs come from the job engine (src/jobs), which
// ticks the sync scheduler and hands the runs to the engines of the instances. Without a secret key the engine still runs connectors
// whose plugins have no secret fields; the others fail saying to set CXHUB_SECRET_KEY.

import { systemClock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import type { HubMetrics } from "../metrics/hub-metrics.ts";
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

export interface RunningSync {
  plugins: LoadedPlugin[];
  secretKey: Buffer | null;
  engine: SyncEngine;
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
    metrics,
  });
  // Runs are stamped with the machine's clock (sync-runs.ts), so their lag is measured with it.
  metrics?.watch("syncState", syncStateSource(database.prisma, systemClock));
  return {
    plugins: prepared.plugins,
    secretKey: prepared.secretKey,
    engine,
    async stop() {
      await engine.close();
    },
  };
}
