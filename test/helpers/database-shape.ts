// What a reused test database must still share with the migrated template (helpers/database.ts for
// the embedded database, postgres-test-databases.ts for PostgreSQL).

/**
 * What emptying a database's tables cannot undo, as one digest: the schemas, relations, columns,
 * constraints, triggers (and whether each is enabled), functions, table options, planner statistics
 * that ANALYZE stored, and the migration history. A test that alters a table, analyzes one or starts
 * the job engine (pg-boss creates its own schema) changes it, and the next test gets a fresh database
 * instead. Statistics matter as much as tables: a later test's plans, and the rows they read, follow
 * them (a test of the rows a trigger reads failed after another file had analyzed the tables).
 */
export const SHAPE_DIGEST = `
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
