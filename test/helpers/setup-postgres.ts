// Migrates one template database per run on the machine's PostgreSQL; each test then gets its own
// database copied from it (CREATE DATABASE … TEMPLATE, tens of milliseconds), named with this run's
// prefix. Tests drop their databases without waiting (helpers/database.ts); the teardown drops any that
// a worker left behind when it ended. TEST_POSTGRES_URL names the server and a database to connect to for administration.

import type { TestProject } from "vitest/node";
import { fromPostgresUrl } from "../../src/db/database.ts";
import { applyMigrations } from "../../src/db/migrations.ts";
import {
  databaseUrl,
  dropStaleTestDatabases,
  dropTestDatabasesNamed,
  TEST_DATABASE_PREFIX,
  withAdminClient,
} from "./postgres-admin.ts";
import "./provided.ts";

export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const template = `cxhub_test_template_${process.pid}`;
  const prefix = `${TEST_DATABASE_PREFIX}${process.pid}_`;
  await withAdminClient(adminUrl, async (admin) => {
    await dropStaleTestDatabases(admin);
    await admin.query(`CREATE DATABASE "${template}"`);
  });
  const database = fromPostgresUrl(databaseUrl(adminUrl, template));
  try {
    await applyMigrations(database.adapterFactory);
  } finally {
    await database.close();
  }
  project.provide("databaseKind", "postgres");
  project.provide("postgresAdminUrl", adminUrl);
  project.provide("postgresTemplate", template);
  project.provide("postgresDatabasePrefix", prefix);
  return () =>
    withAdminClient(adminUrl, async (admin) => {
      await dropTestDatabasesNamed(admin, prefix);
      await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    });
}
