// Transactions opened by a script on a pooled PostgreSQL connection (src/db/script-transactions.ts),
// the alert dispatcher's: they commit the work's answer, roll back when it throws, and a session that
// the server ends while the work runs fails the transaction without taking the process down.
import { describe, expect, inject } from "vitest";
import { scriptTransactions } from "../../src/db/script-transactions.ts";
import { test } from "../helpers/database.ts";

const LOCK = 7_240_301_299n;

describe.skipIf(inject("databaseKind") !== "postgres")("script transactions", () => {
  test("run the opening and the work in one transaction, committed or rolled back", async ({ db }) => {
    const scripts = scriptTransactions(db.prisma);
    if (!scripts) throw new Error("PostgreSQL has script transactions");
    const answer = await scripts.run<{ one: number }, string>(
      `SELECT pg_advisory_xact_lock(${LOCK}); SELECT 1 AS one`,
      async (rows) => `rows ${JSON.stringify(rows)}`,
    );
    expect(answer).toBe('rows [{"one":1}]');
    await expect(
      scripts.run(`SELECT pg_advisory_xact_lock(${LOCK})`, async () => {
        throw new Error("the work failed");
      }),
    ).rejects.toThrow("the work failed");
    // Both transactions ended: their transaction-scoped lock is free.
    const [free] = await db.prisma.$queryRawUnsafe<Array<{ free: boolean }>>(
      `SELECT pg_try_advisory_lock(${LOCK}) AS free`,
    );
    expect(free?.free).toBe(true);
    await db.prisma.$queryRawUnsafe(`SELECT pg_advisory_unlock(${LOCK})`);
  });

  test("a session the server ends during the work fails the transaction, not the process", async ({ db }) => {
    const scripts = scriptTransactions(db.prisma);
    if (!scripts) throw new Error("PostgreSQL has script transactions");
    await expect(
      scripts.run<{ pid: number }, void>("SELECT pg_backend_pid() AS pid", async ([row]) => {
        await db.prisma.$queryRawUnsafe(`SELECT pg_terminate_backend(${row?.pid})`);
        // The connection's 'error' event arrives while nothing is sent on it: vitest fails the run on
        // an unhandled one, as Node would end the server.
        await new Promise((resolve) => setTimeout(resolve, 300));
      }),
    ).rejects.toThrow();
    // The pool lends a working connection again.
    expect(await scripts.run("SELECT 2 AS two", async (rows) => rows)).toEqual([{ two: 2 }]);
  });
});
