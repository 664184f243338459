// `npm start`: the hub with no configuration at all serves the embedded PGlite database in
// ./.cxhub/data. What starts, in which order, is src/server/start-hub.ts; this is the process around it:
// flags, the ready line with the first admin key, signals, and one sentence when start-up fails.
// The bundle sets NODE_ENV=production (unless given) before any module loads: build.ts, banner.
import { parseArgs } from "node:util";
import { loadConfig } from "./config.ts";
import { StartupError } from "./errors.ts";
import { startHub } from "./server/start-hub.ts";

const USAGE = `Usage: npm start [-- --demo [--demo-into-postgres]]
  --demo                 load the demo customers (idempotent) before serving; embedded database only
  --demo-into-postgres   allow --demo when DATABASE_URL names a PostgreSQL database`;

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      demo: { type: "boolean", default: false },
      "demo-into-postgres": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (flags.help) {
    console.log(USAGE);
    return;
  }

  const hub = await startHub({
    config: loadConfig(),
    demo: flags.demo,
    demoIntoPostgres: flags["demo-into-postgres"],
  });
  const browsable = hub.url.replace("127.0.0.1", "localhost");
  // One write, so that whoever reads the ready line also has the key.
  console.log(
    [
      `CX Hub is ready: GraphQL and GraphiQL at ${browsable}/graphql (health: ${browsable}/health)`,
      ...(hub.bootstrapKey
        ? [
            "Your admin API key, shown this once (more keys: the createApiKey mutation, see README):",
            `  ${hub.bootstrapKey}`,
            `Send it as the header  Authorization: Bearer ${hub.bootstrapKey}`,
          ]
        : []),
    ].join("\n"),
  );

  const shutdown = async (signal: string) => {
    hub.logger.info(`${signal} received, shutting down.`);
    await hub.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    console.error(`CX Hub cannot start: ${error.message}`);
  } else if ((error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    console.error(`${(error as Error).message}\n${USAGE}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
