// Configuration for the Prisma CLI (`prisma generate`). Runtime code never reads this file:
// the server builds its own client from src/config.ts.
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

// The CLI refuses to run before it has downloaded its native schema engine, which an offline machine
// cannot do. Generating the client never runs that engine, so a stand-in that explains itself is enough.
// Migrations go through the WebAssembly engine instead (src/db/migrations.ts, `npm run migrate`).
// With network and the real engine, export PRISMA_SCHEMA_ENGINE_BINARY to its path to override this.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(
  new URL("./prisma/schema-engine-offline.sh", import.meta.url),
);

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
