// A new embedded database starts from a data folder initialised at build time, not by initdb at start.
// PGlite's initdb runs a second full PostgreSQL instance beside the first and copies its whole heap to
// restore between initdb's steps: about 800 MB at once, the peak of `npm run demo`. Copying a folder
// that initdb made at build time (the same initdb, of the installed PGlite) costs a fraction of that.
// `npm run build` makes it; without it (running from the sources) PGlite runs initdb as before.
//
// The template is a plain folder, copied file by file. It used to be PGlite's own gzipped dump handed to
// `loadDataDir`, which unpacks the whole 38 MB folder in memory: those buffers were freed long before
// the server was ready, but the allocator kept the memory, and a new demo folder peaked 50-90 MB higher.
import { existsSync } from "node:fs";
import { copyFile, cp, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { PGliteOptions } from "@electric-sql/pglite";
import { projectPath } from "../project-files.ts";
import { createPGlite } from "./pglite-extensions.ts";

/** Where the build writes the initialised data folder. */
export const PGLITE_TEMPLATE_PATH = projectPath("dist", "pglite-data-template");

/** PostgreSQL writes this file first in a data folder and reads it first: here it is copied last. */
const VERSION_FILE = "PG_VERSION";

/**
 * Copies the template into `dataDir` when that folder holds no database yet and a template was
 * built; answers whether it did. The version file goes last, so a copy cut short (the process
 * killed, a full disk) leaves a folder without it, which the next start copies into again. Nothing is
 * fsynced: after a power loss a new folder may hold the version file beside unwritten ones, and is
 * best removed (it held no data yet).
 */
export async function copyTemplateInto(
  dataDir: string,
  templatePath = PGLITE_TEMPLATE_PATH,
): Promise<boolean> {
  if (existsSync(path.join(dataDir, VERSION_FILE)) || !existsSync(path.join(templatePath, VERSION_FILE))) {
    return false;
  }
  await cp(templatePath, dataDir, {
    recursive: true,
    force: true,
    filter: (source) => source !== path.join(templatePath, VERSION_FILE),
  });
  await copyFile(path.join(templatePath, VERSION_FILE), path.join(dataDir, VERSION_FILE));
  return true;
}

/** Runs initdb once into a new folder and moves it to `templatePath`, replacing any earlier one. */
export async function writePGliteTemplate(
  templatePath = PGLITE_TEMPLATE_PATH,
  options: Omit<PGliteOptions, "dataDir"> = {},
): Promise<void> {
  // Made beside, then renamed: a start that reads the template while the build runs never sees half of it.
  const partial = `${templatePath}.partial`;
  await rm(partial, { recursive: true, force: true });
  const pglite = await createPGlite({ ...options, dataDir: partial });
  await pglite.close();
  await rm(templatePath, { recursive: true, force: true });
  await rename(partial, templatePath);
}
