// In-memory PGlite instances for scratch work: the migration planner's databases, and the tests'
// starting points. Each starts from one blank data folder per process, made once and copied after.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { createPGlite } from "./pglite-extensions.ts";
import { copyTemplateInto } from "./pglite-template.ts";

let blankDataDir: Promise<Blob> | undefined;

/**
 * A new, empty in-memory PGlite. Initialising a PGlite data folder (initdb) took 5 s of CPU here; a
 * copy of one initialised earlier in the process costs a fraction of a second, and the planner needs
 * two per plan. The first copy comes from the folder `npm run build` initialised (1.4 s to copy, open
 * and dump), or from initdb when running from the sources without a build.
 */
export async function createScratchPGlite(): Promise<PGlite> {
  blankDataDir ??= dumpOfBlankDataDir();
  return createPGlite({ loadDataDir: await blankDataDir });
}

async function dumpOfBlankDataDir(): Promise<Blob> {
  const folder = await mkdtemp(path.join(tmpdir(), "cxhub-scratch-"));
  try {
    const blank = await createPGlite((await copyTemplateInto(folder)) ? { dataDir: folder } : {});
    try {
      return await blank.dumpDataDir("none");
    } finally {
      await blank.close();
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
