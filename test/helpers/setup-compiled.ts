// Tests that run the hub as `npm start` does run the compiled JavaScript in dist/. npm builds it on
// install; after an edit it is stale, so it is rebuilt here, once, before any test starts (and not in
// a test, where another file's process could be reading dist/ while the build replaces it).
import { execFile } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const projectRoot = path.resolve(import.meta.dirname, "../..");

async function newestChange(folder: string): Promise<number> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  const times = await Promise.all(
    entries
      .filter((entry) => entry.isFile() && /\.(ts|js|json|html|css|sql|prisma)$/.test(entry.name))
      .map(async (entry) => (await stat(path.join(entry.parentPath, entry.name))).mtimeMs),
  );
  return Math.max(0, ...times);
}

async function builtAt(): Promise<number> {
  try {
    return (await stat(path.join(projectRoot, "dist/src/main.js"))).mtimeMs;
  } catch {
    return 0;
  }
}

async function buildIfStale(): Promise<void> {
  // The bundle is made of the sources and by build.ts, with the locked packages; the embedded
  // database's template in dist/ is made by the migrations.
  const sources = Math.max(
    await newestChange(path.join(projectRoot, "src")),
    await newestChange(path.join(projectRoot, "plugins")),
    await newestChange(path.join(projectRoot, "prisma")),
    (await stat(path.join(projectRoot, "build.ts"))).mtimeMs,
    (await stat(path.join(projectRoot, "package-lock.json"))).mtimeMs,
  );
  if (sources > (await builtAt())) {
    await promisify(execFile)("npm", ["run", "build"], { cwd: projectRoot });
  }
}

// Every project that spawns the hub lists this setup; vitest runs the setups in its one main process,
// so one build serves them all.
const shared = globalThis as { cxhubBuild?: Promise<void> };

export default function setup(): Promise<void> {
  shared.cxhubBuild ??= buildIfStale();
  return shared.cxhubBuild;
}
