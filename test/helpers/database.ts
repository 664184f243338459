// `test` with a `db` fixture: a fresh, migrated database for each test that asks for one, on the
// project's database kind (PGlite or PostgreSQL). Tests that don't use `db` pay nothing.
//
// PostgreSQL: a copy of the migrated template, emptied the same way after each test and handed to the
// worker's next one (postgres-test-databases.ts).
// PGlite: starting an instance from the migrated snapshot takes about a second, so a worker keeps one
// instance and empties its tables after each test (empty-test-database.ts). An instance a test left
// unusable (a transaction aborted) or different from the template in what emptying cannot undo
// (statistics, tables, the migration history) is closed and replaced; a test that asks for a second
// database at once gets its own instance.

import { readFile } from "node:fs/promises";
import type { PGlite } from "@electric-sql/pglite";
import { afterAll, test as base, inject } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { fromPGlite } from "../../src/db/embedded-database.ts";
import { createPGlite } from "../../src/db/pglite-extensions.ts";
import { emptiedLikeTemplate, type MaintenanceSql, shapeOf } from "./empty-test-database.ts";
import { createPostgresTestDatabase } from "./postgres-test-databases.ts";
import "./provided.ts";

export const databaseKind = inject("databaseKind");

export async function createTestDatabase(): Promise<Database> {
  if (databaseKind === "pglite") return reusedPGlite() ?? fromPGlite(await freshPGlite());
  return createPostgresTestDatabase();
}

let snapshot: Promise<Blob> | undefined;

async function freshPGlite(): Promise<PGlite> {
  snapshot ??= readFile(inject("pgliteSnapshotPath")).then((bytes) => new Blob([bytes]));
  return createPGlite({ loadDataDir: await snapshot });
}

interface SharedPGlite {
  pglite: Promise<PGlite>;
  inUse: boolean;
  /** The shape as loaded (empty-test-database.ts): a test that changes it leaves the instance to be replaced. */
  shape: Promise<string>;
}

let shared: SharedPGlite | undefined;

/** The worker's instance, emptied by the previous test's close; undefined while a test holds it. */
function reusedPGlite(): Promise<Database> | undefined {
  if (shared?.inUse) return undefined;
  if (!shared) {
    const pglite = freshPGlite();
    shared = {
      pglite,
      inUse: false,
      shape: pglite.then((instance) => shapeOf(sqlOfPGlite(instance))),
    };
  }
  const current = shared;
  current.inUse = true;
  return current.pglite.then((pglite) =>
    fromPGlite(pglite, async () => {
      // After the file's afterAll (a file-scoped fixture is released later) the holder closes it.
      if (shared === current && (await emptied(pglite, await current.shape))) current.inUse = false;
      else {
        if (shared === current) shared = undefined;
        await pglite.close();
      }
    }),
  );
}

/** Empties every table; false when the instance cannot be trusted for the next test. */
async function emptied(pglite: PGlite, shape: string): Promise<boolean> {
  // The instance is one session, which the next test inherits: a transaction left open would become
  // the next test's, and a channel still listened to would get its notifications.
  if (pglite.isInTransaction()) return false;
  try {
    const [listening] = (
      await pglite.query<{ channels: number }>(
        "SELECT count(*)::int AS channels FROM pg_listening_channels()",
      )
    ).rows;
    if (listening?.channels) return false;
    // What a new PostgreSQL session starts without: settings a test SET, temporary tables, and
    // cached plans (a function's generic plan, chosen after five runs, would follow the test's rows).
    await pglite.exec("RESET ALL; DISCARD TEMP; DISCARD PLANS");
    return await emptiedLikeTemplate(sqlOfPGlite(pglite), shape);
  } catch {
    return false; // A transaction left aborted, say: start the next test on a new instance.
  }
}

function sqlOfPGlite(pglite: PGlite): MaintenanceSql {
  return {
    async query<R>(text: string, params?: unknown[]) {
      return (await pglite.query<R>(text, params)).rows;
    },
    async exec(script: string) {
      await pglite.exec(script);
    },
  };
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
