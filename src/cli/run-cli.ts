// The shared shell of every command-line entry point: run, print an operator's mistake as one
// sentence (no stack trace), keep stack traces for bugs, and set the exit code.
//
// A command is a function of its arguments and a context (the configuration, where to print), so the
// tests run it in their own process: spawning one costs seconds of start-up, which was minutes of the
// suite. `runCli` gives it the real ones.
import { type Clock, systemClock } from "../clock.ts";
import { type Config, loadConfig } from "../config.ts";
import { ValidationError } from "../domain/errors.ts";
import { StartupError } from "../errors.ts";

/** A command used the wrong way: its message is the usage to print. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface CommandContext {
  /** The configuration from the environment, read when the command needs it (after its usage checks). */
  config(): Config;
  /** Writes a line of the command's output. */
  print(text: string): void;
  /** Writes a line of a failure. */
  printError(text: string): void;
  /** All of standard input, as text (secrets are read from it, never from arguments). */
  readStdin(): Promise<string>;
  /** The environment variables a command may read secrets from. */
  env: Readonly<Record<string, string | undefined>>;
  /** Now, for key expiry and status and for migration names: the system's clock, a fixed one in tests. */
  clock: Clock;
}

export type Command = (args: string[], context: CommandContext) => Promise<number>;

/** Runs a command to its exit code: 2 for an operator's mistake (said in one sentence), 1 for a bug. */
export async function runCommand(command: Command, args: string[], context: CommandContext): Promise<number> {
  try {
    return await command(args, context);
  } catch (error) {
    if (error instanceof StartupError || error instanceof UsageError || error instanceof ValidationError) {
      context.printError(error.message);
      return 2;
    }
    context.printError(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  }
}

export function runCli(command: Command): void {
  const context: CommandContext = {
    config: () => loadConfig(),
    print: (text) => console.log(text),
    printError: (text) => console.error(text),
    readStdin,
    env: process.env,
    clock: systemClock,
  };
  void runCommand(command, process.argv.slice(2), context).then((code) => {
    process.exitCode = code;
  });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
