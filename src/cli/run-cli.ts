// The shared shell of every command-line entry point: run, print an operator's mistake as one
// sentence (no stack trace), keep stack traces for bugs, and set the exit code.
import { ValidationError } from "../domain/errors.ts";
import { StartupError } from "../errors.ts";

/** A command used the wrong way: its message is the usage to print. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function runCli(main: (args: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof StartupError || error instanceof UsageError || error instanceof ValidationError) {
        console.error((error as Error).message);
        process.exitCode = 2;
      } else {
        console.error(error);
        process.exitCode = 1;
      }
    },
  );
}
