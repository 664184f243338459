// Whether a database has already applied every migration in the folder, read from the history table
// Prisma keeps (`_prisma_migrations`) with one query. Most starts have nothing to apply; this answer
// lets them skip the schema engine, whose WebAssembly costs seconds to compile and tens of MB to hold.
import { createHash } from "node:crypto";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

/** The slice of migrations.ts's MigrationsList read here: each folder's name and script. */
interface FolderMigrations {
  migrationDirectories: Array<{ path: string; migrationFile: { content: { value: string } } }>;
}

/**
 * True only when the engine would certainly do nothing: every folder migration is recorded as finished
 * with the same checksum, none is failed or rolled back, and the table knows no migration the folder
 * lacks. Anything else (no table yet, an edited file, a failure to report) is left to the engine.
 */
export async function everyMigrationApplied(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  migrationsList: FolderMigrations,
): Promise<boolean> {
  const recorded = await readHistory(adapterFactory);
  if (!recorded) return false;
  const inFolder = new Map(
    migrationsList.migrationDirectories.map((folder) => [
      folder.path,
      checksumOf(folder.migrationFile.content.value),
    ]),
  );
  if (recorded.some((row) => row.rolledBack || !row.finished || !inFolder.has(row.name))) return false;
  const applied = new Map(recorded.map((row) => [row.name, row.checksum]));
  return [...inFolder].every(([name, checksum]) => applied.get(name) === checksum);
}

interface HistoryRow {
  name: string;
  checksum: string;
  finished: boolean;
  rolledBack: boolean;
}

/** The history table's rows, or null when the database has none yet. */
async function readHistory(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
): Promise<HistoryRow[] | null> {
  const adapter = await adapterFactory.connect();
  try {
    const exists = await adapter.queryRaw({
      sql: "SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present",
      args: [],
      argTypes: [],
    });
    if (exists.rows[0]?.[0] !== true) return null;
    const history = await adapter.queryRaw({
      sql: `SELECT migration_name, checksum, finished_at IS NOT NULL, rolled_back_at IS NOT NULL
              FROM _prisma_migrations`,
      args: [],
      argTypes: [],
    });
    return history.rows.map(([name, checksum, finished, rolledBack]) => ({
      name: String(name),
      checksum: String(checksum),
      finished: finished === true,
      rolledBack: rolledBack === true,
    }));
  } finally {
    await adapter.dispose();
  }
}

/** Prisma's checksum of a migration: the SHA-256 of its script, in hex. */
function checksumOf(script: string): string {
  return createHash("sha256").update(script).digest("hex");
}
