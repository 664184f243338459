// SQL sent straight to the driver adapter's transaction (src/db/transaction-sql.ts) belongs to the
// Prisma transaction it was opened in: it commits and rolls back with it, sees its writes, reports
// PostgreSQL's errors as Prisma's raw queries do, and is refused once the transaction has ended.
import { describe, expect } from "vitest";
import { isUniqueViolation, sqlState } from "../../src/db/database-errors.ts";
import { runTransaction, type TransactionSql, transactionSql } from "../../src/db/transaction-sql.ts";
import { test } from "../helpers/database.ts";

const LIMITS = { maxWait: 15_000, timeout: 30_000 };
const insertCustomer = (sql: TransactionSql, id: string) =>
  sql.execute(
    `INSERT INTO "Customer" ("id", "updatedAt") SELECT id, now() FROM unnest($1::uuid[]) AS t(id)`,
    [[id]],
  );
const A = "01900000-0000-7000-8000-000000000001";
const B = "01900000-0000-7000-8000-000000000002";

describe("SQL on the transaction's own connection", () => {
  test("commits and rolls back with the Prisma transaction, and sees its writes", async ({ db }) => {
    await runTransaction(
      db.prisma,
      async (tx) => {
        await tx.customer.create({ data: { id: A } });
        const sql = transactionSql(tx);
        const [row] = await sql.query<{ seen: number }>(
          `SELECT count(*)::int AS seen FROM "Customer" WHERE "id" = ANY($1::uuid[])`,
          [[A]],
        );
        expect(row?.seen).toBe(1);
        expect(await insertCustomer(sql, B)).toBe(1);
      },
      LIMITS,
    );
    await expect(
      runTransaction(
        db.prisma,
        async (tx) => {
          await insertCustomer(transactionSql(tx), "01900000-0000-7000-8000-000000000003");
          throw new Error("roll it back");
        },
        LIMITS,
      ),
    ).rejects.toThrow("roll it back");
    const ids = (await db.prisma.customer.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map(
      (row) => row.id,
    );
    expect(ids).toEqual([A, B]);
  });

  test("array parameters arrive as they were given, whatever their text", async ({ db }) => {
    const texts = ['say "hi"', "back\\slash", "NULL", null, "", "{a,b}", "Order #1 — 2 items", "日本語"];
    const rows = await runTransaction(
      db.prisma,
      (tx) =>
        transactionSql(tx).query<{ value: string | null; n: number }>(
          `SELECT value, n::int AS n FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS t(value, n)
           ORDER BY n`,
          [texts, texts.map((_, index) => index + 1)],
        ),
      LIMITS,
    );
    expect(rows.map((row) => row.value)).toEqual(texts);
  });

  test("reports a refused statement with its SQLSTATE, as Prisma's raw queries do", async ({ db }) => {
    await db.prisma.customer.create({ data: { id: A } });
    const error = await runTransaction(
      db.prisma,
      (tx) => insertCustomer(transactionSql(tx), A),
      LIMITS,
    ).catch((caught: unknown) => caught);
    expect(sqlState(error)).toBe("23505");
    expect(isUniqueViolation(error)).toBe(true);
  });

  test("refuses a statement once its transaction has ended, instead of running it outside", async ({
    db,
  }) => {
    let leaked: TransactionSql | undefined;
    await runTransaction(
      db.prisma,
      async (tx) => {
        leaked = transactionSql(tx);
      },
      LIMITS,
    );
    await expect(
      leaked?.execute(`INSERT INTO "Customer" ("id", "updatedAt") VALUES ($1::uuid, now())`, [A]),
    ).rejects.toThrow("The transaction has ended");
    expect(await db.prisma.customer.count()).toBe(0);
  });

  test("runs through Prisma's raw queries in a transaction opened without runTransaction", async ({ db }) => {
    await db.prisma.$transaction(async (tx) => {
      expect(await insertCustomer(transactionSql(tx), A)).toBe(1);
    });
    expect(await db.prisma.customer.count()).toBe(1);
  });
});
