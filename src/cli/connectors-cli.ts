// The commands of `npm run connectors`, on a hub given to it: ../connectors.ts opens the configured
// one; tests pass a test database and capture what is printed, without spawning a process.
import { ConflictError, NotFoundError, ValidationError } from "../domain/errors.ts";
import { listConnectors, listPlugins } from "./connector-commands/catalog.ts";
import { discard, listDeadLetters, replay } from "./connector-commands/dead-letters.ts";
import { dryRun } from "./connector-commands/dry-run.ts";
import type { CliHub, CliIo } from "./connector-commands/hub.ts";
import { check, configure, install } from "./connector-commands/install.ts";
import { listStreams, resetStream } from "./connector-commands/streams.ts";
import { listRuns, sync } from "./connector-commands/sync.ts";
import { UsageError } from "./run-cli.ts";

export const USAGE = `Usage:
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

Secrets never go on the command line (npm echoes it, shells keep it): pipe them as JSON with
--config-stdin, or name the environment variable that holds each one with --secret-env.
install checks the connection at once. configure merges what it is given with the stored configuration.
sync runs the connector's streams in this process and prints each committed batch; Ctrl-C cancels the
run (what it committed stays, and the next run resumes from there). When a run is already active (on a
server), sync fails naming it; with --wait it waits for that run to end instead.
dry-run reads from the provider and writes nothing: the records it would store, their problems, and the
checkpoints it would keep. reset forgets a stream's checkpoint: its next sync reads from the start.`;

type Command = (hub: CliHub, io: CliIo, args: string[], usage: string) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
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

/** Whether `argv` names a command: the entry point checks before it opens a database. */
export function isConnectorsCommand(argv: string[]): boolean {
  return argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0]);
}

/** Runs one command; returns the exit code. An operator's mistake is printed as sentences, not a stack. */
export async function runConnectorsCommand(argv: string[], hub: CliHub, io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(USAGE);
  try {
    return await command(hub, io, rest, USAGE);
  } catch (error) {
    return reportDomainError(error, io);
  }
}

function reportDomainError(error: unknown, io: CliIo): number {
  if (error instanceof ValidationError) {
    io.printError(error.message);
    for (const issue of error.issues)
      io.printError(`  ${issue.path.join(".") || "(input)"}: ${issue.message}`);
    return 2;
  }
  if (error instanceof ConflictError || error instanceof NotFoundError) {
    io.printError(error.message);
    return 1;
  }
  throw error;
}
