import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect } from "vitest";
import { applyMigrations, MIGRATIONS_DIR, migrationStatus, readMigrations } from "../../src/db/migrations.ts";
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
});
