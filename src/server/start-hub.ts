// The whole hub, started from a configuration: database → migrations → (demo data) → scores → syncs
// and jobs → server. `src/main.ts` runs it for `npm start`; tests run it in their own process, which
// costs no process start-up and no compilation (the start-up tests were minutes of the suite).
import { sentimentOf } from "../../plugins/gmail/sentiment.ts";
import { startLiveAlerts } from "../alerts/live-alerts.ts";
import { createBootstrapKeyIfNone } from "../auth/bootstrap-key.ts";
import { type Clock, systemClock } from "../clock.ts";
import { type Config, describeDatabase, redactDatabaseUrl } from "../config.ts";
import { createConnectorServices } from "../connectors/connector-services.ts";
import { redactDeadLetterCredentials } from "../connectors/dead-letters/redact-stored-dead-letters.ts";
import { startSync } from "../connectors/start-sync.ts";
import { openDatabase } from "../db/database.ts";
import { applyMigrations } from "../db/migrations.ts";
import { unloadSchemaEngine } from "../db/schema-engine.ts";
import { loadDemoData } from "../demo/load-demo-data.ts";
import { StartupError } from "../errors.ts";
import { startJobs } from "../jobs/start-jobs.ts";
import { createLogger, type Logger } from "../logger.ts";
import { createHubMetrics } from "../metrics/hub-metrics.ts";
import { runDataMigrations } from "../pipeline/data-migrations.ts";
import { prepareScores } from "../pipeline/prepare-scores.ts";
import { loadScoringPolicy } from "../policy/scoring-policy.ts";
import { assertPortAvailable, startHubServer } from "./create-server.ts";
import { createRateLimits } from "./rate-limits.ts";

export interface StartHubOptions {
  config: Config;
  /** Load the demo customers (idempotent) before serving. */
  demo?: boolean;
  /** Allow `demo` on the PostgreSQL database DATABASE_URL names (it refuses otherwise). */
  demoIntoPostgres?: boolean;
  /** The hub's logger; one at the configured level on stderr by default. */
  logger?: Logger;
  clock?: Clock;
}

export interface StartedHub {
  /** Where GraphQL is served, e.g. http://127.0.0.1:4000 (add /graphql). */
  url: string;
  /** The admin key made for a new embedded database, shown once; null when keys existed. */
  bootstrapKey: string | null;
  logger: Logger;
  /** Stops serving, stops the jobs and syncs, and closes the database. */
  stop(): Promise<void>;
}

export async function startHub(options: StartHubOptions): Promise<StartedHub> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createHubMetrics({ logger });
  const scoringPolicy = await loadScoringPolicy(config.scoringPolicyFile);
  if (options.demo && config.database.kind === "postgres" && !options.demoIntoPostgres) {
    throw new StartupError(
      "--demo refuses to write sample customers into the PostgreSQL database named by DATABASE_URL: unset DATABASE_URL to use the embedded database, or add --demo-into-postgres if that database is a scratch one.",
    );
  }

  await assertPortAvailable(config.port, config.host);
  const database = await openDatabase(config.database);
  // Whatever fails from here on leaves nothing open behind it (the embedded database's lock above all).
  const stops: Array<() => Promise<void>> = [() => database.close()];
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      for (const stop of [...stops].reverse()) await stop();
    })();
    return stopping;
  };
  try {
    const applied = await applyMigrations(database.adapterFactory);
    // The engine served once; a server holding its WebAssembly for its whole life would pay for it.
    unloadSchemaEngine();
    logger.info(
      `Using the ${describeDatabase(config.database)}${applied.length ? `; applied ${applied.length} migration(s)` : ""}.`,
    );

    if (options.demo) {
      const report = await loadDemoData(database.prisma);
      logger.info(
        report.alreadyLoaded ? "Demo data is already loaded." : `Loaded demo data: ${report.summary}.`,
      );
    }

    const writes = { policy: scoringPolicy, clock: options.clock ?? systemClock };
    // Gmail scores a reply's own words, not the thread it quotes: its stored replies are restated so.
    // Dead letters kept before credentials were redacted lose them now.
    await runDataMigrations(database.prisma, writes, logger, {
      sentimentScorers: { gmail: sentimentOf },
      more: [redactDeadLetterCredentials],
    });
    await prepareScores(database.prisma, writes, logger);
    const sync = await startSync({ config, database, logger, writes, metrics });
    stops.push(() => sync.stop());
    // Scheduled rescoring and refits, and scheduled syncs, on the durable job engine (src/jobs).
    // Outgoing webhooks are delivered by the same engine, signed with secrets the hub's key opens.
    const jobs = await startJobs({
      database,
      logger,
      writes,
      sync: sync.engine,
      metrics,
      webhooks: { secretKey: sync.secretKey, settings: config.webhooks, clock: writes.clock },
    });
    stops.push(() => jobs.stop());

    const bootstrapKey =
      config.database.kind === "pglite" ? await createBootstrapKeyIfNone(database.prisma) : null;
    if (config.database.kind === "postgres" && (await database.prisma.apiKey.count()) === 0) {
      logger.warn(
        "No API key exists yet, so every request gets 401: create one with npm run apikey -- create.",
      );
    }

    const live = await startLiveAlerts({ database, logger, redis: config.redis ?? undefined, metrics });
    stops.push(() => live.close());
    // Counted in Redis when it is configured, so a guesser cannot spread over the instances.
    const rateLimits = createRateLimits({
      settings: config.rateLimits,
      redis: config.redis && { url: config.redis.url, keyPrefix: config.redis.channelPrefix },
      logger,
    });
    stops.push(() => rateLimits.close());
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
      webhooks: config.webhooks,
      metrics,
      metricsToken: config.metricsToken,
      port: config.port,
      host: config.host,
      rateLimits,
      corsOrigins: config.corsOrigins,
      bodyLimits: config.bodyLimits,
      trustedProxies: config.trustedProxies,
    });
    stops.push(() => hub.close());
    if (!config.metricsToken && !["127.0.0.1", "::1", "localhost"].includes(config.host)) {
      logger.warn(
        `/metrics answers anyone who reaches ${config.host}:${config.port}: set CXHUB_METRICS_TOKEN to ask scrapers for a token.`,
      );
    }
    return { url: hub.url, bootstrapKey, logger, stop: stopAll };
  } catch (error) {
    await stopAll().catch((closing: unknown) =>
      logger.warn("Stopping after a failed start-up failed too", closing),
    );
    throw error;
  }
}
