// Administrative statements for the PostgreSQL test databases.
import pg from "pg";

export const TEST_DATABASE_PREFIX = "cxhub_test_";

/** Runs `work` on a new connection of the admin user to the server, ended after. */
export function withAdminClient<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withClient(
    adminUrl,
    work,
    (error) =>
      new Error(
        `The postgres test project needs PostgreSQL at ${adminUrl} (set TEST_POSTGRES_URL to use another): ${error.message}`,
      ),
  );
}

/**
 * Runs `work` on a new connection to `url`, ended after. A failure to connect is thrown as
 * `connectFailure` makes it (as it came, by default): a test database may refuse connections on
 * purpose, where the admin connection's "needs PostgreSQL" would mislead.
 */
export async function withClient<T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
  connectFailure: (error: Error) => Error = (error) => error,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw connectFailure(error as Error);
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The URL of another database on the same server. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops databases left behind by runs that were killed before their teardown (older than an hour). */
export async function dropStaleTestDatabases(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database
      WHERE datname LIKE $1
        AND (pg_stat_file('base/' || oid || '/PG_VERSION', true)).modification < now() - interval '1 hour'`,
    [`${TEST_DATABASE_PREFIX}%`],
  );
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
}

/** Drops every database whose name starts with `prefix`: those a run's workers left behind. */
export async function dropTestDatabasesNamed(admin: pg.Client, prefix: string): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
    [prefix],
  );
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
}
