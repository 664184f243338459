// SQL sent straight to the driver adapter's transaction, inside a Prisma interactive transaction: for
// the write pipeline's set-based statements, which carry thousands of values. Through the Prisma
// client each raw statement cost about 2 ms of CPU in its client engine, and every array parameter
// was serialized to JSON and back and mapped element by element: a sync batch of 500 orders spent
// more of the process's one thread in Prisma than PostgreSQL spent running its statements.
//
// `runTransaction` opens the Prisma transaction with the adapter's Transaction noted on the way (the
// adapter factory is wrapped by `exposeTransactions`, and an AsyncLocalStorage scope says which
// `$transaction` call a startTransaction belongs to); `transactionSql(tx)` then answers with that
// Transaction for `tx`, and with Prisma's own raw queries for any other transaction, so that a domain
// function runs the same in either (and on the embedded database, whose adapter is wrapped alike).
//
// Values come back as the driver adapter returns them, which differs from Prisma's raw results for
// some types (timestamptz and numeric as text there, Date and Decimal here): statements run through
// this return uuid, text, text[], int4 and boolean columns only.
import { AsyncLocalStorage } from "node:async_hooks";
import type {
  ArgType,
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQueryable,
  Transaction,
} from "@prisma/driver-adapter-utils";
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { pgArrayLiteral } from "./pg-array-literal.ts";
import { asSent } from "./prepared-statements.ts";

export interface TransactionSql {
  /** Rows as objects by column name. Parameters are $1, $2, …; arrays go as they are (cast them: $1::uuid[]). */
  query<Row extends Record<string, unknown>>(sql: string, values?: unknown[]): Promise<Row[]>;
  /** The number of rows the statement wrote. */
  execute(sql: string, values?: unknown[]): Promise<number>;
}

interface Opening {
  transaction?: Transaction;
}

const opening = new AsyncLocalStorage<Opening>();
const direct = new WeakMap<Prisma.TransactionClient, TransactionSql>();

/**
 * Runs `work` in a Prisma interactive transaction whose statements `transactionSql(tx)` can send
 * straight to the driver adapter's transaction.
 */
export function runTransaction<T>(
  db: PrismaClient,
  work: (tx: Prisma.TransactionClient) => Promise<T>,
  options: { maxWait: number; timeout: number },
): Promise<T> {
  const scope: Opening = {};
  return opening.run(scope, () =>
    db.$transaction(async (tx) => {
      if (scope.transaction) direct.set(tx, sqlOnTransaction(scope.transaction));
      return work(tx);
    }, options),
  );
}

/** The SQL path for `tx`: its driver adapter's transaction when runTransaction opened it, else Prisma's raw queries. */
export function transactionSql(tx: Prisma.TransactionClient): TransactionSql {
  return direct.get(tx) ?? sqlThroughPrisma(tx);
}

/** Wraps an adapter factory so that the transactions it starts inside runTransaction are noted there. */
export function exposeTransactions<F extends SqlMigrationAwareDriverAdapterFactory>(factory: F): F {
  return new Proxy(factory, {
    get(target, property) {
      if (property !== "connect") return ownMember(target, property);
      return async () => noteTransactions(await target.connect());
    },
  });
}

/** A member of the wrapped object, methods bound to it (so that they never run with the proxy as `this`). */
function ownMember(target: object, property: string | symbol): unknown {
  const value = Reflect.get(target, property);
  return typeof value === "function" ? value.bind(target) : value;
}

function noteTransactions(adapter: SqlDriverAdapter): SqlDriverAdapter {
  return new Proxy(adapter, {
    get(target, property) {
      if (property !== "startTransaction") return ownMember(target, property);
      return async (...args: Parameters<SqlDriverAdapter["startTransaction"]>) => {
        const transaction = await target.startTransaction(...args);
        const scope = opening.getStore();
        if (!scope) return transaction;
        const watched = watchClosing(transaction);
        scope.transaction = watched;
        return watched;
      };
    },
  });
}

const CLOSED = Symbol("closed");
type Watched = Transaction & { [CLOSED]?: boolean };

/**
 * Marks the transaction closed as soon as Prisma ends it (its COMMIT or ROLLBACK, or the driver's
 * commit or rollback): the connection then goes back to the pool, and a statement sent on it after
 * that would run outside the transaction, on whatever borrowed the connection next.
 */
function watchClosing(transaction: Transaction): Watched {
  let closed = false;
  const watched: Watched = new Proxy(transaction, {
    get(target, property) {
      if (property === CLOSED) return closed;
      const value = ownMember(target, property);
      if (property === "commit" || property === "rollback") {
        return (...args: unknown[]) => {
          closed = true;
          return (value as (...a: unknown[]) => unknown)(...args);
        };
      }
      if (property === "executeRaw" || property === "queryRaw") {
        return (query: { sql: string }) => {
          if (/^\s*(COMMIT|ROLLBACK)\b/i.test(query.sql)) closed = true;
          return (value as (q: unknown) => unknown)(query);
        };
      }
      return value;
    },
  });
  return watched;
}

/** Array parameters as they are: the driver serializes them whole, instead of mapping each element. */
const AS_IS: ArgType = { scalarType: "unknown", arity: "scalar" };

function sqlOnTransaction(transaction: Watched): TransactionSql {
  return sqlOnAdapter(() => {
    if (transaction[CLOSED]) {
      throw new Error(
        "The transaction has ended (committed, rolled back or timed out): no statement can join it now.",
      );
    }
    return transaction;
  });
}

/** What sqlOnAdapter sends to: a driver adapter, or one of its transactions. */
type Queryable = Pick<SqlQueryable, "queryRaw" | "executeRaw" | "adapterName">;

/** The node-postgres adapter, which passes parameters to node-postgres as they are. */
const PG_ADAPTER = "@prisma/adapter-pg";

/**
 * A parameter for node-postgres: an array of plain values as the literal node-postgres would make of
 * it (pg-array-literal.ts), in one string instead of one per element; anything else as it is. The
 * embedded database's adapter serializes parameters its own way, so it gets them as they are.
 */
function asPgArgument(value: unknown): unknown {
  return Array.isArray(value) ? (pgArrayLiteral(value) ?? value) : value;
}

/** SQL sent to the driver adapter (or transaction) that `queryable` gives, rows keyed by column name. */
export function sqlOnAdapter(queryable: () => Queryable | Promise<Queryable>): TransactionSql {
  const query = (target: Queryable, text: string, given: unknown[]) => {
    // Prepared statements with arrays of one value or none in their one-row form (prepared-statements.ts).
    const { sql, values } = asSent(text, given);
    return {
      sql,
      args: target.adapterName === PG_ADAPTER ? values.map(asPgArgument) : values,
      argTypes: values.map(() => AS_IS),
    };
  };
  return {
    async query<Row>(sql: string, values: unknown[] = []) {
      const target = await queryable();
      const result = await target.queryRaw(query(target, sql, values)).catch(rethrow);
      const { columnNames, rows } = result;
      return rows.map((row) => {
        const object: Record<string, unknown> = {};
        for (let i = 0; i < columnNames.length; i++) object[columnNames[i] as string] = row[i];
        return object as Row;
      });
    },
    async execute(sql: string, values: unknown[] = []) {
      const target = await queryable();
      return target.executeRaw(query(target, sql, values)).catch(rethrow);
    },
  };
}

function sqlThroughPrisma(tx: Prisma.TransactionClient): TransactionSql {
  return {
    query: <Row>(sql: string, values: unknown[] = []) => tx.$queryRawUnsafe<Row[]>(sql, ...values),
    execute: (sql, values = []) => tx.$executeRawUnsafe(sql, ...values),
  };
}

/**
 * The driver adapter's error in the shape Prisma gives it (its `meta.driverAdapterError`), so that
 * sqlState, describeError and isDatabaseUnavailable read it as they read Prisma's.
 */
function rethrow(error: unknown): never {
  if (error instanceof Error && error.name === "DriverAdapterError") {
    const cause = (error as { cause?: { message?: string } }).cause;
    throw Object.assign(new Error(cause?.message ?? error.message, { cause: error }), {
      name: "TransactionSqlError",
      meta: { driverAdapterError: error },
    });
  }
  throw error;
}
