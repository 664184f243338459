// Telling a record the database refuses (bad data: a NUL byte in a text, a violated check) from a
// failure of the database itself (connection lost, deadlock, timeout). The first is dead-lettered and
// the run goes on; the second fails the batch, which the next run redoes from its checkpoint.
import { sqlState } from "../../db/database-errors.ts";
import { NotFoundError, ValidationError } from "../../domain/errors.ts";

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
