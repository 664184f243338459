// Fails when prisma/schema.prisma and prisma/migrations disagree: run `npm run migrate -- create <name>`.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { MIGRATIONS_DIR, SCHEMA_PATH } from "../../src/db/migrations.ts";
import { planNextMigration } from "../../src/db/plan-migration.ts";

describe("schema drift", () => {
  const scratch = mkdtemp(path.join(tmpdir(), "cxhub-drift-"));
  afterAll(async () => rm(await scratch, { recursive: true, force: true }));

  test("schema.prisma needs no migration beyond the committed ones", async () => {
    const pending = await planNextMigration();
    expect(
      pending,
      "prisma/schema.prisma changed without a migration: run npm run migrate -- create <name>",
    ).toBeNull();
  });

  test("a field added to the schema without a migration is caught", async () => {
    const folder = await scratch;
    const schemaPath = path.join(folder, "schema.prisma");
    const schema = await readFile(SCHEMA_PATH, "utf8");
    const changed = schema.replace("model Customer {", "model Customer {\n  preferredLanguage String?");
    expect(changed).not.toBe(schema);
    await writeFile(schemaPath, changed);

    const pending = await planNextMigration(schemaPath, MIGRATIONS_DIR);
    expect(pending).toContain('ALTER TABLE "Customer" ADD COLUMN     "preferredLanguage" TEXT');
  });

  test("a migration folder with no migrations plans the whole schema", async () => {
    const folder = await scratch;
    const emptyMigrations = path.join(folder, "empty-migrations");
    await cp(MIGRATIONS_DIR, emptyMigrations, {
      recursive: true,
      filter: (source) => !/\d{14}_/.test(source),
    });
    const pending = await planNextMigration(SCHEMA_PATH, emptyMigrations);
    expect(pending).toContain('CREATE TABLE "Customer"');
  });
});
