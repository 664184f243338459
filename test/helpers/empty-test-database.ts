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
 * What emptying a database's tables cannot undo, as one digest: the schemas, relations, columns,
 * constraints, triggers (and whether each is enabled), functions, table options, planner statistics
 * that ANALYZE stored, and the migration history. A test that alters a table, analyzes one or starts
 * the job engine (pg-boss creates its own schema) changes it, and the next test gets a fresh database
 * instead. Statistics matter as much as tables: a later test's plans, and the rows they read, follow
 * them (a test of the rows a trigger reads failed after another file had analyzed the tables).
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
    SELECT format('migration %s %s %s', migration_name, checksum, finished_at) FROM _prisma_migrations
  ) AS shape(item)`;

/**
 * Above this many rows in a table, every table is truncated instead of deleted from: VACUUM does not
 * shrink indexes, and the next test's plans would be costed on indexes as large as these rows made them.
 */
const MOST_ROWS_DELETED = 1000;

/**
 * Empties every table and gives the tables back their template's size and statistics. TRUNCATE makes
 * a new file for every table and index: about 200 ms for all of them on PostgreSQL here (as long as a
 * fresh copy of the template) and 66 ms on PGlite. DELETE of a test's few rows and a VACUUM of the
 * tables that had them took 10-30 ms, so TRUNCATE is kept for tests that wrote many rows. The VACUUM
 * removes the dead rows and cuts each table to no pages, and the planner's row estimates go back to
 * "never counted", as in the template. False when the tables cannot be made as they were.
 */
async function emptyEveryTable(sql: MaintenanceSql): Promise<boolean> {
  const tables = await sql.query<{ name: string }>(
    "SELECT format('%I', tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'",
  );
  const counted = tables
    .map(
      ({ name }) =>
        `SELECT ${quoteLiteral(name)} AS name, (SELECT count(*) FROM (SELECT FROM ${name} LIMIT ${MOST_ROWS_DELETED + 1}) AS r)::int AS rows`,
    )
    .join(" UNION ALL ");
  const counts = await sql.query<{ name: string; rows: number }>(counted);
  if (counts.some(({ rows }) => rows > MOST_ROWS_DELETED)) {
    await sql.exec(`TRUNCATE ${tables.map(({ name }) => name).join(", ")}`);
    return true;
  }
  const filled = counts.filter(({ rows }) => rows > 0).map(({ name }) => name);
  if (filled.length === 0) return true;
  // Every table is emptied, so no reference is left dangling: the foreign keys' triggers (and the
  // tallies') need not run. The template's one tally row goes too, as TRUNCATE takes it: the tallies
  // count from no rows as from rows of zero. session_replication_role needs a superuser; without one
  // this throws, and the database is replaced.
  await sql.exec(
    `BEGIN; SET LOCAL session_replication_role = replica; ${filled.map((table) => `DELETE FROM ${table}`).join("; ")}; COMMIT`,
  );
  await sql.exec(`VACUUM ${filled.join(", ")}`);
  const sizes = await sql.query<{ sized: number }>(
    `UPDATE pg_class SET reltuples = -1, relallvisible = 0 WHERE oid = ANY($1::regclass[])
     RETURNING pg_relation_size(oid) AS sized`,
    [filled],
  );
  return sizes.every(({ sized }) => Number(sized) === 0);
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
