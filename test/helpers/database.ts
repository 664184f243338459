// `test` with a `db` fixture: a fresh, migrated database for each test that asks for one, on the
// project's database kind (PGlite or PostgreSQL). Tests that don't use `db` pay nothing.
//
// PostgreSQL: each test gets its own database, created from the migrated template (about 40 ms), and
// drops it after the test without waiting: PostgreSQL 15 forces a checkpoint on every DROP DATABASE
// (writing out every database's changed pages), which took 2-4.5 s a drop on the loaded test machine.
// Drops under way at once share one checkpoint. The run's teardown drops any a worker left behind.
// PGlite: starting an instance from the migrated snapshot takes about a second, so a test file keeps
// one instance and empties its tables after each test (TRUNCATE, about 50 ms). An instance a test left
// unusable (a transaction still open, the migration history changed) is closed and replaced; a test
// that asks for a second database at once gets its own instance.

import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { PGlite } from "@electric-sql/pglite";
import { afterAll, test as base, inject } from "vitest";
import { type Database, fromPGlite, fromPostgresUrl } from "../../src/db/database.ts";
import { createPGlite } from "../../src/db/pglite-extensions.ts";
import { databaseUrl, withAdminClient } from "./postgres-admin.ts";
import "./provided.ts";

export const databaseKind = inject("databaseKind");

export async function createTestDatabase(): Promise<Database> {
  if (databaseKind === "pglite") return reusedPGlite() ?? fromPGlite(await freshPGlite());
  const adminUrl = inject("postgresAdminUrl");
  const name = `${inject("postgresDatabasePrefix")}${randomBytes(6).toString("hex")}`;
  await withAdminClient(adminUrl, (admin) =>
    admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject("postgresTemplate")}"`),
  );
  const database = fromPostgresUrl(databaseUrl(adminUrl, name));
  return {
    ...database,
    async close() {
      await database.close();
      await dropLater(adminUrl, name);
    },
  };
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

let snapshot: Promise<Blob> | undefined;

async function freshPGlite(): Promise<PGlite> {
  snapshot ??= readFile(inject("pgliteSnapshotPath")).then((bytes) => new Blob([bytes]));
  return createPGlite({ loadDataDir: await snapshot });
}

interface SharedPGlite {
  pglite: Promise<PGlite>;
  inUse: boolean;
  /** The migration history as loaded: a test that changes it leaves the instance to be replaced. */
  history: Promise<string>;
}

let shared: SharedPGlite | undefined;

const HISTORY = `SELECT coalesce(md5(string_agg(migration_name || checksum || coalesce(finished_at::text, ''), ',' ORDER BY id)), '') AS digest FROM _prisma_migrations`;
const TABLES = `SELECT string_agg(format('%I', tablename), ', ') AS list FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`;

/** The file's instance, emptied by the previous test's close; undefined while a test holds it. */
function reusedPGlite(): Promise<Database> | undefined {
  if (shared?.inUse) return undefined;
  if (!shared) {
    const pglite = freshPGlite();
    shared = {
      pglite,
      inUse: false,
      history: pglite.then(async (p) => (await p.query<{ digest: string }>(HISTORY)).rows[0]?.digest ?? ""),
    };
  }
  const current = shared;
  current.inUse = true;
  return current.pglite.then((pglite) =>
    fromPGlite(pglite, async () => {
      // After the file's afterAll (a file-scoped fixture is released later) the holder closes it.
      if (shared === current && (await emptied(pglite, await current.history))) current.inUse = false;
      else {
        if (shared === current) shared = undefined;
        await pglite.close();
      }
    }),
  );
}

/** Empties every table; false when the instance cannot be trusted for the next test. */
async function emptied(pglite: PGlite, history: string): Promise<boolean> {
  try {
    if ((await pglite.query<{ digest: string }>(HISTORY)).rows[0]?.digest !== history) return false;
    const tables = (await pglite.query<{ list: string }>(TABLES)).rows[0]?.list;
    if (tables) await pglite.exec(`TRUNCATE ${tables} CASCADE`);
    return true;
  } catch {
    return false; // A transaction left open or aborted: start the next test on a new instance.
  }
}

afterAll(async () => {
  const last = shared;
  shared = undefined;
  // One still held (by a file-scoped fixture, torn down after afterAll) is closed by its holder.
  if (last && !last.inUse) await (await last.pglite).close();
});

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
