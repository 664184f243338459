// The embedded database: PGlite in a data folder (the default), or an instance a test made. Loaded by
// openDatabase only when the configuration asks for it, so that a hub on PostgreSQL never loads
// PGlite's modules (about 5 MB imported on their own; about 1 MB of the hub's memory once ready, as
// most of their code is never compiled: issue 15's 150 MB at ready).
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { describeStartupCause, StartupError } from "../errors.ts";
import { PrismaClient } from "../generated/prisma/client.ts";
import type { Database } from "./database-handle.ts";
import { sendReadsStraightToDriver } from "./direct-sql.ts";
import { lockDataDir } from "./embedded-lock.ts";
import { listenWithPGlite } from "./notifications.ts";
import { createPGlite } from "./pglite-extensions.ts";
import { copyTemplateInto } from "./pglite-template.ts";
import { pgliteSqlClient } from "./sql-client.ts";
import { exposeTransactions } from "./transaction-sql.ts";

/**
 * PGlite's own start parameters, with a smaller buffer pool: PostgreSQL's default (and initdb's) of
 * 128 MB lives inside the WebAssembly heap, where every page the database ever touched stays resident
 * for the life of the process. The embedded database serves one process's working set; pages beyond
 * the pool are read back through the data folder's files, which the operating system caches.
 */
const EMBEDDED_START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"];

/** Opens (creating it from the built template when new) the embedded database in `dataDir`. */
export async function openEmbedded(dataDir: string): Promise<Database> {
  ensureWritableFolder(dataDir);
  const lock = lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    await copyTemplateInto(dataDir);
    pglite = await createPGlite({ dataDir, startParams: EMBEDDED_START_PARAMS });
  } catch (error) {
    lock.release();
    throw new StartupError(
      `Could not open the embedded database in ${dataDir} (${describeStartupCause(error)}): if another program wrote to that folder, point CXHUB_DATA_DIR at an empty one.`,
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

function ensureWritableFolder(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new StartupError(
      `The data folder ${dataDir} cannot be created (${describeStartupCause(error)}): set CXHUB_DATA_DIR to a folder this user can write, such as ${path.join(process.cwd(), ".cxhub/data")}.`,
    );
  }
}
