// Migrates one in-memory PGlite once per run and saves its data folder as a tarball; each test then
// starts its own PGlite from that tarball (well under a second) instead of migrating again (seconds).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../../src/db/migrations.ts";
import { createPGlite } from "../../src/db/pglite-extensions.ts";
import "./provided.ts";

export default async function setup(project: TestProject) {
  const folder = await mkdtemp(path.join(tmpdir(), "cxhub-pglite-"));
  const pglite = await createPGlite();
  await applyMigrations(new PrismaPGlite(pglite));
  const snapshot = await pglite.dumpDataDir("none");
  await pglite.close();
  const snapshotPath = path.join(folder, "migrated.tar");
  await writeFile(snapshotPath, Buffer.from(await snapshot.arrayBuffer()));
  project.provide("databaseKind", "pglite");
  project.provide("pgliteSnapshotPath", snapshotPath);
  return () => rm(folder, { recursive: true, force: true });
}
