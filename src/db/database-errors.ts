// Reading PostgreSQL's errors as Prisma's driver adapters and raw queries report them: the SQLSTATE
// that says what kind of failure it was, and a one-line description for a dead letter or a run.

/** SQLSTATE of a PostgreSQL error as Prisma's driver adapters and raw queries report it. */
export function sqlState(error: unknown): string | undefined {
  const meta = (error as { meta?: Record<string, unknown> } | null)?.meta;
  const adapter = meta?.driverAdapterError as
    | { cause?: { originalCode?: string; code?: string } }
    | undefined;
  const code = adapter?.cause?.originalCode ?? adapter?.cause?.code ?? meta?.code;
  return typeof code === "string" ? code : undefined;
}

/** The first line of an error's message, for a dead letter's reason or a run's error. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const state = sqlState(error);
  const adapter = (error as { meta?: { driverAdapterError?: { cause?: { message?: string } } } }).meta
    ?.driverAdapterError?.cause?.message;
  if (state && adapter) return `the database refused it (${state}): ${adapter}`;
  return error.message.split("\n").find((line) => line.trim() !== "") ?? error.name;
}
