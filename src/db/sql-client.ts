// A plain SQL connection beside Prisma, for components that bring their own SQL (the job engine,
// pg-boss): on PostgreSQL a small pool of its own; on the embedded database the one PGlite
// connection, shared with Prisma. PGlite runs one statement or transaction at a time for everyone
// (query, exec and transaction queue on one lock), so a script sent here never lands inside a Prisma
// transaction, and a transaction Prisma holds makes these statements wait until it commits.
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";

export interface SqlResult {
  rows: Record<string, unknown>[];
}

export interface SqlClient {
  /**
   * Runs one statement with parameters, or, without parameters, a script of several (simple query
   * protocol); resolves to the rows of the last statement.
   */
  executeSql(text: string, values?: unknown[]): Promise<SqlResult>;
  close(): Promise<void>;
}

export function pgliteSqlClient(pglite: PGlite): SqlClient {
  return {
    async executeSql(text, values) {
      if (values && values.length > 0) {
        const result = await pglite.query<Record<string, unknown>>(text, values as unknown[]);
        return { rows: result.rows };
      }
      const results = await pglite.exec(text);
      return { rows: (results.at(-1)?.rows ?? []) as Record<string, unknown>[] };
    },
    // The connection belongs to the database: closing it is the database's job.
    async close() {},
  };
}

export function postgresSqlClient(url: string, { max }: { max: number }): SqlClient & { pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max, application_name: "cxhub-jobs" });
  // An idle client that loses its connection is dropped by the pool; the next query reconnects.
  pool.on("error", () => {});
  return {
    pool,
    async executeSql(text, values) {
      const result = await pool.query(text, values as unknown[] | undefined);
      const last = Array.isArray(result) ? result.at(-1) : result;
      return { rows: (last?.rows ?? []) as Record<string, unknown>[] };
    },
    async close() {
      if (!pool.ending) await pool.end();
    },
  };
}
