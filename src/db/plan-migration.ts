// Plans the next migration from a schema change (`npm run migrate -- create <name>`, and the drift
// test): the migrations replayed on in-memory PGlite instances, diffed against the schema file. Its
// own module, away from migrations.ts, which every start loads: PGlite is for development here, and a
// hub on PostgreSQL does not load it (embedded-database.ts says why).
import { readFile } from "node:fs/promises";
import type { PGlite } from "@electric-sql/pglite";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { MIGRATIONS_DIR, NO_FILTERS, readMigrations, SCHEMA_PATH } from "./migrations.ts";
import { withSchemaEngine } from "./schema-engine.ts";
import { createScratchPGlite } from "./scratch-pglite.ts";

const EMPTY_MIGRATION = "-- This is an empty migration.";

/**
 * The SQL that would bring a database built from the migrations to match the schema file, or null when
 * they already agree. Runs on an in-memory PGlite, whose adapter provides the shadow database.
 */
export async function planNextMigration(
  schemaPath = SCHEMA_PATH,
  migrationsDir = MIGRATIONS_DIR,
): Promise<string | null> {
  const [migrationsList, schema] = await Promise.all([
    readMigrations(migrationsDir),
    readFile(schemaPath, "utf8"),
  ]);
  const pglite = await createScratchPGlite();
  const shadows: PGlite[] = [];
  try {
    const result = await withSchemaEngine(
      withExtensionsInShadow(new PrismaPGlite(pglite), shadows),
      undefined,
      (engine) =>
        engine.diff({
          from:
            migrationsList.migrationDirectories.length > 0
              ? { tag: "migrations", ...migrationsList }
              : { tag: "empty" },
          to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: schema }] },
          script: true,
          exitCode: null,
          filters: NO_FILTERS,
        }),
    );
    const sql = (result.stdout ?? "").trim();
    return sql === "" || sql === EMPTY_MIGRATION ? null : `${sql}\n`;
  } finally {
    // The engine does not close the shadow databases it asked for; an open one keeps the process alive.
    await Promise.all([pglite, ...shadows].map((instance) => instance.close()));
  }
}

/**
 * The PGlite adapter's shadow database (where the planner replays the migrations) is a bare PGlite
 * that cannot create the hub's extensions; this one can. Each one made is added to `made`.
 */
function withExtensionsInShadow(
  factory: PrismaPGlite,
  made: PGlite[],
): SqlMigrationAwareDriverAdapterFactory {
  return Object.assign(Object.create(factory) as PrismaPGlite, {
    connectToShadowDb: async () => {
      const shadow = await createScratchPGlite();
      made.push(shadow);
      return new PrismaPGlite(shadow).connect();
    },
  });
}
