// `npm run connectors -- <command>`: connectors on the configured database, through the same modules
// as the GraphQL API (the connector store, the sync engine), without a running server. The commands
// are in connectors-cli.ts (usage there); this file opens the hub they work on.
import { systemClock } from "../clock.ts";
import { loadConfig } from "../config.ts";
import { createConnectorServices } from "../connectors/connector-services.ts";
import { prepareConnectors } from "../connectors/prepare-connectors.ts";
import { openDatabase } from "../db/database.ts";
import { applyMigrations } from "../db/migrations.ts";
import { createLogger } from "../logger.ts";
import { loadScoringPolicy } from "../policy/scoring-policy.ts";
import { processIo } from "./connector-commands/hub.ts";
import { isConnectorsCommand, runConnectorsCommand, USAGE } from "./connectors-cli.ts";
import { runCli, UsageError } from "./run-cli.ts";

runCli(async (argv) => {
  if (!isConnectorsCommand(argv)) throw new UsageError(USAGE);
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config.database);
  try {
    await applyMigrations(database.adapterFactory);
    const prepared = await prepareConnectors(config, logger);
    const policy = await loadScoringPolicy(config.scoringPolicyFile);
    const hub = {
      ...createConnectorServices(prepared),
      db: database.prisma,
      databaseKind: database.kind,
      writes: { policy, clock: systemClock },
      logger,
    };
    return await runConnectorsCommand(argv, hub, processIo());
  } finally {
    await database.close();
  }
});
