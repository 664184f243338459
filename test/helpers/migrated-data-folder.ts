// Embedded data folders for tests that need a hub's database but do not test making one. The run's
// global setup (setup-pglite-snapshots.ts) made tarballs of an initialised and of a migrated data
// folder; each test worker unpacks each into a folder on disk once (a PGlite load, 2 s of CPU, where
// initialising a folder and migrating it cost 11 s), and each test gets a copy (milliseconds).
import { cp, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { createPGlite } from "../../src/db/pglite-extensions.ts";
import "./provided.ts";

const templates = new Map<string, Promise<string>>();

/** A data folder on disk unpacked from the tarball at `snapshotPath`, made once per worker. */
function template(snapshotPath: string): Promise<string> {
  let folder = templates.get(snapshotPath);
  if (!folder) {
    folder = (async () => {
      const dataDir = path.join(await mkdtemp(path.join(tmpdir(), "cxhub-template-")), "data");
      const snapshot = new Blob([await readFile(snapshotPath)]);
      await (await createPGlite({ dataDir, loadDataDir: snapshot })).close();
      return dataDir;
    })();
    templates.set(snapshotPath, folder);
  }
  return folder;
}

/** Makes `dataDir` an initialised PGlite data folder that no migration has touched. */
export async function copyEmptyDataFolder(dataDir: string): Promise<string> {
  await cp(await template(inject("pgliteEmptySnapshotPath")), dataDir, { recursive: true });
  return dataDir;
}

/** Makes `dataDir` a migrated, empty hub database, as `npm start` leaves a new one. */
export async function copyMigratedDataFolder(dataDir: string): Promise<string> {
  await cp(await template(inject("pgliteSnapshotPath")), dataDir, { recursive: true });
  return dataDir;
}
