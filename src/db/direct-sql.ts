// SQL straight to the driver adapter, for the hottest reads of a request: through the Prisma client a
// raw statement cost about four times the CPU of the same statement on the driver (0.41 against
// 0.10 ms for `SELECT 1`, 1.45 against 0.63 ms for a customer-list page) in its client engine and its
// per-value result mapping, and a list request sends a few of them (issue 15).
//
// `directSql(db)` answers for the database's own client (registered by database.ts with the adapter
// factory it was built on) with a driver adapter over the same pool or PGlite instance; for a
// transaction opened by runTransaction with that transaction's adapter; for anything else (another
// client, a plain `$transaction`) with Prisma's raw queries, so that a domain function runs the same
// everywhere.
//
// Values come back as the driver adapter returns them, not as Prisma's raw results: timestamptz,
// numeric and json as text. Statements sent here should return uuid, text, int4 and boolean columns,
// or json that the caller parses (`json` columns arrive as their text on both adapters).
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { sqlOnAdapter, type TransactionSql, transactionSql } from "./transaction-sql.ts";

const clients = new WeakMap<object, TransactionSql>();

/** Lets `directSql(prisma)` send to a driver adapter of `factory`, the one the client was built with. */
export function sendReadsStraightToDriver(prisma: PrismaClient, factory: SqlDriverAdapterFactory): void {
  let adapter: Promise<SqlDriverAdapter> | undefined;
  // Connected on first use: for pg, an adapter over the pool the client uses (no connection of its
  // own); for PGlite, over the same instance, whose one connection serializes every statement anyway.
  clients.set(
    prisma,
    sqlOnAdapter(() => (adapter ??= factory.connect())),
  );
}

/** The fastest SQL path for `db`: its driver adapter when known, Prisma's raw queries otherwise. */
export function directSql(db: PrismaClient | Prisma.TransactionClient): TransactionSql {
  return clients.get(db) ?? transactionSql(db);
}

/** A Prisma.sql statement's values as the driver takes them: instants as ISO text (the statement's casts type them). */
export function driverValues(values: unknown[]): unknown[] {
  return values.map((value) => (value instanceof Date ? value.toISOString() : value));
}
