// `npm run connectors -- <command>`: connectors on the configured database, through the same modules
// as the GraphQL API (the connector store, the sync engine), without a running server.
//   plugins                                              the plugins this hub can install, with their fields
//   list                                                 installed connectors, their status and last run
//   install <plugin> <name> --config '<json>' [--interval <seconds>]
//   sync <name> [--wait]                                 run a sync in this process until it ends
//   runs <name> [--limit <n>]                            the connector's sync runs, newest first
import { parseArgs } from "node:util";
import { systemClock } from "../clock.ts";
import { loadConfig } from "../config.ts";
import { type ConnectorServices, createConnectorServices } from "../connectors/connector-services.ts";
import { findConnector, installConnector } from "../connectors/connector-store.ts";
import { prepareConnectors } from "../connectors/prepare-connectors.ts";
import { createSyncEngine } from "../connectors/sync/sync-engine.ts";
import { reapAbandonedRuns } from "../connectors/sync/sync-runs.ts";
import { openDatabase, type PrismaClient } from "../db/database.ts";
import { applyMigrations } from "../db/migrations.ts";
import { ConflictError, NotFoundError, ValidationError } from "../domain/errors.ts";
import type { SyncRun } from "../generated/prisma/client.ts";
import { createLogger, type Logger } from "../logger.ts";
import type { WriteContext } from "../pipeline/unit-of-work.ts";
import { loadScoringPolicy } from "../policy/scoring-policy.ts";
import { configJsonSchema } from "../sdk/secrets.ts";
import { runCli, UsageError } from "./run-cli.ts";

const USAGE = `Usage:
  npm run connectors -- plugins
  npm run connectors -- list
  npm run connectors -- install <plugin> <name> --config '{"apiToken": "…"}' [--interval 3600]
  npm run connectors -- sync <name> [--wait]
  npm run connectors -- runs <name> [--limit 20]

sync runs the connector's streams in this process and prints each committed batch; Ctrl-C cancels
the run (what it committed stays, and the next run resumes from there). When a run is already active
(on a server), sync fails naming it; with --wait it waits for that run to end instead.`;

const COMMANDS = new Set(["plugins", "list", "install", "sync", "runs"]);
const ACTIVE = ["QUEUED", "RUNNING"] as const;

runCli(async (argv) => {
  const [command, ...rest] = argv;
  if (!command || !COMMANDS.has(command)) throw new UsageError(USAGE);
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config.database);
  try {
    await applyMigrations(database.adapterFactory);
    const prepared = await prepareConnectors(config, logger);
    const services = createConnectorServices(prepared);
    const db = database.prisma;
    switch (command) {
      case "plugins":
        return listPlugins(services);
      case "list":
        return await listConnectors(db, services);
      case "install":
        return await install(db, services, rest);
      case "runs":
        return await listRuns(db, rest);
      default: {
        if (config.database.kind === "pglite") {
          // The embedded database has one process at a time: a run still active was this tool's or a
          // server's that stopped without ending it.
          await reapAbandonedRuns(db, { staleAfterMs: 0 });
        }
        const policy = await loadScoringPolicy(config.scoringPolicyFile);
        return await sync(db, { ...services, logger, writes: { policy, clock: systemClock } }, rest);
      }
    }
  } catch (error) {
    return reportDomainError(error);
  } finally {
    await database.close();
  }
});

function listPlugins(services: ConnectorServices): number {
  if (services.plugins.length === 0) console.log("No connector plugins are loaded (see CXHUB_PLUGINS).");
  for (const plugin of services.plugins) {
    console.log(`${plugin.id}  ${plugin.name} ${plugin.version} (${plugin.channel})`);
    if (plugin.description) console.log(`  ${plugin.description}`);
    const schema = configJsonSchema(plugin) as {
      properties?: Record<string, { description?: string; writeOnly?: boolean; default?: unknown }>;
      required?: string[];
    };
    for (const [field, spec] of Object.entries(schema.properties ?? {})) {
      const marks = [
        schema.required?.includes(field) ? "required" : "optional",
        ...(spec.writeOnly ? ["secret"] : []),
        ...(spec.default !== undefined ? [`default ${JSON.stringify(spec.default)}`] : []),
      ];
      console.log(
        `  --config ${field}: ${marks.join(", ")}${spec.description ? ` — ${spec.description}` : ""}`,
      );
    }
    console.log(
      `  streams: ${Object.keys(plugin.streams).join(", ")}${plugin.webhooks ? "; receives webhooks" : ""}`,
    );
  }
  return 0;
}

async function listConnectors(db: PrismaClient, services: ConnectorServices): Promise<number> {
  const connectors = await db.connector.findMany({
    orderBy: { name: "asc" },
    include: {
      runs: { orderBy: [{ queuedAt: "desc" }, { id: "desc" }], take: 1 },
      _count: { select: { deadLetters: { where: { status: "PENDING" } } } },
    },
  });
  if (connectors.length === 0) {
    console.log(
      "No connectors are installed: npm run connectors -- install <plugin> <name> --config '<json>'.",
    );
  }
  for (const connector of connectors) {
    const schedule = connector.syncIntervalSeconds ? `every ${connector.syncIntervalSeconds}s` : "manual";
    const loaded = services.registry.get(connector.pluginId) ? "" : " (plugin not loaded)";
    const run = connector.runs[0];
    const last = run ? `last run ${describeRun(run)}` : "never synced";
    const letters = connector._count.deadLetters;
    console.log(
      `${connector.name}  ${connector.pluginId}${loaded}  ${connector.status}  ${schedule}  ${last}${letters ? `  ${letters} pending dead letter(s)` : ""}`,
    );
  }
  return 0;
}

async function install(db: PrismaClient, services: ConnectorServices, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: "string" }, interval: { type: "string" } },
  });
  const [pluginId, name] = positionals;
  if (!pluginId || !name || positionals.length > 2) throw new UsageError(USAGE);
  let config: unknown = {};
  if (values.config !== undefined) {
    try {
      config = JSON.parse(values.config);
    } catch (error) {
      throw new UsageError(
        `--config is not JSON (${(error as Error).message}): quote it, as in --config '{"apiToken": "…"}'.`,
      );
    }
  }
  const interval = values.interval === undefined ? null : Number(values.interval);
  const plugin = services.registry.get(pluginId);
  const view = await installConnector(
    { db, plugins: services.registry, secretKey: services.secretKey },
    { pluginId, name, config: config as Record<string, unknown>, syncIntervalSeconds: interval },
  );
  console.log(`Installed ${view.name} (plugin ${view.pluginId}, id ${view.id}).`);
  console.log(`Configuration (secrets shown as set, never their value): ${JSON.stringify(view.config)}`);
  if (plugin?.webhooks) console.log(`Its webhook URL: <this hub's address>/webhooks/${view.name}`);
  return 0;
}

async function sync(
  db: PrismaClient,
  options: ConnectorServices & { logger: Logger; writes: WriteContext },
  args: string[],
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { wait: { type: "boolean", default: false } },
  });
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError(USAGE);
  const connector = await findConnector(db, { name });
  const engine = createSyncEngine({
    db,
    plugins: options.registry,
    secretKey: options.secretKey,
    writes: options.writes,
    logger: options.logger,
    onCommit: (commit) =>
      console.log(
        `  ${commit.stream}: ${commit.fetched} read, ${commit.counts.created} created, ${commit.counts.updated} updated, ${commit.counts.unchanged} unchanged, ${commit.counts.deleted} deleted, ${commit.counts.deadLettered} dead-lettered${commit.checkpoint !== undefined ? " (checkpoint)" : ""}`,
      ),
  });
  const interrupt = () => {
    console.log("Cancelling the run: what it committed stays, and the next run resumes from there.");
    void engine.close();
  };
  process.once("SIGINT", interrupt);
  try {
    let run: SyncRun;
    try {
      const queued = await engine.trigger({ id: connector.id });
      console.log(`Syncing ${connector.name} (run ${queued.id})…`);
      run = await engine.wait(queued.id);
    } catch (error) {
      if (!(error instanceof ConflictError) || !values.wait) throw error;
      run = await waitForActiveRun(db, connector.id, error);
    }
    console.log(`Run ${run.id}: ${describeRun(run)}`);
    if (run.error) console.log(run.error);
    return run.status === "SUCCEEDED" ? 0 : 1;
  } finally {
    process.off("SIGINT", interrupt);
    await engine.close();
  }
}

/** Another instance runs this connector: follow its run to the end. */
async function waitForActiveRun(
  db: PrismaClient,
  connectorId: string,
  conflict: ConflictError,
): Promise<SyncRun> {
  const active = await db.syncRun.findFirst({ where: { connectorId, status: { in: [...ACTIVE] } } });
  if (!active) throw conflict;
  console.log(`Waiting for run ${active.id}, already ${active.status.toLowerCase()}…`);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const run = await db.syncRun.findUniqueOrThrow({ where: { id: active.id } });
    if (!ACTIVE.includes(run.status as (typeof ACTIVE)[number])) return run;
  }
}

async function listRuns(db: PrismaClient, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { limit: { type: "string", default: "20" } },
  });
  const [name] = positionals;
  const limit = Number(values.limit);
  if (!name || positionals.length > 1 || !Number.isInteger(limit) || limit < 1) throw new UsageError(USAGE);
  const connector = await findConnector(db, { name });
  const runs = await db.syncRun.findMany({
    where: { connectorId: connector.id },
    orderBy: [{ queuedAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  if (runs.length === 0) console.log(`${name} has not synced yet: npm run connectors -- sync ${name}.`);
  for (const run of runs) {
    console.log(`${run.id}  ${run.trigger.padEnd(9)} ${describeRun(run)}`);
    if (run.error) console.log(`  ${run.error.split("\n").join("\n  ")}`);
  }
  return 0;
}

function describeRun(run: SyncRun): string {
  const when = (run.finishedAt ?? run.startedAt ?? run.queuedAt).toISOString();
  const took = run.durationMs === null ? "" : ` in ${(run.durationMs / 1000).toFixed(1)}s`;
  return `${run.status} ${when}${took}: ${run.recordsFetched} read, ${run.recordsCreated} created, ${run.recordsUpdated} updated, ${run.recordsUnchanged} unchanged, ${run.recordsDeleted} deleted, ${run.recordsDeadLettered} dead-lettered`;
}

/** An operator's mistake as sentences (every invalid field), not a stack trace. */
function reportDomainError(error: unknown): number {
  if (error instanceof ValidationError) {
    console.error(error.message);
    for (const issue of error.issues)
      console.error(`  ${issue.path.join(".") || "(input)"}: ${issue.message}`);
    return 2;
  }
  if (error instanceof ConflictError || error instanceof NotFoundError) {
    console.error(error.message);
    return 1;
  }
  throw error;
}
