// Three projects: `unit` needs no database; `pglite` and `postgres` run the same data-layer suite
// (files named *.db.test.ts) against the embedded database and a real PostgreSQL server, each test
// on its own fresh, migrated database.
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

const dataLayer = ["test/**/*.db.test.ts"];

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (for Node) and .mjs (for bundlers). Vite would pick the .mjs while
    // Pothos, loaded by Node, gets the CommonJS one, and graphql refuses types from "another realm".
    // Pointing Vite at the file Node uses keeps one graphql, as in production.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    // Vitest's default is one worker fewer than the cores: one worker on a 2-core machine, which
    // leaves the CPU idle while tests wait on PostgreSQL or on the servers they spawn. Two more
    // workers than cores keep it busy (on a slower 2-core machine: 471 s with 4 workers against
    // 503-529 s with 3, one run each); every test has its own database, so files do not collide.
    maxWorkers: availableParallelism() + 2,
    // Files share a worker's module cache: the GraphQL schema, Prisma's client and the rest are loaded
    // once per worker instead of once per file (importing them was 240 s of the suite's work). Every
    // test has its own database and no test mocks modules or changes the environment, so nothing leaks.
    isolate: false,
    // Generous: on a loaded 2-core machine a file's first test (a fresh database, a cold module
    // cache) and the race tests took 30–60 s; a timeout is for a hung test, not a slow machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          // Setting exclude drops Vitest's default one, which kept out node_modules: the bench's
          // PostGraphile peer installs its own under test/bench/peer, with packages' own tests in it.
          exclude: [...dataLayer, "**/node_modules/**"],
          // The start-up tests run dist/ as `npm start` does: rebuilt first when the sources changed.
          // The process tests copy embedded data folders made from the run's PGlite tarballs.
          globalSetup: ["test/helpers/setup-compiled.ts", "test/helpers/setup-pglite-snapshots.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "pglite",
          include: dataLayer,
          globalSetup: [
            "test/helpers/setup-compiled.ts",
            "test/helpers/setup-pglite-snapshots.ts",
            "test/helpers/setup-pglite.ts",
          ],
        },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: dataLayer,
          globalSetup: ["test/helpers/setup-compiled.ts", "test/helpers/setup-postgres.ts"],
        },
      },
    ],
  },
});
