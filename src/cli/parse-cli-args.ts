// parseArgs for command-line entry points: an unknown, misspelt or incomplete option is the operator's
// slip, not a bug, so it is reported as a UsageError (one sentence and the usage, no stack trace).
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./run-cli.ts";

export function parseCliArgs<T extends ParseArgsConfig>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    throw new UsageError(`${error.message}\n${usage}`);
  }
}

/** Node's parseArgs errors carry codes ERR_PARSE_ARGS_UNKNOWN_OPTION, …_INVALID_OPTION_VALUE, …. */
function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_");
}
