// What every `npm run connectors` command gets: the hub it works on (database, plugins, key, write
// context) and where it talks to the operator. The entry point (../connectors.ts) builds them from the
// configuration; tests build them around a test database and capture what is printed.
import type { ConnectorServices } from "../../connectors/connector-services.ts";
import type { ConnectorStoreDeps } from "../../connectors/connector-store.ts";
import type { PrismaClient } from "../../db/database.ts";
import type { SyncRun } from "../../generated/prisma/client.ts";
import type { Logger } from "../../logger.ts";
import type { WriteContext } from "../../pipeline/unit-of-work.ts";

export interface CliHub extends ConnectorServices {
  db: PrismaClient;
  databaseKind: "pglite" | "postgres";
  /** The policy and clock writes (syncs, replays) are made with. */
  writes: WriteContext;
  logger: Logger;
}

export interface CliIo {
  /** One line for the operator (stdout). */
  print(line: string): void;
  /** One line about something that went wrong (stderr). */
  printError(line: string): void;
  /** All of standard input, as text (secrets are read from it, never from arguments). */
  readStdin(): Promise<string>;
  /** The environment variables a command may read secrets from. */
  env: Readonly<Record<string, string | undefined>>;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return {
    print: (line) => console.log(line),
    printError: (line) => console.error(line),
    readStdin: async () => {
      if (process.stdin.isTTY) return "";
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    env: process.env,
  };
}

/** A run on one line: status, when, how long, and what it did with what it read. */
export function describeRun(run: SyncRun): string {
  const when = (run.finishedAt ?? run.startedAt ?? run.queuedAt).toISOString();
  const took = run.durationMs === null ? "" : ` in ${(run.durationMs / 1000).toFixed(1)}s`;
  return `${run.status} ${when}${took}: ${run.recordsFetched} read, ${run.recordsCreated} created, ${run.recordsUpdated} updated, ${run.recordsUnchanged} unchanged, ${run.recordsDeleted} deleted, ${run.recordsDeadLettered} dead-lettered${run.identitiesDropped ? `, ${run.identitiesDropped} invalid identities left out of kept records` : ""}`;
}

/** The connector store's dependencies, from the hub. */
export function storeDeps(hub: CliHub): ConnectorStoreDeps & { db: PrismaClient } {
  return { db: hub.db, plugins: hub.registry, secretKey: hub.secretKey };
}
