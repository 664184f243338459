// A transaction client that counts the raw statements sent through it: for tests that hold a write
// path to its round trips (each one latency and CPU of the hub's one thread). Statements sent through
// Prisma's raw queries (the path transactionSql and directSql take for a transaction they did not
// open) are counted; model queries are not.
import type { Database } from "../../src/db/database.ts";
import { type Prisma, PrismaClient } from "../../src/generated/prisma/client.ts";

export function countingStatements(tx: Prisma.TransactionClient): {
  tx: Prisma.TransactionClient;
  count: () => number;
} {
  let statements = 0;
  const counted = new Proxy(tx, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== "string" || !/^\$(query|execute)Raw/.test(property)) return value;
      return (...args: unknown[]) => {
        statements += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { tx: counted, count: () => statements };
}

/**
 * A statement on the API key table itself (authentication's lookup by prefix, its lastUsedAt write):
 * Prisma writes the statement's own table in its first FROM or UPDATE. A request's statement that
 * merely names "ApiKey" somewhere (a join) is counted.
 */
const AUTHENTICATION = /^\s*(?:SELECT\b[\s\S]*?\bFROM|UPDATE)\s+"public"\."ApiKey"/;

/**
 * A Prisma client of the test database that counts every statement it sends but the API key's own
 * lookups (authentication's, not the request's): for tests that hold a GraphQL page to its statements.
 * Prisma's query events see every statement, as directSql sends through Prisma's raw queries for a
 * client that is not the database's own. Disconnect it when done.
 */
export function countingPrismaClient(db: Pick<Database, "adapterFactory">): {
  prisma: PrismaClient;
  count: () => number;
} {
  const prisma = new PrismaClient({ adapter: db.adapterFactory, log: [{ emit: "event", level: "query" }] });
  let statements = 0;
  prisma.$on("query", (event) => {
    if (!AUTHENTICATION.test(event.query)) statements += 1;
  });
  return { prisma, count: () => statements };
}
