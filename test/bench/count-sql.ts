// A preload for the diagnostic pass only (never for the measured servers): counts the SQL statements
// a server sends through `pg` and prints the running total on SIGUSR2 (numbered, so the reader knows which report is new), so the bench can tell how many
// statements one request costs. Loaded with `node --import tsx --import ./test/bench/count-sql.ts …`.
import pg from "pg";

let statements = 0;
const query = pg.Client.prototype.query;
// pg's query has many overloads; the wrapper only counts and passes everything through unchanged.
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  statements++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

let reports = 0;
process.on("SIGUSR2", () => {
  process.stderr.write(`[sql-statements report=${++reports} total=${statements}]\n`);
});
