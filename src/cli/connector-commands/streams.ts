// `streams` and `reset`: a connector's checkpoints (where each stream's next sync resumes), and
// forgetting one so that the stream syncs from the start.
import { findConnector } from "../../connectors/connector-store.ts";
import { listStreamCheckpoints, resetStreamCheckpoint } from "../../connectors/sync/stream-checkpoints.ts";
import { reapAbandonedRuns } from "../../connectors/sync/sync-runs.ts";
import { type CommandContext, UsageError } from "../run-cli.ts";
import type { CliHub } from "./hub.ts";

export async function listStreams(
  hub: CliHub,
  io: CommandContext,
  args: string[],
  usage: string,
): Promise<number> {
  const [name, ...more] = args;
  if (!name || more.length > 0) throw new UsageError(usage);
  const connector = await findConnector(hub.db, { name });
  for (const stream of await listStreamCheckpoints(hub.db, hub.registry, connector)) {
    io.print(
      stream.updatedAt
        ? `${stream.name}  checkpoint ${JSON.stringify(stream.checkpoint)}  stored ${stream.updatedAt.toISOString()}`
        : `${stream.name}  no checkpoint: the next sync reads from the start`,
    );
  }
  return 0;
}

export async function resetStream(
  hub: CliHub,
  io: CommandContext,
  args: string[],
  usage: string,
): Promise<number> {
  const [name, stream, ...more] = args;
  if (!name || !stream || more.length > 0) throw new UsageError(usage);
  const connector = await findConnector(hub.db, { name });
  // The embedded database has one process at a time: a run still active was left by one that stopped.
  if (hub.databaseKind === "pglite") await reapAbandonedRuns(hub.db, { staleAfterMs: 0 });
  const { previous } = await resetStreamCheckpoint(hub.db, hub.registry, connector, stream);
  io.print(
    previous.updatedAt
      ? `Reset stream ${stream} of ${name}: its next sync reads from the start. The checkpoint it had: ${JSON.stringify(previous.checkpoint)}`
      : `Stream ${stream} of ${name} had no checkpoint: its next sync reads from the start.`,
  );
  return 0;
}
