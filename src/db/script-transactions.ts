// Short transactions straight on a pooled PostgreSQL connection, opened by a script: BEGIN and the
// statements that start the work (a lock, a claim) go in one round trip through the simple query
// protocol, and COMMIT in one more. For the outbox dispatcher, which runs beside request handling in
// one process after every commit that raised an alert: through a Prisma interactive transaction its
// batch was four round trips (BEGIN, lock, claim, COMMIT), each also paying Prisma's client engine.
//
// Registered for the PostgreSQL client only. The embedded database runs one statement at a time for
// everyone on its one connection, so a script there could interleave with Prisma's transactions: its
// callers keep Prisma's own transaction (`scriptTransactions` answers null).
import type pg from "pg";
import type { PrismaClient } from "../generated/prisma/client.ts";

export interface ScriptTransactions {
  /**
   * Runs BEGIN and `opening` (statements without parameters, `;`-separated) in one round trip, then
   * `work` with the rows of the opening's last statement, then COMMIT; ROLLBACK when anything throws.
   * Values arrive as pg parses text results: json parsed, int8 as a string, timestamptz as a Date.
   */
  run<Row, T>(
    opening: string,
    work: (rows: Row[]) => Promise<T>,
    prepared?: PreparedScriptStatement[],
  ): Promise<T>;
}

/**
 * A statement the opening runs with EXECUTE: prepared (PREPARE, once per pooled connection, before
 * its first script there), so that PostgreSQL plans it once per connection rather than in every
 * script. A statement without parameters keeps its first plan. The name must be an identifier that
 * stands for this text only.
 */
export interface PreparedScriptStatement {
  name: string;
  sql: string;
}

/** How long a transaction may wait on its work between statements (Prisma's interactive timeout was 30 s). */
const IDLE_TIMEOUT_MS = 30_000;

/** Thrown, and the transaction rolled back, when its work has not finished within IDLE_TIMEOUT_MS. */
export class ScriptTimeoutError extends Error {}

const pools = new WeakMap<PrismaClient, pg.Pool>();

/** Lets `scriptTransactions(prisma)` open transactions on `pool`, a pool on the client's database. */
export function runScriptsOnPool(prisma: PrismaClient, pool: pg.Pool): void {
  pools.set(prisma, pool);
}

/** Script transactions on the client's PostgreSQL pool; null on the embedded database. */
export function scriptTransactions(prisma: PrismaClient): ScriptTransactions | null {
  const pool = pools.get(prisma);
  return pool ? { run: (opening, work, prepared = []) => runScript(pool, opening, work, prepared) } : null;
}

/** invalid_sql_statement_name (no such prepared statement), duplicate_prepared_statement. */
const PREPARED_STATEMENT_MISMATCH = new Set(["26000", "42P05"]);

/** The statements prepared on each pooled connection, by name. */
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

async function runScript<Row, T>(
  pool: pg.Pool,
  opening: string,
  work: (rows: Row[]) => Promise<T>,
  prepared: PreparedScriptStatement[],
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // pg-pool takes its own error listener off a client it lends: without one, the server ending the
  // session while the work runs (the idle timeout below, a failover, pg_terminate_backend) would be an
  // unhandled 'error' event, which ends the process. The statement waiting then fails on its own.
  const onError = (error: Error) => {
    broken ??= error;
  };
  client.on("error", onError);
  try {
    const names = preparedOn.get(client) ?? new Set<string>();
    preparedOn.set(client, names);
    // One at a time, each recorded once PostgreSQL has it: a batch failing halfway would leave some
    // prepared but unrecorded, and every later PREPARE of them would fail with "already exists".
    for (const { name, sql } of prepared) {
      if (names.has(name)) continue;
      await client.query(`PREPARE ${name} AS ${sql}`);
      names.add(name);
    }
    // A work that hangs (a publish that never answers) must not hold its locks for ever: PostgreSQL
    // ends the session once it has idled in the transaction this long, as Prisma's timeout did.
    const results = (await client.query(
      `BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${IDLE_TIMEOUT_MS}; ${opening}`,
    )) as unknown as pg.QueryResult[];
    const last = Array.isArray(results) ? results.at(-1) : (results as pg.QueryResult);
    const value = await withinIdleTimeout(work((last?.rows ?? []) as Row[]));
    await client.query("COMMIT");
    return value;
  } catch (error) {
    // The session no longer holds what we recorded as prepared on it (a DISCARD ALL or DEALLOCATE by
    // someone else, a pooler in transaction mode handing us another backend): the connection is
    // discarded with what we recorded, so the next one prepares afresh instead of failing for ever.
    if (PREPARED_STATEMENT_MISMATCH.has((error as { code?: string }).code ?? "")) broken ??= error as Error;
    // A connection that cannot even roll back is discarded by the pool rather than reused mid-transaction.
    await client.query("ROLLBACK").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/**
 * The work, or a ScriptTimeoutError once PostgreSQL has ended the idle session anyway: a work that
 * never answers (a publish to a stalled bus) must not hold its caller, the dispatcher's rounds, for ever.
 */
function withinIdleTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ScriptTimeoutError(
            `The transaction's work took over ${IDLE_TIMEOUT_MS / 1000} s: rolled back.`,
          ),
        ),
      IDLE_TIMEOUT_MS,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
