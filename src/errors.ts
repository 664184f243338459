// Errors that stop start-up or a command with one sentence for the person at the terminal.
// Anything else that escapes is a bug, and keeps its stack trace.

/** A problem the operator can fix: bad configuration, an unreachable database, an unwritable folder. */
export class StartupError extends Error {
  override name = "StartupError";
}
