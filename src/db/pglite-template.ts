// A new embedded database starts from a data folder initialised at build time, not by initdb at start.
// PGlite's initdb runs a second full PostgreSQL instance beside the first and copies its whole heap to
// restore between initdb's steps: about 800 MB at once, the peak of `npm run demo`. Unpacking a
// folder that initdb made at build time (the same initdb, of the installed PGlite) costs a fraction
// of that. `npm run build` makes it; without it (running from the sources) PGlite runs initdb as before.
import { existsSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { PGliteOptions } from "@electric-sql/pglite";
import { projectPath } from "../project-files.ts";
import { createPGlite } from "./pglite-extensions.ts";

/** Where the build writes the initialised data folder (gzipped tar, as PGlite dumps and loads it). */
export const PGLITE_TEMPLATE_PATH = projectPath("dist", "pglite-data-template.tgz");

/**
 * The template as `loadDataDir` takes it, for a data folder that has no database yet; undefined when
 * the folder holds one (PGlite refuses to load over it) or no template was built.
 */
export async function templateFor(dataDir: string, templatePath = PGLITE_TEMPLATE_PATH) {
  if (existsSync(path.join(dataDir, "PG_VERSION")) || !existsSync(templatePath)) return undefined;
  return new Blob([await readFile(templatePath)]);
}

/** Runs initdb once in memory and writes its data folder to `templatePath`. */
export async function writePGliteTemplate(
  templatePath = PGLITE_TEMPLATE_PATH,
  options: PGliteOptions = {},
): Promise<void> {
  const pglite = await createPGlite(options);
  try {
    const dump = await pglite.dumpDataDir("gzip");
    // Written whole, then renamed: a start that reads it while the build runs never sees half a file.
    const partial = `${templatePath}.partial`;
    await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
    await rename(partial, templatePath);
  } finally {
    await pglite.close();
  }
}
