// The postgres project's test databases: copies of the run's migrated template, reused one test after
// another within a worker.
//
// Creating a database from the template took about 200 ms on this machine (PostgreSQL 15 writes every
// page of the copy to the WAL), a fresh database's first connection 45 ms more (cold catalog caches),
// and every DROP DATABASE forces a checkpoint that writes out every database's changed pages: 225 ms
// of the server's CPU a test. So a test's database is emptied when the test ends and handed to the
// worker's next test (empty-test-database.ts), unless the test left it different from the template in
// a way emptying cannot undo, or it cannot be emptied: then it is dropped and the next test gets a
// fresh copy. The postgres project went from 253 to 193-216 s and its server's CPU from 260 to
// 185-209 s (vitest alone on this machine, one run before, three after).

import { randomBytes } from "node:crypto";
import type pg from "pg";
import { inject } from "vitest";
import { type Database, fromPostgresUrl } from "../../src/db/database.ts";
import { emptiedLikeTemplate, type MaintenanceSql, shapeOf } from "./empty-test-database.ts";
import { databaseUrl, TEST_DATABASE_PREFIX, withAdminClient, withClient } from "./postgres-admin.ts";
import "./provided.ts";

/** The template's shape, read from the worker's first fresh copy before its test touched it. */
let templateShape: Promise<string> | undefined;

/** The database the previous test left emptied for the next, while it is being emptied. */
let spare: Promise<string | undefined> | undefined;

/** A migrated, empty database of the test's own: the worker's spare one, or a fresh copy. */
export async function createPostgresTestDatabase(): Promise<Database> {
  const adminUrl = inject("postgresAdminUrl");
  const name = (await takeSpare()) ?? (await createFromTemplate(adminUrl));
  const database = fromPostgresUrl(databaseUrl(adminUrl, name));
  let closed = false;
  return {
    ...database,
    async close() {
      // A second close must not hand the database on again, nor empty it under the next test.
      if (closed) return;
      closed = true;
      await database.close();
      // A test that held two databases at once leaves two; the worker keeps one.
      if (spare) await dropLater(adminUrl, name);
      else spare = emptyForReuse(adminUrl, name);
    },
  };
}

async function takeSpare(): Promise<string | undefined> {
  const taken = spare;
  spare = undefined;
  return taken && (await taken);
}

/**
 * A copy of the run's migrated template of the test's own, not reused after it: for a test that hands
 * its URL to another process (a hub it starts, a child it kills). `label` goes into its name.
 */
export async function copyOfTemplate(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject("postgresAdminUrl");
  const name = `${TEST_DATABASE_PREFIX}${label}_${randomBytes(4).toString("hex")}`;
  await copyTemplateAs(adminUrl, name);
  return {
    url: databaseUrl(adminUrl, name),
    async drop() {
      await withAdminClient(adminUrl, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
}

function copyTemplateAs(adminUrl: string, name: string) {
  return withAdminClient(adminUrl, (admin) =>
    admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject("postgresTemplate")}"`),
  );
}

async function createFromTemplate(adminUrl: string): Promise<string> {
  const name = `${inject("postgresDatabasePrefix")}${randomBytes(6).toString("hex")}`;
  await copyTemplateAs(adminUrl, name);
  templateShape ??= withDatabaseClient(adminUrl, name, (client) => shapeOf(sqlOfClient(client)));
  await templateShape;
  return name;
}

/**
 * Empties a test's database for the next one: the name when it is as the template made it, or
 * undefined once it is being dropped (changed in shape, locked, or not accepting connections).
 */
async function emptyForReuse(adminUrl: string, name: string): Promise<string | undefined> {
  try {
    const emptied = await withDatabaseClient(adminUrl, name, async (client) => {
      // Connections the test left open (a pool it did not close, a process it started) would hold
      // the tables; a fresh database per test never had them either. DROP DATABASE … FORCE did this.
      await client.query(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      await client.query("SET lock_timeout = '10s'");
      return emptiedLikeTemplate(sqlOfClient(client), (await templateShape) ?? "");
    });
    if (emptied) return name;
  } catch (error) {
    console.warn(
      `Could not empty the test database ${name} for reuse; dropping it: ${(error as Error).message}`,
    );
  }
  await dropLater(adminUrl, name);
  return undefined;
}

function sqlOfClient(client: pg.Client): MaintenanceSql {
  return {
    query: async (text, params) => (await client.query(text, params)).rows,
    // Without parameters pg sends the simple query protocol, which runs a script of statements.
    exec: async (script) => void (await client.query(script)),
  };
}

/** Runs `work` on a connection of the admin user to the test database `name`. */
function withDatabaseClient<T>(adminUrl: string, name: string, work: (client: pg.Client) => Promise<T>) {
  return withClient(databaseUrl(adminUrl, name), work);
}

/** Drops under way from this worker; each holds an admin connection until its checkpoint ends. */
const dropsUnderWay = new Set<Promise<void>>();
const MAX_DROPS_UNDER_WAY = 4;

/**
 * Drops a test's database in the background, waiting only while MAX_DROPS_UNDER_WAY are under way (so
 * that short tests cannot pile up connections). A drop that fails (or that a worker's exit cuts short)
 * leaves the database to the run's teardown, which drops it again and fails the run if it cannot.
 */
async function dropLater(adminUrl: string, name: string): Promise<void> {
  while (dropsUnderWay.size >= MAX_DROPS_UNDER_WAY) await Promise.race(dropsUnderWay);
  const drop = withAdminClient(adminUrl, (admin) =>
    admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  )
    .then(() => undefined)
    .catch((error: Error) => {
      console.warn(`Could not drop the test database ${name} (the run's teardown will): ${error.message}`);
    })
    .finally(() => dropsUnderWay.delete(drop));
  dropsUnderWay.add(drop);
}
