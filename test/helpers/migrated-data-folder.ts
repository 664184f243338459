// Embedded data folders for tests that need a hub's database but do not test making one: initialising
// a PGlite data folder costs seconds of CPU, a copy milliseconds. The templates are made once per
// test worker (files share a worker's modules): one initialised and empty, one migrated from it.
import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { applyMigrations } from "../../src/db/migrations.ts";

let emptyTemplate: Promise<string> | undefined;
let migratedTemplate: Promise<string> | undefined;

async function newFolder(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), "cxhub-template-")), "data");
}

async function makeEmptyTemplate(): Promise<string> {
  const dataDir = await newFolder();
  const database = await openDatabase({ kind: "pglite", dataDir });
  await database.close();
  return dataDir;
}

async function makeMigratedTemplate(): Promise<string> {
  const dataDir = await copyEmptyDataFolder(await newFolder());
  const database = await openDatabase({ kind: "pglite", dataDir });
  try {
    await applyMigrations(database.adapterFactory);
  } finally {
    await database.close();
  }
  return dataDir;
}

/** Makes `dataDir` an initialised PGlite data folder that no migration has touched. */
export async function copyEmptyDataFolder(dataDir: string): Promise<string> {
  emptyTemplate ??= makeEmptyTemplate();
  await cp(await emptyTemplate, dataDir, { recursive: true });
  return dataDir;
}

/** Makes `dataDir` a migrated, empty hub database, as `npm start` leaves a new one. */
export async function copyMigratedDataFolder(dataDir: string): Promise<string> {
  migratedTemplate ??= makeMigratedTemplate();
  await cp(await migratedTemplate, dataDir, { recursive: true });
  return dataDir;
}
