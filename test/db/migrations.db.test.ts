import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect } from "vitest";
import { everyMigrationApplied } from "../../src/db/migration-history.ts";
import {
  applyMigrations,
  MIGRATIONS_DIR,
  type MigrationsList,
  migrationStatus,
  readMigrations,
} from "../../src/db/migrations.ts";
import { isSchemaEngineLoaded, unloadSchemaEngine } from "../../src/db/schema-engine.ts";
import { test } from "../helpers/database.ts";

describe("migrations", () => {
  test("are recorded in _prisma_migrations exactly as prisma migrate deploy records them", async ({ db }) => {
    const { migrationDirectories } = await readMigrations();
    const rows = await db.prisma.$queryRaw<
      Array<{
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        applied_steps_count: number;
      }>
    >`SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`;

    expect(rows.map((row) => row.migration_name)).toEqual(migrationDirectories.map((dir) => dir.path));
    for (const row of rows) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
  });

  test("apply nothing the second time and report every migration as applied", async ({ db }) => {
    expect(await applyMigrations(db.adapterFactory)).toEqual([]);
    expect(await migrationStatus(db.adapterFactory)).toEqual({
      pending: [],
      edited: [],
      failed: [],
      unknownToFolder: [],
    });
  });

  test("report a migration edited after it was applied", async ({ db }) => {
    const { migrationDirectories } = await readMigrations();
    const edited = migrationDirectories[0]?.path ?? "";
    await db.prisma
      .$executeRaw`UPDATE _prisma_migrations SET checksum = 'not-the-real-checksum' WHERE migration_name = ${edited}`;
    const status = await migrationStatus(db.adapterFactory);
    expect(status.edited).toEqual([edited]);
  });

  test("apply nothing without loading the schema engine when the history is complete", async ({ db }) => {
    unloadSchemaEngine();
    expect(isSchemaEngineLoaded()).toBe(false);
    expect(await applyMigrations(db.adapterFactory)).toEqual([]);
    expect(isSchemaEngineLoaded()).toBe(false);
  });

  test("leave the engine to decide when the history is not plainly complete", async ({ db }) => {
    const list = await readMigrations();
    const [first, second, third] = list.migrationDirectories.map((dir) => dir.path);
    expect(await everyMigrationApplied(db.adapterFactory, list)).toBe(true);
    await db.prisma
      .$executeRaw`UPDATE _prisma_migrations SET checksum = 'edited' WHERE migration_name = ${first}`;
    expect(await everyMigrationApplied(db.adapterFactory, list)).toBe(false);
    await db.prisma
      .$executeRaw`UPDATE _prisma_migrations SET checksum = ${checksumOf(list, first)} WHERE migration_name = ${first}`;
    expect(await everyMigrationApplied(db.adapterFactory, list)).toBe(true);
    await db.prisma
      .$executeRaw`UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = ${second}`;
    expect(await everyMigrationApplied(db.adapterFactory, list)).toBe(false);
    await db.prisma
      .$executeRaw`UPDATE _prisma_migrations SET finished_at = now() WHERE migration_name = ${second}`;
    await db.prisma.$executeRaw`DELETE FROM _prisma_migrations WHERE migration_name = ${third}`;
    expect(await everyMigrationApplied(db.adapterFactory, list)).toBe(false);
    const withoutThird = {
      ...list,
      migrationDirectories: list.migrationDirectories.filter((dir) => dir.path !== third),
    };
    expect(await everyMigrationApplied(db.adapterFactory, withoutThird)).toBe(true);
    // A migration the database applied that the folder lacks is the engine's to report.
    const withoutFirst = {
      ...withoutThird,
      migrationDirectories: withoutThird.migrationDirectories.filter((dir) => dir.path !== first),
    };
    expect(await everyMigrationApplied(db.adapterFactory, withoutFirst)).toBe(false);
  });

  test("load the schema engine again after it was unloaded", async ({ db }) => {
    await migrationStatus(db.adapterFactory);
    expect(isSchemaEngineLoaded()).toBe(true);
    unloadSchemaEngine();
    expect(isSchemaEngineLoaded()).toBe(false);
    expect((await migrationStatus(db.adapterFactory)).pending).toEqual([]);
    // Twice in a row: the second instance must not see the first one's memory.
    unloadSchemaEngine();
    expect((await migrationStatus(db.adapterFactory)).pending).toEqual([]);
  });
});

function checksumOf(list: MigrationsList, name: string | undefined): string {
  const script = list.migrationDirectories.find((dir) => dir.path === name)?.migrationFile.content.value;
  return createHash("sha256")
    .update(script ?? "")
    .digest("hex");
}
