// Opens the database the configuration names — embedded PGlite in a folder, or PostgreSQL — behind
// one Prisma client code path: the same client, only the driver adapter differs. PostgreSQL is opened
// here; the embedded database in embedded-database.ts, imported only when it is the one configured.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { DatabaseConfig } from "../config.ts";
import { redactDatabaseUrl } from "../config.ts";
import { describeStartupCause, StartupError } from "../errors.ts";
import { type Prisma, PrismaClient } from "../generated/prisma/client.ts";
import type { Database, PoolStats } from "./database-handle.ts";
import { sendReadsStraightToDriver } from "./direct-sql.ts";
import { listenWithPostgres } from "./notifications.ts";
import { preparedStatementName } from "./prepared-statements.ts";
import { runScriptsOnPool } from "./script-transactions.ts";
import { postgresSqlClient } from "./sql-client.ts";
import { exposeTransactions } from "./transaction-sql.ts";
import { withWholeScriptExecution } from "./whole-script-adapter.ts";

export type { Database, PoolStats, PrismaClient };

/**
 * What domain functions take as their database handle: the client, or a transaction of it, so that
 * they compose inside a caller's transaction and run unchanged in tests.
 */
export type Db = PrismaClient | Prisma.TransactionClient;

/** Opens the configured database, turning the usual operator mistakes into one-sentence StartupErrors. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.kind === "postgres") return openPostgres(config.url);
  // Loaded only here: a hub on PostgreSQL never loads PGlite (embedded-database.ts says why).
  const { openEmbedded } = await import("./embedded-database.ts");
  return openEmbedded(config.dataDir);
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
      return `${describeStartupCause(error)}; check DATABASE_URL`;
  }
}
