// Prisma migrations without the Prisma CLI: read prisma/migrations in Prisma's own format, apply them
// exactly as `prisma migrate deploy` would (same `_prisma_migrations` table, same checksums), report
// their status, and plan the next migration from a schema change. Any team with network can switch
// to the Prisma CLI at any time and it will find the history it expects.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { projectPath } from "../project-files.ts";
import { everyMigrationApplied } from "./migration-history.ts";
import { withSchemaEngine } from "./schema-engine.ts";

export const MIGRATIONS_DIR = projectPath("prisma", "migrations");
export const SCHEMA_PATH = projectPath("prisma", "schema.prisma");

const LOCKFILE = "migration_lock.toml";
export const NO_FILTERS = { externalTables: [], externalEnums: [] };

export interface MigrationsList {
  baseDir: string;
  lockfile: { path: string; content: string | null };
  shadowDbInitScript: string;
  migrationDirectories: Array<{
    path: string;
    migrationFile: { path: string; content: { tag: "ok"; value: string } };
  }>;
}

/** Loads the migration folders (`<timestamp>_<name>/migration.sql`) in order, as the Prisma CLI does. */
export async function readMigrations(migrationsDir = MIGRATIONS_DIR): Promise<MigrationsList> {
  const entries = (await readdir(migrationsDir, { withFileTypes: true }).catch(nullWhenMissing)) ?? [];
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrationDirectories = await Promise.all(
    folders.map(async (folder) => ({
      path: folder,
      migrationFile: {
        path: "migration.sql",
        content: {
          tag: "ok" as const,
          value: await readFile(path.join(migrationsDir, folder, "migration.sql"), "utf8"),
        },
      },
    })),
  );
  const lockContent = await readFile(path.join(migrationsDir, LOCKFILE), "utf8").catch(nullWhenMissing);
  return {
    baseDir: path.resolve(migrationsDir),
    lockfile: { path: LOCKFILE, content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/** A file or folder that does not exist yet reads as null; any other failure is real and propagates. */
function nullWhenMissing(error: unknown): null {
  if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
  throw error;
}

/** Applies every migration not yet applied, recording each as `prisma migrate deploy` does. Returns their names. */
export async function applyMigrations(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  migrationsDir = MIGRATIONS_DIR,
): Promise<string[]> {
  const migrationsList = await readMigrations(migrationsDir);
  // A start with nothing to apply (most of them) need not load the engine at all.
  if (await everyMigrationApplied(adapterFactory, migrationsList)) return [];
  const output = await withSchemaEngine(adapterFactory, undefined, (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
  );
  return output.appliedMigrationNames;
}

export interface MigrationStatus {
  /** Migrations in the folder that the database has not applied. */
  pending: string[];
  /** Applied migrations whose migration.sql changed since. */
  edited: string[];
  /** Migrations recorded as failed in the database. */
  failed: string[];
  /** Migrations the database has applied that the folder does not have. */
  unknownToFolder: string[];
}

/** Compares the migrations folder with what the database has recorded. */
export async function migrationStatus(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  migrationsDir = MIGRATIONS_DIR,
): Promise<MigrationStatus> {
  const migrationsList = await readMigrations(migrationsDir);
  const output = await withSchemaEngine(adapterFactory, undefined, (engine) =>
    engine.diagnoseMigrationHistory({
      migrationsList,
      optInToShadowDatabase: false,
      filters: NO_FILTERS,
    }),
  );
  const history = output.history;
  return {
    pending: history && "unappliedMigrationNames" in history ? history.unappliedMigrationNames : [],
    edited: output.editedMigrationNames,
    failed: output.failedMigrationNames,
    unknownToFolder:
      history && "unpersistedMigrationNames" in history ? history.unpersistedMigrationNames : [],
  };
}
