// Three projects: `unit` needs no database; `pglite` and `postgres` run the same data-layer suite
// (files named *.db.test.ts) against the embedded database and a real PostgreSQL server, each test
// on its own fresh, migrated database.
import { defineConfig } from "vitest/config";

const dataLayer = ["test/**/*.db.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: dataLayer,
          testTimeout: 60_000,
        },
      },
      {
        test: { name: "pglite", include: dataLayer, globalSetup: ["test/helpers/setup-pglite.ts"] },
      },
      {
        test: { name: "postgres", include: dataLayer, globalSetup: ["test/helpers/setup-postgres.ts"] },
      },
    ],
  },
});
