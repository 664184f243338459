// Where the hub finds what it reads at run time. It runs from its TypeScript sources (tsx: tests,
// `npm run dev`) or compiled into dist/ (`npm start`): files that are data (migrations, the demo data,
// the alerts page's assets) are read from the project folder either way, while modules loaded at run
// time (the built-in plugins, the SDK handed to plugin packages) are the ones beside this module,
// with its own extension.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** ".ts" when running from the sources, ".js" when compiled. */
export const MODULE_EXTENSION = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

/** The project folder: the nearest folder above this module that holds the hub's package.json. */
export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

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
