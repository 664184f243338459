// What an open database is to the rest of the hub, whichever engine serves it (database.ts opens
// PostgreSQL, embedded-database.ts the embedded PGlite). Its own module so that the embedded side,
// which database.ts loads only when it is configured, can name it without an import loop.
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { DatabaseConfig } from "../config.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Listen } from "./notifications.ts";
import type { SqlClient } from "./sql-client.ts";

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
