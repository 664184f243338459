// Telling a record the database refuses (bad data: a NUL byte in a text, a violated check) from a
// failure of the database itself (connection lost, deadlock, timeout). The first is dead-lettered and
// the run goes on; the second fails the batch, which the next run redoes from its checkpoint.
import { NotFoundError, ValidationError } from "../domain/errors.ts";

/** SQLSTATE of a PostgreSQL error as Prisma's driver adapters and raw queries report it. */
export function sqlState(error: unknown): string | undefined {
  const meta = (error as { meta?: Record<string, unknown> } | null)?.meta;
  const adapter = meta?.driverAdapterError as
    | { cause?: { originalCode?: string; code?: string } }
    | undefined;
  const code = adapter?.cause?.originalCode ?? adapter?.cause?.code ?? meta?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * True when the error is the record's own fault and retrying it can never succeed: the domain refused
 * it, or PostgreSQL raised a data exception (class 22) or an integrity violation (class 23) other than
 * a unique violation, which is a race and may pass on retry.
 */
export function isRecordFault(error: unknown): boolean {
  if (error instanceof ValidationError || error instanceof NotFoundError) return true;
  const state = sqlState(error);
  if (!state) return false;
  return state.startsWith("22") || (state.startsWith("23") && state !== "23505");
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
