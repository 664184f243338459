// Reading PostgreSQL's errors as Prisma's driver adapters and raw queries report them: the SQLSTATE
// that says what kind of failure it was, and a one-line description for a dead letter or a run.
import { Prisma } from "../generated/prisma/client.ts";

/** SQLSTATE of a PostgreSQL error as Prisma's driver adapters and raw queries report it. */
export function sqlState(error: unknown): string | undefined {
  const meta = (error as { meta?: Record<string, unknown> } | null)?.meta;
  const adapter = meta?.driverAdapterError as
    | { cause?: { originalCode?: string; code?: string } }
    | undefined;
  const code = adapter?.cause?.originalCode ?? adapter?.cause?.code ?? meta?.code;
  return typeof code === "string" ? code : undefined;
}

/** A unique index refused the write, whichever way Prisma reports it (its P2002, or the SQLSTATE of a raw query). */
export function isUniqueViolation(error: unknown): boolean {
  return (
    (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") ||
    sqlState(error) === "23505"
  );
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

/** What a client is told when the database cannot be reached, and how long it should wait. */
export const DATABASE_UNAVAILABLE = {
  message: "The hub cannot reach its database right now; retry in a few seconds.",
  retryAfterSeconds: 5,
} as const;

// The failures of the connection rather than of the statement: the same request can succeed once
// the database is back, so the client is told to retry instead of being shown an internal error.
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "TlsConnectionError",
]);
// P1001 cannot reach, P1002 timed out, P1008 operation timed out, P1017 server closed the
// connection, P2024 no connection from the pool in time.
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
// Class 08 (connection exception), 57P01-03 (shut down by an admin or a crash, cannot connect now),
// 53300 (too many connections).
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
const UNAVAILABLE_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
// What node-postgres and PGlite say when they have no connection to offer; they carry no code.
const UNAVAILABLE_MESSAGE =
  /PGlite is closed|Connection terminated|not currently accepting connections|timeout exceeded when trying to connect|Can't reach database server|Client has encountered a connection error/i;

/**
 * Whether an error means the database could not be reached (refused, dropped, timed out, pool
 * exhausted, closed) rather than that a statement was wrong. Follows Prisma's wrapping: its code,
 * the driver adapter's error, and the chain of causes.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const { code, originalCode, errorCode, kind, message, meta, cause } = current as {
      code?: unknown;
      originalCode?: unknown;
      errorCode?: unknown;
      kind?: unknown;
      message?: unknown;
      meta?: { driverAdapterError?: unknown; code?: unknown };
      cause?: unknown;
    };
    for (const value of [code, originalCode, errorCode, meta?.code]) {
      if (typeof value !== "string") continue;
      if (UNAVAILABLE_PRISMA_CODES.has(value) || UNAVAILABLE_ERRNO.has(value)) return true;
      if (UNAVAILABLE_SQLSTATE.test(value)) return true;
    }
    if (typeof kind === "string" && UNAVAILABLE_ADAPTER_KINDS.has(kind)) return true;
    if (typeof message === "string" && UNAVAILABLE_MESSAGE.test(message)) return true;
    pending.push(meta?.driverAdapterError, cause);
  }
  return false;
}
