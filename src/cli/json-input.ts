// JSON an operator pipes to a command (a configuration with its secrets, a corrected record). Node's
// JSON.parse messages quote the text around the mistake, which may be part of a token: a failure says
// only where the text stops being JSON, never what it holds.
import { UsageError } from "./run-cli.ts";

/** Parses `text`, or throws a UsageError naming `what` and the position of the mistake. */
export function parseJsonInput(text: string, what: string, example: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    throw new UsageError(
      `${what} is not valid JSON${position === undefined ? "" : ` (at position ${position})`}: give ${example}.`,
    );
  }
}
