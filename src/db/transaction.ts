// Transactions that compose: domain functions take a Db (the client or a transaction) and run their
// writes atomically either way.

import { Prisma } from "../generated/prisma/client.ts";
import type { Db, PrismaClient } from "./database.ts";
import { runTransaction } from "./transaction-sql.ts";

/**
 * Runs `work` in a transaction: a new one when given the client, the caller's own when already inside
 * one, so domain functions compose inside a caller's transaction.
 */
export async function inTransaction<T>(
  db: Db,
  work: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  // The embedded database runs one transaction at a time, so callers may queue for it; Prisma's default
  // 5 s limits are tight for that on a busy machine. These bound a stuck lock instead.
  // runTransaction: statements may go straight to the driver through transactionSql(tx) (transaction-sql.ts).
  return isClient(db) ? runTransaction(db, work, { maxWait: 15_000, timeout: 30_000 }) : work(db);
}

/**
 * A transaction client has no $connect (Prisma withholds it there), while both have $transaction:
 * Prisma 7 nests transactions with savepoints, which the embedded database's adapter does not implement.
 */
function isClient(db: Db): db is PrismaClient {
  return "$connect" in db;
}

/**
 * Locks customer rows until the transaction ends, always in id order so that two transactions locking
 * overlapping sets cannot deadlock.
 */
export async function lockCustomers(tx: Prisma.TransactionClient, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)].sort();
  if (unique.length === 0) return;
  const list = Prisma.join(unique.map((id) => Prisma.sql`${id}::uuid`));
  await tx.$queryRaw`SELECT 1 FROM "Customer" WHERE "id" IN (${list}) ORDER BY "id" FOR UPDATE`;
}
