// What tests of the job engine share: a logger that says nothing, and the removal of pg-boss's schema
// (the embedded test database is reused by the next test of a file, emptied of the hub's tables only).
import type { Database } from "../../src/db/database.ts";
import { JOB_SCHEMA } from "../../src/jobs/job-engine.ts";
import type { Logger } from "../../src/logger.ts";

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Drops the job engine's tables; call it after the engines using them stopped. */
export async function dropJobSchema(db: Database): Promise<void> {
  await db.prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${JOB_SCHEMA} CASCADE`);
}
