// Opens the database for `npm run apikey`, the way an operator needs it: never a database the hub
// does not use, and never a puzzle when the hub holds the embedded one.
//
// The server and this command read the same configuration (loadConfig): CXHUB_DATA_DIR, else
// ./.cxhub/data, resolved against the folder the process runs in (npm runs both from the project's
// folder). They disagree only when the two run from different folders or with different
// environments, and then this command used to create an empty database of its own and write the key
// there, so the server said "not recognised". Now it refuses a folder that holds no hub database,
// says which database it uses, and when the running hub holds the folder, how to do the same over
// GraphQL.
import { existsSync } from "node:fs";
import path from "node:path";
import { type Config, describeDatabase } from "../config.ts";
import { type Database, openDatabase } from "../db/database.ts";
import { DataDirInUseError } from "../db/embedded-lock.ts";
import { applyMigrations } from "../db/migrations.ts";
import { StartupError } from "../errors.ts";

/** What to do instead of a CLI command while the hub holds the embedded database. */
function whileTheHubRuns(graphqlUrl: string): string {
  return `While the hub runs, manage keys over GraphQL with an admin key (in GraphiQL at ${graphqlUrl}, header {"Authorization": "Bearer <admin key>"}):
  mutation { createApiKey(input: { newPrincipal: { name: "Ana Souza", email: "ana@example.com" }, name: "alerts page", role: ACCOUNT_MANAGER }) { ... on CreateApiKeyPayload { key apiKey { prefix } } ... on UserError { message } } }
  (principalId: "<id from the principals query>" instead of newPrincipal gives an existing account manager a key; apiKeys lists keys; revokeApiKey(id:) revokes one.)
Or stop the hub and run this command again.`;
}

/** Where the hub configured like this serves GraphQL, as a browser on the same machine reaches it. */
function graphqlUrlOf(config: Config): string {
  const host = ["127.0.0.1", "0.0.0.0", "::", "::1"].includes(config.host) ? "localhost" : config.host;
  return `http://${host}:${config.port}/graphql`;
}

export interface KeyDatabase {
  database: Database;
  /** "the embedded PGlite database in /srv/hub/.cxhub/data", "PostgreSQL at …": said with every result. */
  description: string;
}

export async function openKeyDatabase(config: Config): Promise<KeyDatabase> {
  const description = describeDatabase(config.database);
  if (config.database.kind === "pglite" && !holdsDatabase(config.database.dataDir)) {
    throw new StartupError(
      `There is no CX Hub database in ${config.database.dataDir}, so no key was written. The hub prints the database it uses when it starts ("Using the embedded PGlite database in …"): run this command in the same folder, or with CXHUB_DATA_DIR set to that folder. On a new machine, start the hub once (npm start): it creates the database and prints an admin key.`,
    );
  }
  let database: Database;
  try {
    database = await openDatabase(config.database);
  } catch (error) {
    if (!(error instanceof DataDirInUseError) || config.database.kind !== "pglite") throw error;
    throw new StartupError(
      `The embedded database in ${config.database.dataDir} is in use by the running hub (process ${error.holderPid}), and only one process may open it.\n${whileTheHubRuns(graphqlUrlOf(config))}`,
    );
  }
  await applyMigrations(database.adapterFactory);
  return { database, description };
}

/** PGlite writes PG_VERSION when it initialises a data folder. */
function holdsDatabase(dataDir: string): boolean {
  return existsSync(path.join(dataDir, "PG_VERSION"));
}
