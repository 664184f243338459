// `sync` and `runs`: run a connector's streams in this process until the run ends, and list its runs.
import { findConnector } from "../../connectors/connector-store.ts";
import { RESCORE_DRAINS } from "../../connectors/start-sync.ts";
import { createSyncEngine } from "../../connectors/sync/sync-engine.ts";
import { reapAbandonedRuns } from "../../connectors/sync/sync-runs.ts";
import type { PrismaClient } from "../../db/database.ts";
import { ConflictError } from "../../domain/errors.ts";
import type { SyncRun } from "../../generated/prisma/client.ts";
import { parseCliArgs } from "../parse-cli-args.ts";
import { type CommandContext, UsageError } from "../run-cli.ts";
import { type CliHub, describeRun } from "./hub.ts";

const ACTIVE = ["QUEUED", "RUNNING"] as const;

export async function sync(hub: CliHub, io: CommandContext, args: string[], usage: string): Promise<number> {
  const { values, positionals } = parseCliArgs(
    {
      args,
      allowPositionals: true,
      options: { wait: { type: "boolean", default: false } },
    },
    usage,
  );
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError(usage);
  const { db } = hub;
  if (hub.databaseKind === "pglite") {
    // The embedded database has one process at a time: a run still active was this tool's or a
    // server's that stopped without ending it.
    await reapAbandonedRuns(db, { staleAfterMs: 0 });
  }
  const connector = await findConnector(db, { name });
  const engine = createSyncEngine({
    db,
    plugins: hub.registry,
    secretKey: hub.secretKey,
    writes: hub.writes,
    logger: hub.logger,
    rescoreDrains: RESCORE_DRAINS[hub.databaseKind],
    onCommit: (commit) =>
      io.print(
        `  ${commit.stream}: ${commit.fetched} read, ${commit.counts.created} created, ${commit.counts.updated} updated, ${commit.counts.unchanged} unchanged, ${commit.counts.deleted} deleted, ${commit.counts.deadLettered} dead-lettered${commit.checkpoint !== undefined ? " (checkpoint)" : ""}`,
      ),
  });
  const interrupt = () => {
    io.print("Cancelling the run: what it committed stays, and the next run resumes from there.");
    void engine.close();
  };
  process.once("SIGINT", interrupt);
  try {
    let run: SyncRun;
    try {
      const queued = await engine.trigger({ id: connector.id });
      io.print(`Syncing ${connector.name} (run ${queued.id})…`);
      run = await engine.wait(queued.id);
    } catch (error) {
      if (!(error instanceof ConflictError) || !values.wait) throw error;
      run = await waitForActiveRun(db, io, connector.id, error);
    }
    io.print(`Run ${run.id}: ${describeRun(run)}`);
    if (run.error) io.print(run.error);
    return run.status === "SUCCEEDED" ? 0 : 1;
  } finally {
    process.off("SIGINT", interrupt);
    await engine.close();
  }
}

/** Another instance runs this connector: follow its run to the end. */
async function waitForActiveRun(
  db: PrismaClient,
  io: CommandContext,
  connectorId: string,
  conflict: ConflictError,
): Promise<SyncRun> {
  const active = await db.syncRun.findFirst({ where: { connectorId, status: { in: [...ACTIVE] } } });
  if (!active) throw conflict;
  io.print(`Waiting for run ${active.id}, already ${active.status.toLowerCase()}…`);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const run = await db.syncRun.findUniqueOrThrow({ where: { id: active.id } });
    if (!ACTIVE.includes(run.status as (typeof ACTIVE)[number])) return run;
  }
}

export async function listRuns(
  hub: CliHub,
  io: CommandContext,
  args: string[],
  usage: string,
): Promise<number> {
  const { values, positionals } = parseCliArgs(
    {
      args,
      allowPositionals: true,
      options: { limit: { type: "string", default: "20" } },
    },
    usage,
  );
  const [name] = positionals;
  const limit = Number(values.limit);
  if (!name || positionals.length > 1 || !Number.isInteger(limit) || limit < 1) throw new UsageError(usage);
  const connector = await findConnector(hub.db, { name });
  const runs = await hub.db.syncRun.findMany({
    where: { connectorId: connector.id },
    orderBy: [{ queuedAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  if (runs.length === 0) io.print(`${name} has not synced yet: npm run connectors -- sync ${name}.`);
  for (const run of runs) {
    io.print(`${run.id}  ${run.trigger.padEnd(9)} ${describeRun(run)}`);
    if (run.error) io.print(`  ${run.error.split("\n").join("\n  ")}`);
  }
  return 0;
}
