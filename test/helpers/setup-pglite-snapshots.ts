// Makes the embedded database's starting points once per run, in vitest's main process, and hands
// their paths to every project that lists this setup: a tarball of a PGlite data folder that is
// initialised and empty, and one migrated from it. Initialising a PGlite data folder costs seconds of
// CPU (8 s for a folder on disk, 5 s in memory) and migrating it half a second more; loading a tarball
// costs one to two. So the empty one starts from the folder the build initialised (setup-compiled.ts
// builds first), and each test, or each worker, starts from a tarball instead of initialising its own.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../../src/db/migrations.ts";
import { createScratchPGlite } from "../../src/db/scratch-pglite.ts";
import "./provided.ts";

interface Snapshots {
  folder: string;
  emptyPath: string;
  migratedPath: string;
}

async function makeSnapshots(): Promise<Snapshots> {
  const folder = await mkdtemp(path.join(tmpdir(), "cxhub-pglite-"));
  const pglite = await createScratchPGlite();
  try {
    const emptyPath = path.join(folder, "empty.tar");
    await writeFile(emptyPath, Buffer.from(await (await pglite.dumpDataDir("none")).arrayBuffer()));
    await applyMigrations(new PrismaPGlite(pglite));
    const migratedPath = path.join(folder, "migrated.tar");
    await writeFile(migratedPath, Buffer.from(await (await pglite.dumpDataDir("none")).arrayBuffer()));
    return { folder, emptyPath, migratedPath };
  } finally {
    await pglite.close();
  }
}

// Every project that lists this setup shares one set: vitest runs the setups in its one main process.
const shared = globalThis as { cxhubPGliteSnapshots?: Promise<Snapshots> };

export default async function setup(project: TestProject) {
  shared.cxhubPGliteSnapshots ??= makeSnapshots();
  const { folder, emptyPath, migratedPath } = await shared.cxhubPGliteSnapshots;
  project.provide("pgliteEmptySnapshotPath", emptyPath);
  project.provide("pgliteSnapshotPath", migratedPath);
  // Teardowns run once every project's tests have ended; removing the folder twice is harmless.
  return () => rm(folder, { recursive: true, force: true });
}
