// Where the hub finds what it reads at run time. It runs from its TypeScript sources (tsx: tests,
// `npm run dev`) or bundled into dist/ (`npm start`, see build.ts): files that are data (migrations,
// the demo data, the alerts page's assets) are read from the project folder either way, while modules
// loaded at run time (the built-in plugins, the SDK handed to plugin packages) are found under
// MODULES_ROOT, with its extension. Never relative to this module's own URL: in the bundle, the code of
// any module may sit in a shared chunk (dist/chunks/…), not at its source's place.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** ".ts" when running from the sources, ".js" when compiled. */
export const MODULE_EXTENSION = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

/** The project folder: the nearest folder above this module that holds the hub's package.json. */
export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

/**
 * Where the modules loaded at run time are: the project folder for the sources, dist/ for the
 * bundle, which keeps the sources' paths for them (dist/plugins/shopify/index.js, dist/src/sdk/index.js).
 */
export const MODULES_ROOT = MODULE_EXTENSION === ".ts" ? PROJECT_ROOT : path.join(PROJECT_ROOT, "dist");

/** A path inside the project folder, from its parts ("prisma", "migrations"). */
export function projectPath(...parts: string[]): string {
  return path.join(PROJECT_ROOT, ...parts);
}

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "prisma"))) return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`No project folder (package.json beside prisma/) above ${start}.`);
  }
}
