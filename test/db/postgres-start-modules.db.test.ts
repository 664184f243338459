// A hub on PostgreSQL does not load the embedded database's engine (issue 15's 150 MB at ready): only
// openDatabase's embedded branch and the migration planner import PGlite (src/db/embedded-database.ts,
// src/db/plan-migration.ts), and a static import of either from the start's path would bring it back.
import { mkdtempSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, inject, test } from "vitest";
import { copyOfTemplate } from "../helpers/postgres-test-databases.ts";
import { startHub } from "../helpers/run-hub.ts";

const onPostgres = inject("databaseKind") === "postgres";
const TRACER = fileURLToPath(new URL("../helpers/module-load-tracer.mjs", import.meta.url));

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(!onPostgres)("the compiled hub on PostgreSQL", () => {
  test("starts without loading PGlite or its Prisma adapter", { timeout: 60_000 }, async () => {
    const database = await copyOfTemplate("modules");
    cleanups.push(() => database.drop());
    const folder = mkdtempSync(path.join(tmpdir(), "cxhub-modules-"));
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    const moduleLog = path.join(folder, "modules.txt");

    const hub = await startHub({
      DATABASE_URL: database.url,
      NODE_OPTIONS: `--import=${TRACER}`,
      CXHUB_TEST_MODULE_LOG: moduleLog,
    });
    await hub.stop();

    const loaded = readFileSync(moduleLog, "utf8").split("\n");
    // The tracer saw the packages the start did load from node_modules (the build bundles most of
    // them, not these two): node-postgres among them, as PGlite was before it moved out of the way.
    expect(loaded.some((url) => url.includes("/node_modules/pg/"))).toBe(true);
    expect(
      loaded.filter((url) => /\/node_modules\/(@electric-sql\/pglite|pglite-prisma-adapter)\//.test(url)),
    ).toEqual([]);
  });
});
