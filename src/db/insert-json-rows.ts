// Bulk inserts for loads that write thousands of prepared rows at once (the demo): the rows go to
// PostgreSQL as one JSON document per statement, which `jsonb_populate_recordset` expands into the
// table's own column types (timestamps from ISO strings, enums and numerics from text, Json columns
// from nested objects).
//
// Prisma's createMany compiles a query plan that holds every value of its rows, and maps each value on
// the way in: loading the demo's 22,000 rows that way allocated about 1.9 GB and took 50 s on the
// embedded database, and the garbage pushed the demo's peak memory past 600 MB.
//
// Only columns the database fills itself are left out. A client-side default of Prisma's (an
// `@default(uuid(7))` id, an `@updatedAt`) is not applied here: the caller gives those values.
import type { TransactionSql } from "./transaction-sql.ts";

/** At most this many rows per statement: bounds the JSON document each statement parses. */
const ROWS_PER_STATEMENT = 1_000;

const TABLE_NAME = /^[A-Z][A-Za-z]*$/;
const COLUMN_NAME = /^[a-z][A-Za-z0-9]*$/;

/**
 * Inserts `rows` into `table` (a model's table name, as Prisma names it). Rows are grouped by the
 * columns they give, so a column a row leaves out gets the table's default, never NULL. Returns the
 * number of rows written.
 */
export async function insertJsonRows(
  sql: TransactionSql,
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<number> {
  if (!TABLE_NAME.test(table)) throw new Error(`Not a table name: ${JSON.stringify(table)}.`);
  let written = 0;
  for (const [columns, group] of groupByColumns(rows)) {
    const list = columns.map((column) => `"${column}"`).join(", ");
    const statement = `INSERT INTO "${table}" (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::"${table}", $1::jsonb)`;
    for (let start = 0; start < group.length; start += ROWS_PER_STATEMENT) {
      const document = JSON.stringify(group.slice(start, start + ROWS_PER_STATEMENT));
      written += await sql.execute(statement, [document]);
    }
  }
  return written;
}

/** Rows by the sorted list of columns they give a value for (undefined counts as not given, as in JSON). */
function groupByColumns(rows: readonly Record<string, unknown>[]): Map<string[], Record<string, unknown>[]> {
  const groups = new Map<string, { columns: string[]; rows: Record<string, unknown>[] }>();
  for (const row of rows) {
    const columns = Object.keys(row)
      .filter((column) => row[column] !== undefined)
      .sort();
    for (const column of columns) {
      if (!COLUMN_NAME.test(column)) throw new Error(`Not a column name: ${JSON.stringify(column)}.`);
    }
    const key = columns.join(",");
    let group = groups.get(key);
    if (!group) {
      group = { columns, rows: [] };
      groups.set(key, group);
    }
    group.rows.push(row);
  }
  return new Map([...groups.values()].map((group) => [group.columns, group.rows]));
}
