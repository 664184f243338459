// Errors that stop start-up or a command with one sentence for the person at the terminal.
// Anything else that escapes is a bug, and keeps its stack trace.

/** A problem the operator can fix: bad configuration, an unreachable database, an unwritable folder. */
export class StartupError extends Error {
  override name = "StartupError";
}

/** An error's first line, with its system code (`EACCES: …`), for the parentheses of a StartupError. */
export function describeStartupCause(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message.split("\n")[0] ?? "";
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}
