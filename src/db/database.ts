// Opens the database the configuration names — embedded PGlite in a folder, or PostgreSQL — behind
// one Prisma client code path: the same client, only the driver adapter differs.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { DatabaseConfig } from "../config.ts";
import { redactDatabaseUrl } from "../config.ts";
import { StartupError } from "../errors.ts";
import { type Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { sendReadsStraightToDriver } from "./direct-sql.ts";
import { lockDataDir } from "./embedded-lock.ts";
import { type Listen, listenWithPGlite, listenWithPostgres } from "./notifications.ts";
import { createPGlite } from "./pglite-extensions.ts";
import { copyTemplateInto } from "./pglite-template.ts";
import { preparedStatementName } from "./prepared-statements.ts";
import { runScriptsOnPool } from "./script-transactions.ts";
import { pgliteSqlClient, postgresSqlClient, type SqlClient } from "./sql-client.ts";
import { exposeTransactions } from "./transaction-sql.ts";
import { withWholeScriptExecution } from "./whole-script-adapter.ts";

export type { PrismaClient };

/**
 * What domain functions take as their database handle: the client, or a transaction of it, so that
 * they compose inside a caller's transaction and run unchanged in tests.
 */
export type Db = PrismaClient | Prisma.TransactionClient;

export interface Database {
  kind: DatabaseConfig["kind"];
  prisma: PrismaClient;
  /** The driver adapter, for the migration engine. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** LISTEN for notifications that committed transactions sent with pg_notify. */
  listen: Listen;
  /**
   * A plain SQL connection beside Prisma for the job engine (pg-boss): a pool of `max` connections
   * of its own on PostgreSQL, the one shared connection on the embedded database. Close it first.
   */
  openSqlClient(options: { max: number }): SqlClient;
  /** The connections of each pool this database opened, for metrics. */
  poolStats(): PoolStats[];
  close(): Promise<void>;
}

/**
 * One pool's connections: `prisma` (requests, writes), `outbox` (the alert dispatcher's transactions)
 * or `jobs` (the job engine). On PostgreSQL, pg's counts: open, idle, and queries waiting for a
 * connection. The embedded database has exactly one connection, and PGlite does not tell how many
 * queries wait for it: only its total.
 */
export interface PoolStats {
  pool: "prisma" | "outbox" | "jobs";
  total: number;
  idle?: number;
  waiting?: number;
}

/** Opens the configured database, turning the usual operator mistakes into one-sentence StartupErrors. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.kind === "pglite" ? openEmbedded(config.dataDir) : openPostgres(config.url);
}

/**
 * PGlite's own start parameters, with a smaller buffer pool: PostgreSQL's default (and initdb's) of
 * 128 MB lives inside the WebAssembly heap, where every page the database ever touched stays resident
 * for the life of the process. The embedded database serves one process's working set; pages beyond
 * the pool are read back through the data folder's files, which the operating system caches.
 */
const EMBEDDED_START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"];

async function openEmbedded(dataDir: string): Promise<Database> {
  ensureWritableFolder(dataDir);
  const lock = lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    await copyTemplateInto(dataDir);
    pglite = await createPGlite({ dataDir, startParams: EMBEDDED_START_PARAMS });
  } catch (error) {
    lock.release();
    throw new StartupError(
      `Could not open the embedded database in ${dataDir} (${describeError(error)}): if another program wrote to that folder, point CXHUB_DATA_DIR at an empty one.`,
    );
  }
  return fromPGlite(pglite, async () => {
    await pglite.close();
    lock.release();
  });
}

/** Wraps an open PGlite instance (a data folder, or in memory for tests). */
export function fromPGlite(pglite: PGlite, close: () => Promise<void> = () => pglite.close()): Database {
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: exposeTransactions(adapterFactory) });
  sendReadsStraightToDriver(prisma, adapterFactory);
  return {
    kind: "pglite",
    prisma,
    adapterFactory,
    listen: listenWithPGlite(pglite),
    openSqlClient: () => pgliteSqlClient(pglite),
    poolStats: () => [{ pool: "prisma", total: 1 }],
    async close() {
      await prisma.$disconnect();
      await close();
    },
  };
}

/** How long a statement waits for a connection before the request is answered 503. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 10_000;

async function openPostgres(url: string): Promise<Database> {
  await probePostgres(url);
  return fromPostgresUrl(url);
}

/** The PostgreSQL code path without the reachability probe (tests use it on databases they created). */
export function fromPostgresUrl(
  url: string,
  { connectTimeoutMs = POSTGRES_CONNECT_TIMEOUT_MS }: { connectTimeoutMs?: number } = {},
): Database {
  // No JIT: the hub's statements are short, and a scoring batch's pessimistic cost estimate made
  // PostgreSQL spend a second compiling each one (1.1 s of a 1.3 s statement) for nothing.
  // The pool is made here rather than by the adapter so that its counts can be read (poolStats). A
  // connection (new, or from an exhausted pool) that does not come in time is an error the server
  // answers 503, instead of a request that hangs for as long as the server or the network does.
  const poolConfig = {
    connectionString: url,
    options: "-c jit=off",
    connectionTimeoutMillis: connectTimeoutMs,
  };
  const pool = new pg.Pool(poolConfig);
  // An idle connection the server ends (a restart, a terminated backend, a dropped database) is an
  // error event on the pool; unheard, it would end the process. The pool discards that connection and
  // opens another for the next query, so it is reported, not fatal.
  pool.on("error", (error) =>
    process.emitWarning(`An idle PostgreSQL connection was closed by the server: ${error.message}`),
  );
  const driver = exposeTransactions(new PrismaPg(pool, { statementNameGenerator: preparedStatementName }));
  const prisma = new PrismaClient({ adapter: driver });
  sendReadsStraightToDriver(prisma, driver);
  // The outbox dispatcher's short transactions get connections of their own: on the shared pool they
  // queued behind the very requests whose alerts they publish, whenever those held every connection.
  // Its rounds never overlap within a process, so two are plenty; opened on first use.
  const outboxPool = new pg.Pool({ ...poolConfig, max: 2, application_name: "cxhub-outbox" });
  outboxPool.on("error", (error) =>
    process.emitWarning(`An idle PostgreSQL outbox connection was closed by the server: ${error.message}`),
  );
  runScriptsOnPool(prisma, outboxPool);
  const sqlPools: pg.Pool[] = [];
  const statsOf = (name: PoolStats["pool"], of: pg.Pool): PoolStats => ({
    pool: name,
    total: of.totalCount,
    idle: of.idleCount,
    waiting: of.waitingCount,
  });
  return {
    kind: "postgres",
    prisma,
    // The migration engine gets an adapter with a pool of its own, ended when it is done: it holds a
    // session-level advisory lock, which on the shared pool's connections could outlive the migration
    // (taken on one connection, released on another) and keep a second instance waiting.
    adapterFactory: withWholeScriptExecution(new PrismaPg(poolConfig)),
    listen: listenWithPostgres(url),
    openSqlClient: (options) => {
      const client = postgresSqlClient(url, options);
      sqlPools.push(client.pool);
      return client;
    },
    poolStats: () => [
      statsOf("prisma", pool),
      statsOf("outbox", outboxPool),
      ...sqlPools.filter((open) => !open.ending).map((open) => statsOf("jobs", open)),
    ],
    async close() {
      await prisma.$disconnect();
      // The adapter leaves a pool it was given open.
      if (!pool.ending) await pool.end();
      if (!outboxPool.ending) await outboxPool.end();
    },
  };
}

function ensureWritableFolder(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new StartupError(
      `The data folder ${dataDir} cannot be created (${describeError(error)}): set CXHUB_DATA_DIR to a folder this user can write, such as ${path.join(process.cwd(), ".cxhub/data")}.`,
    );
  }
}

/** Connects once with a plain client so that an unreachable server fails fast with a clear reason. */
async function probePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  const where = redactDatabaseUrl(url);
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new StartupError(`Cannot use the PostgreSQL database at ${where}: ${postgresAdvice(error)}.`);
  } finally {
    // The connection failed or was used; closing a client that never connected can itself throw, and
    // the error worth reporting is the one above.
    await client.end().catch(() => {});
  }
}

function postgresAdvice(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case "ECONNREFUSED":
      return "the connection was refused; start PostgreSQL or correct the host and port in DATABASE_URL";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name does not resolve; correct the host in DATABASE_URL";
    case "ETIMEDOUT":
      return "the connection timed out; check that the host is reachable and the port is right";
    case "3D000":
      return "the database does not exist; create it (createdb) or correct its name in DATABASE_URL";
    case "28P01":
    case "28000":
      return "authentication failed; correct the user and password in DATABASE_URL";
    default:
      return `${describeError(error)}; check DATABASE_URL`;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message.split("\n")[0] ?? "";
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}
