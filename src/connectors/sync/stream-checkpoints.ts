// The checkpoints (stored cursors) of a connector's streams, as an integrator inspects them, and their
// reset: a stream whose checkpoint is reset syncs from the start on its next run. Used by the GraphQL
// API and the command line alike.
import type { Db } from "../../db/database.ts";
import { ConflictError, ValidationError } from "../../domain/errors.ts";
import type { Connector, Prisma } from "../../generated/prisma/client.ts";
import type { PluginRegistry } from "../plugin-registry.ts";

export interface StreamCheckpoint {
  /** The stream's name. */
  name: string;
  /** Where the next run resumes from; null when it syncs from the start. */
  checkpoint: Prisma.JsonValue | null;
  /** When the checkpoint was last stored; null when there is none. */
  updatedAt: Date | null;
}

/**
 * Every stream of the connector with its checkpoint: the plugin's streams in their order, then any
 * stream with a stored checkpoint the plugin no longer has (or every stored one, when the plugin is
 * not loaded), so nothing stored is hidden.
 */
export async function listStreamCheckpoints(
  db: Db,
  plugins: PluginRegistry,
  connector: Pick<Connector, "id" | "pluginId">,
): Promise<StreamCheckpoint[]> {
  const stored = await db.syncCursor.findMany({
    where: { connectorId: connector.id },
    orderBy: { stream: "asc" },
  });
  const byStream = new Map(stored.map((row) => [row.stream, row]));
  const names = [...Object.keys(plugins.get(connector.pluginId)?.streams ?? {})];
  for (const row of stored) if (!names.includes(row.stream)) names.push(row.stream);
  return names.map((name) => {
    const row = byStream.get(name);
    return { name, checkpoint: row?.cursor ?? null, updatedAt: row?.updatedAt ?? null };
  });
}

/**
 * Forgets the checkpoint of one stream, so that its next run reads everything from the start (the
 * records it reads again are stored as unchanged). Refused while a run is active: the run would store
 * its next checkpoint over the reset. Returns the checkpoint that was forgotten (null: there was none).
 */
export async function resetStreamCheckpoint(
  db: Db,
  plugins: PluginRegistry,
  connector: Pick<Connector, "id" | "name" | "pluginId">,
  stream: string,
): Promise<{ previous: StreamCheckpoint }> {
  const streams = await listStreamCheckpoints(db, plugins, connector);
  const found = streams.find((entry) => entry.name === stream);
  if (!found) {
    throw new ValidationError(
      `Connector "${connector.name}" has no stream "${stream}": its streams are ${streams.map((entry) => `"${entry.name}"`).join(", ") || "unknown (its plugin is not loaded)"}.`,
      [{ path: ["stream"], message: `choose one of ${streams.map((entry) => entry.name).join(", ")}` }],
    );
  }
  // One statement: a run queued between a check and the delete would store its checkpoint over the
  // reset, so the database decides, as it does for the runs themselves (sync-runs.ts).
  const deleted = await db.$executeRaw`
    DELETE FROM "SyncCursor"
    WHERE "connectorId" = ${connector.id}::uuid AND "stream" = ${stream}
      AND NOT EXISTS (
        SELECT 1 FROM "SyncRun"
        WHERE "connectorId" = ${connector.id}::uuid AND "status" IN ('QUEUED', 'RUNNING')
      )`;
  if (deleted === 0) {
    const active = await db.syncRun.findFirst({
      where: { connectorId: connector.id, status: { in: ["QUEUED", "RUNNING"] } },
    });
    if (active) {
      throw new ConflictError(
        `Connector "${connector.name}" has a ${active.status.toLowerCase()} sync run (${active.id}), which would store its next checkpoint over the reset: cancel it or let it end, then reset the stream.`,
      );
    }
  }
  return { previous: found };
}
