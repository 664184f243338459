// What every `npm run connectors` command works on: the hub (database, plugins, key, write context).
// openHub builds it from the configuration; tests build one around a test database.
import { systemClock } from "../../clock.ts";
import type { Config } from "../../config.ts";
import { type ConnectorServices, createConnectorServices } from "../../connectors/connector-services.ts";
import { prepareConnectors } from "../../connectors/prepare-connectors.ts";
import { openDatabase, type PrismaClient } from "../../db/database.ts";
import { applyMigrations } from "../../db/migrations.ts";
import type { SyncRun } from "../../generated/prisma/client.ts";
import { createLogger, type Logger } from "../../logger.ts";
import type { WriteContext } from "../../pipeline/unit-of-work.ts";
import { loadScoringPolicy } from "../../policy/scoring-policy.ts";

export interface CliHub extends ConnectorServices {
  db: PrismaClient;
  databaseKind: "pglite" | "postgres";
  /** The policy and clock writes (syncs, replays) are made with. */
  writes: WriteContext;
  logger: Logger;
}

export interface OpenedHub {
  hub: CliHub;
  close(): Promise<void>;
}

/** The configured database, migrated, with the configured plugins and key. */
export async function openHub(config: Config): Promise<OpenedHub> {
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config.database);
  try {
    await applyMigrations(database.adapterFactory);
    const prepared = await prepareConnectors(config, logger);
    const policy = await loadScoringPolicy(config.scoringPolicyFile);
    const hub: CliHub = {
      ...createConnectorServices(prepared),
      db: database.prisma,
      databaseKind: database.kind,
      writes: { policy, clock: systemClock },
      logger,
    };
    return { hub, close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** A run on one line: status, when, how long, and what it did with what it read. */
export function describeRun(run: SyncRun): string {
  const when = (run.finishedAt ?? run.startedAt ?? run.queuedAt).toISOString();
  const took = run.durationMs === null ? "" : ` in ${(run.durationMs / 1000).toFixed(1)}s`;
  return `${run.status} ${when}${took}: ${run.recordsFetched} read, ${run.recordsCreated} created, ${run.recordsUpdated} updated, ${run.recordsUnchanged} unchanged, ${run.recordsDeleted} deleted, ${run.recordsDeadLettered} dead-lettered${run.identitiesDropped ? `, ${run.identitiesDropped} invalid identities left out of kept records` : ""}`;
}
