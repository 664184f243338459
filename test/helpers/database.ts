// `test` with a `db` fixture: a fresh, migrated database for each test that asks for one, on the
// project's database kind (PGlite or PostgreSQL). Tests that don't use `db` pay nothing.

import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { test as base, inject } from "vitest";
import { type Database, fromPGlite, fromPostgresUrl } from "../../src/db/database.ts";
import { databaseUrl, TEST_DATABASE_PREFIX, withAdminClient } from "./postgres-admin.ts";
import "./provided.ts";

export const databaseKind = inject("databaseKind");

export async function createTestDatabase(): Promise<Database> {
  if (databaseKind === "pglite") {
    const snapshot = await readFile(inject("pgliteSnapshotPath"));
    const pglite = await PGlite.create({ loadDataDir: new Blob([snapshot]) });
    return fromPGlite(pglite);
  }
  const adminUrl = inject("postgresAdminUrl");
  const name = `${TEST_DATABASE_PREFIX}${randomBytes(6).toString("hex")}`;
  await withAdminClient(adminUrl, (admin) =>
    admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject("postgresTemplate")}"`),
  );
  const database = fromPostgresUrl(databaseUrl(adminUrl, name));
  return {
    ...database,
    async close() {
      await database.close();
      await withAdminClient(adminUrl, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
}

export const test = base.extend<{ db: Database }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures take their dependencies as a destructured first argument
  db: async ({}, use) => {
    const database = await createTestDatabase();
    try {
      await use(database);
    } finally {
      await database.close();
    }
  },
});
