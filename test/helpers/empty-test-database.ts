// Empties a test's database for the worker's next test, when it is still as the migrated template made
// it in what emptying cannot undo; the same on the embedded database (helpers/database.ts) and on
// PostgreSQL (postgres-test-databases.ts).

/** The two calls emptying needs, on a pg client or a PGlite instance. */
export interface MaintenanceSql {
  query<R>(text: string, params?: unknown[]): Promise<R[]>;
  /** Runs a script of statements separated by semicolons. */
  exec(script: string): Promise<void>;
}

/**
 * Empties every table when the database still has the template's shape (`templateShape`, read with
 * shapeOf before its first test); false when it must be replaced instead.
 */
export async function emptiedLikeTemplate(sql: MaintenanceSql, templateShape: string): Promise<boolean> {
  if ((await shapeOf(sql)) !== templateShape) return false;
  return emptyEveryTable(sql);
}

export async function shapeOf(sql: MaintenanceSql): Promise<string> {
  const [row] = await sql.query<{ digest: string }>(SHAPE_DIGEST);
  return row?.digest ?? "";
}

/**
 * What emptying a database's tables cannot undo, as one digest: the schemas, relations, columns and
 * their defaults, enum values, constraints, triggers (and whether each is enabled), functions, table
 * options, planner statistics that ANALYZE stored, the database's own settings, and the migration
 * history. A test that alters a table, analyzes one or starts the job engine (pg-boss creates its own
 * schema) changes it, and the next test gets a fresh database instead. Statistics matter as much as
 * tables: a later test's plans, and the rows they read, follow them (a test of the rows a trigger
 * reads failed after another file had analyzed the tables).
 */
const SHAPE_DIGEST = `
  SELECT md5(string_agg(item, ',' ORDER BY item)) AS digest FROM (
    SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname !~ '^pg_(toast_)?temp_'
    UNION ALL
    SELECT format('relation %s.%s %s %s', n.nspname, c.relname, c.relkind, c.reloptions)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname !~ '^pg_(toast_)?temp_'
    UNION ALL
    SELECT format('column %s.%s %s %s %s', a.attrelid::regclass, a.attname, a.atttypid, a.attnotnull, a.atthasdef)
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT format('constraint %s %s', conrelid::regclass, pg_get_constraintdef(oid))
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT format('trigger %s.%s %s', tgrelid::regclass, tgname, tgenabled) FROM pg_trigger
    UNION ALL
    SELECT format('function %s %s', proname, md5(prosrc)) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL
    SELECT format('statistics %s', count(*)) FROM pg_statistic s JOIN pg_class c ON c.oid = s.starelid
     WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL
    SELECT format('default %s.%s %s', adrelid::regclass, adnum, pg_get_expr(adbin, adrelid)) FROM pg_attrdef
    UNION ALL
    SELECT format('enum %s %s %s', enumtypid::regtype, enumsortorder, enumlabel) FROM pg_enum
    UNION ALL
    SELECT format('database %s %s', datallowconn, datconnlimit) FROM pg_database WHERE datname = current_database()
    UNION ALL
    SELECT format('settings %s %s', setrole, setconfig) FROM pg_db_role_setting
     WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
    UNION ALL
    SELECT format('migration %s %s %s', migration_name, checksum, finished_at) FROM _prisma_migrations
  ) AS shape(item)`;

/**
 * Past this many rows in a table, or pages in an index, every table is truncated instead of deleted
 * from: VACUUM does not shrink indexes, and the next test's plans would be costed on indexes as large
 * as a big test made them. An empty index is one or two pages; fifty identities grew the trigram
 * index of their values to sixteen.
 */
const MOST_ROWS_DELETED = 1000;
const MOST_INDEX_PAGES_KEPT = 32;

/**
 * Empties every table and gives the tables back their template's size and statistics. TRUNCATE makes
 * a new file for every table and index: about 200 ms for all of them on PostgreSQL here (as long as a
 * fresh copy of the template) and 66 ms on PGlite. DELETE of a test's few rows and a VACUUM of the
 * tables that had any (rows, or pages left by rows deleted or rolled back) took 10-30 ms, so TRUNCATE
 * is kept for tests that wrote many rows. The VACUUM cuts each table back to no pages; then every
 * table's row estimate goes back to "never counted", as in the template (ANALYZE of an empty table
 * sets it to 0), and every sequence to its start. False when the tables cannot be made as they were.
 */
async function emptyEveryTable(sql: MaintenanceSql): Promise<boolean> {
  const tables = await sql.query<{ name: string }>(
    "SELECT format('%I', tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'",
  );
  const counted = tables
    .map(
      ({ name }) =>
        `SELECT ${quoteLiteral(name)} AS name, (SELECT count(*) FROM (SELECT FROM ${name} LIMIT ${MOST_ROWS_DELETED + 1}) AS r)::int AS rows, pg_relation_size(${quoteLiteral(name)}) AS bytes`,
    )
    .join(" UNION ALL ");
  const counts = await sql.query<{ name: string; rows: number; bytes: number }>(counted);
  const [largest] = await sql.query<{ pages: number }>(
    `SELECT coalesce(max(pg_relation_size(oid) / current_setting('block_size')::int), 0)::int AS pages
       FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'i'`,
  );
  const sequences = await sql.query<{ name: string }>(
    "SELECT format('%I', sequencename) AS name FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL",
  );
  const restartSequences = sequences.map(({ name }) => `ALTER SEQUENCE ${name} RESTART; `).join("");
  if (counts.some(({ rows }) => rows > MOST_ROWS_DELETED) || (largest?.pages ?? 0) > MOST_INDEX_PAGES_KEPT) {
    await sql.exec(`TRUNCATE ${tables.map(({ name }) => name).join(", ")}; ${restartSequences}`);
    return statisticsReset(sql);
  }
  const dirty = counts.filter(({ rows, bytes }) => rows > 0 || Number(bytes) > 0).map(({ name }) => name);
  // Every table is emptied, so no reference is left dangling: the foreign keys' triggers (and the
  // tallies') need not run. The template's one tally row goes too, as TRUNCATE takes it: the tallies
  // count from no rows as from rows of zero. session_replication_role needs a superuser; without one
  // this throws, and the database is replaced.
  await sql.exec(
    `BEGIN; SET LOCAL session_replication_role = replica; ${dirty.map((table) => `DELETE FROM ${table}; `).join("")}${restartSequences}COMMIT`,
  );
  if (dirty.length > 0) await sql.exec(`VACUUM ${dirty.join(", ")}`);
  return statisticsReset(sql);
}

/** Every table back to no pages and "never counted"; false when a table could not be cut back. */
async function statisticsReset(sql: MaintenanceSql): Promise<boolean> {
  // Only the rows that differ are updated: the catalog is not vacuumed here either (autovacuum is off
  // on this machine), and a dead row per table per test would pile up in it.
  await sql.exec(
    `UPDATE pg_class SET reltuples = -1, relallvisible = 0
      WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname <> '_prisma_migrations'
        AND (reltuples <> -1 OR relallvisible <> 0)`,
  );
  const [left] = await sql.query<{ tables: number }>(
    `SELECT count(*)::int AS tables FROM pg_class
      WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname <> '_prisma_migrations'
        AND pg_relation_size(oid) > 0`,
  );
  return left?.tables === 0;
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
