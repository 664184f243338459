// A transaction client that counts the raw statements sent through it: for tests that hold a write
// path to its round trips (each one latency and CPU of the hub's one thread). Statements sent through
// Prisma's raw queries (the path transactionSql and directSql take for a transaction they did not
// open) are counted; model queries are not.
import type { Prisma } from "../../src/generated/prisma/client.ts";

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
