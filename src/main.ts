// Start-up: configuration → database → migrations → (demo data) → scores → syncs and jobs → server.
// `npm start` runs this with no configuration at all: the embedded PGlite database in ./.cxhub/data.
import { parseArgs } from "node:util";
import { sentimentOf } from "../plugins/gmail/sentiment.ts";
import { startLiveAlerts } from "./alerts/live-alerts.ts";
import { createBootstrapKeyIfNone } from "./auth/bootstrap-key.ts";
import { systemClock } from "./clock.ts";
import { describeDatabase, loadConfig, redactDatabaseUrl } from "./config.ts";
import { createConnectorServices } from "./connectors/connector-services.ts";
import { redactDeadLetterCredentials } from "./connectors/dead-letters/redact-stored-dead-letters.ts";
import { startSync } from "./connectors/start-sync.ts";
import { openDatabase } from "./db/database.ts";
import { applyMigrations } from "./db/migrations.ts";
import { loadDemoData } from "./demo/load-demo-data.ts";
import { StartupError } from "./errors.ts";
import { startJobs } from "./jobs/start-jobs.ts";
import { createLogger } from "./logger.ts";
import { createHubMetrics } from "./metrics/hub-metrics.ts";
import { runDataMigrations } from "./pipeline/data-migrations.ts";
import { prepareScores } from "./pipeline/prepare-scores.ts";
import { loadScoringPolicy } from "./policy/scoring-policy.ts";
import { assertPortAvailable, startHubServer } from "./server/create-server.ts";
import { createRateLimits } from "./server/rate-limits.ts";

const USAGE = `Usage: npm start [-- --demo [--demo-into-postgres]]
  --demo                 load the demo customers (idempotent) before serving; embedded database only
  --demo-into-postgres   allow --demo when DATABASE_URL names a PostgreSQL database`;

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      demo: { type: "boolean", default: false },
      "demo-into-postgres": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (flags.help) {
    console.log(USAGE);
    return;
  }

  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const metrics = createHubMetrics({ logger });
  const scoringPolicy = await loadScoringPolicy(config.scoringPolicyFile);
  if (flags.demo && config.database.kind === "postgres" && !flags["demo-into-postgres"]) {
    throw new StartupError(
      "--demo refuses to write sample customers into the PostgreSQL database named by DATABASE_URL: unset DATABASE_URL to use the embedded database, or add --demo-into-postgres if that database is a scratch one.",
    );
  }

  await assertPortAvailable(config.port, config.host);
  const database = await openDatabase(config.database);
  const applied = await applyMigrations(database.adapterFactory);
  logger.info(
    `Using the ${describeDatabase(config.database)}${applied.length ? `; applied ${applied.length} migration(s)` : ""}.`,
  );

  if (flags.demo) {
    const report = await loadDemoData(database.prisma);
    logger.info(
      report.alreadyLoaded ? "Demo data is already loaded." : `Loaded demo data: ${report.summary}.`,
    );
  }

  const writes = { policy: scoringPolicy, clock: systemClock };
  // Gmail scores a reply's own words, not the thread it quotes: its stored replies are restated so.
  // Dead letters kept before credentials were redacted lose them now.
  await runDataMigrations(database.prisma, writes, logger, {
    sentimentScorers: { gmail: sentimentOf },
    more: [redactDeadLetterCredentials],
  });
  await prepareScores(database.prisma, writes, logger);
  const sync = await startSync({ config, database, logger, writes, metrics });
  // Scheduled rescoring and refits, and scheduled syncs, on the durable job engine (src/jobs).
  const jobs = await startJobs({ database, logger, writes, sync: sync.engine, metrics });

  const bootstrapKey =
    config.database.kind === "pglite" ? await createBootstrapKeyIfNone(database.prisma) : null;
  if (config.database.kind === "postgres" && (await database.prisma.apiKey.count()) === 0) {
    logger.warn(
      "No API key exists yet, so every request gets 401: create one with npm run apikey -- create.",
    );
  }

  const live = await startLiveAlerts({ database, logger, redis: config.redis ?? undefined, metrics });
  // Counted in Redis when it is configured, so a guesser cannot spread over the instances.
  const rateLimits = createRateLimits({
    settings: config.rateLimits,
    redis: config.redis && { url: config.redis.url, keyPrefix: config.redis.channelPrefix },
    logger,
  });
  await rateLimits.ready().catch((error: Error) => {
    throw new StartupError(
      `Redis at ${redactDatabaseUrl(config.redis?.url ?? "")} cannot be reached for the rate limits (${error.message}): start it or correct REDIS_URL.`,
    );
  });
  const hub = await startHubServer({
    database,
    logger,
    scoringPolicy,
    clock: writes.clock,
    live,
    connectors: createConnectorServices(sync),
    metrics,
    metricsToken: config.metricsToken,
    port: config.port,
    host: config.host,
    rateLimits,
    corsOrigins: config.corsOrigins,
    bodyLimits: config.bodyLimits,
    trustedProxies: config.trustedProxies,
  });
  if (!config.metricsToken && !["127.0.0.1", "::1", "localhost"].includes(config.host)) {
    logger.warn(
      `/metrics answers anyone who reaches ${config.host}:${config.port}: set CXHUB_METRICS_TOKEN to ask scrapers for a token.`,
    );
  }
  const browsable = hub.url.replace("127.0.0.1", "localhost");
  // One write, so that whoever reads the ready line also has the key.
  console.log(
    [
      `CX Hub is ready: GraphQL and GraphiQL at ${browsable}/graphql (health: ${browsable}/health)`,
      ...(bootstrapKey
        ? [
            "Your admin API key, shown this once (more keys: the createApiKey mutation, see README):",
            `  ${bootstrapKey}`,
            `Send it as the header  Authorization: Bearer ${bootstrapKey}`,
          ]
        : []),
    ].join("\n"),
  );

  const shutdown = async (signal: string) => {
    logger.info(`${signal} received, shutting down.`);
    await hub.close();
    await rateLimits.close();
    await live.close();
    await jobs.stop();
    await sync.stop();
    await database.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    console.error(`CX Hub cannot start: ${error.message}`);
  } else if ((error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    console.error(`${(error as Error).message}\n${USAGE}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
