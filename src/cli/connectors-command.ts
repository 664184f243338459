// `npm run connectors -- <command>` (entry point: connectors.ts): connectors on the configured
// database, through the same modules as the GraphQL API (the connector store, the sync engine),
// without a running server. createConnectorsCommand takes how to open the hub, so that tests run the
// commands on a test database and capture what is printed, without spawning a process.

import type { Config } from "../config.ts";
import { redactDeadLetterCredentials } from "../connectors/dead-letters/redact-stored-dead-letters.ts";
import { MissingSecretKeyError, SecretBoxError } from "../connectors/secret-box.ts";
import { ConflictError, NotFoundError, ValidationError } from "../domain/errors.ts";
import { runPendingDataMigrations } from "../pipeline/data-migrations.ts";
import { listConnectors, listPlugins } from "./connector-commands/catalog.ts";
import { discard, listDeadLetters, replay } from "./connector-commands/dead-letters.ts";
import { dryRun } from "./connector-commands/dry-run.ts";
import { type CliHub, type OpenedHub, openHub } from "./connector-commands/hub.ts";
import { check, configure, install } from "./connector-commands/install.ts";
import { newPlugin } from "./connector-commands/new-plugin.ts";
import { listStreams, resetStream } from "./connector-commands/streams.ts";
import { listRuns, sync } from "./connector-commands/sync.ts";
import { type Command, type CommandContext, UsageError } from "./run-cli.ts";

export const USAGE = `Usage:
  npm run connectors -- new <id> [--dir <folder>] [--name "<name>"]
  npm run connectors -- plugins
  npm run connectors -- list
  npm run connectors -- install <plugin> <name> [--config '{"baseUrl": "…"}'] [--config-stdin]
                           [--secret-env apiToken=TOKEN_VARIABLE] [--interval 3600] [--no-check]
  npm run connectors -- configure <name> [--config '<json>'] [--config-stdin] [--secret-env field=VARIABLE]
                           [--interval <seconds>|manual]
  npm run connectors -- check <name>
  npm run connectors -- sync <name> [--wait]
  npm run connectors -- dry-run <name> [<stream>] [--limit 20] [--from-start] [--json]
  npm run connectors -- runs <name> [--limit 20]
  npm run connectors -- streams <name>
  npm run connectors -- reset <name> <stream>
  npm run connectors -- dead-letters <name> [--status PENDING|REPLAYED|DISCARDED|ALL] [--limit 20] [--payload]
  npm run connectors -- replay <dead-letter-id> [--payload-stdin]
  npm run connectors -- discard <dead-letter-id>

new copies plugins/template into plugins/<id> with its test in test/plugins/<id>.test.ts, or with --dir
into a standalone npm package (package.json, tsconfig, the SDK packed in vendor/) built outside the hub.
Secrets never go on the command line (npm echoes it, shells keep it): pipe them as JSON with
--config-stdin, or name the environment variable that holds each one with --secret-env.
install checks the connection at once. configure merges what it is given with the stored configuration.
sync runs the connector's streams in this process and prints each committed batch; Ctrl-C cancels the
run (what it committed stays, and the next run resumes from there). When a run is already active (on a
server), sync fails naming it; with --wait it waits for that run to end instead.
dry-run reads from the provider and writes nothing: the records it would store, their problems, and the
checkpoints it would keep. reset forgets a stream's checkpoint: its next sync reads from the start.`;

/** One command of the table: what it works on, where it prints, its arguments after its name. */
type HubCommand = (
  hub: CliHub,
  io: CommandContext,
  args: string[],
  usage: string,
) => number | Promise<number>;

const COMMANDS: Record<string, HubCommand> = {
  plugins: (hub, io) => listPlugins(hub, io),
  list: (hub, io) => listConnectors(hub, io),
  install,
  configure,
  check,
  sync,
  "dry-run": dryRun,
  runs: listRuns,
  streams: listStreams,
  reset: resetStream,
  "dead-letters": listDeadLetters,
  replay,
  discard,
};

/**
 * The connectors command on the hub `open` gives (the configured one for `npm run connectors`).
 * Before any command, dead letters stored before credentials were redacted lose them, as at the
 * hub's start: `dead-letters --payload` after an upgrade prints no old token.
 */
export function createConnectorsCommand(open: (config: Config) => Promise<OpenedHub>): Command {
  return async (argv, context) => {
    const [name, ...rest] = argv;
    // Scaffolding writes files, not the database: no hub to open (and no configuration to need).
    if (name === "new")
      return newPlugin(context, rest, USAGE).catch((error) => reportOperatorError(error, context));
    const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) throw new UsageError(USAGE);
    const { hub, close } = await open(context.config());
    try {
      await runPendingDataMigrations(hub.db, [redactDeadLetterCredentials], hub.logger);
      return await command(hub, context, rest, USAGE);
    } catch (error) {
      return reportOperatorError(error, context);
    } finally {
      await close();
    }
  };
}

export const connectorsCommand: Command = createConnectorsCommand(openHub);

/** What the operator can fix, said in sentences; anything else is a bug, for runCommand's stack trace. */
function reportOperatorError(error: unknown, io: CommandContext): number {
  if (error instanceof ValidationError) {
    io.printError(error.message);
    for (const issue of error.issues)
      io.printError(`  ${issue.path.join(".") || "(input)"}: ${issue.message}`);
    return 2;
  }
  if (error instanceof MissingSecretKeyError) {
    io.printError(
      "The connector's secrets cannot be opened: this command has no key. Set CXHUB_SECRET_KEY to the key they were stored with (the hub's) and run the command again.",
    );
    return 2;
  }
  if (error instanceof ConflictError || error instanceof NotFoundError || error instanceof SecretBoxError) {
    io.printError(error.message);
    return 1;
  }
  throw error;
}
