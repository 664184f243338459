// Array parameters as PostgreSQL array literals (src/db/pg-array-literal.ts): the text node-postgres
// would have made of them, so that PostgreSQL receives the same bytes; built in one join. And the SQL
// path hands node-postgres the literal, not the array (transaction-sql.ts).
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import { pgArrayLiteral } from "../../src/db/pg-array-literal.ts";
import { sqlOnAdapter } from "../../src/db/transaction-sql.ts";

const { prepareValue } = createRequire(import.meta.url)("pg/lib/utils.js") as {
  prepareValue: (value: unknown) => unknown;
};

const arrays: unknown[][] = [
  [],
  ["01900000-0000-7000-8000-000000000001", "01900000-0000-7000-8000-000000000002"],
  ["Order #1001 — 2 items", "plain", ""],
  ['say "hi"', "back\\slash", '\\"both\\"', "{braces}", "a,b", "NULL", "null", " spaced "],
  ['{"orderName":"#1","tags":["vip"],"note":"a \\"quoted\\" word"}'],
  [null, "a", undefined, null],
  [undefined],
  [1, -0, 2.5, 1e21, Number.NaN, -3],
  [true, false, null],
  ["emoji 🎉", "日本語", "tab\tnew\nline", "\u0000"],
  // A sparse array: its holes are NULL, as node-postgres sends them.
  // biome-ignore lint/suspicious/noSparseArray: the hole is what this case is about
  [, "a", , "b"],
];

describe("PostgreSQL array literals", () => {
  test.each(arrays.map((array) => [JSON.stringify(array), array]))(
    "%s is the literal node-postgres would send",
    (_, array) => {
      expect(pgArrayLiteral(array as unknown[])).toBe(prepareValue(array));
    },
  );

  test("an array of anything else is left to node-postgres", () => {
    for (const array of [
      [new Date(0)],
      [Buffer.from("a")],
      [{ a: 1 }],
      [["nested"]],
      [1n],
      ["a", new Date(0)],
    ]) {
      expect(pgArrayLiteral(array)).toBeUndefined();
    }
  });

  test("node-postgres is handed the literal, and other adapters the array as it is", async () => {
    const sent = (adapterName: string) => {
      const args: unknown[][] = [];
      const answer = async (query: { args: unknown[] }) => {
        args.push(query.args);
        return { columnNames: [], columnTypes: [], rows: [] };
      };
      const sql = sqlOnAdapter(() => ({
        adapterName,
        queryRaw: answer,
        executeRaw: async (query) => {
          await answer(query);
          return 0;
        },
      }));
      return { sql, args };
    };
    const values = [["a", 'b"'], "scalar", [new Date(0)], null];
    const pg = sent("@prisma/adapter-pg");
    await pg.sql.query("SELECT $1, $2, $3, $4", values);
    await pg.sql.execute("SELECT $1, $2, $3, $4", values);
    const literal = ['{"a","b\\""}', "scalar", [new Date(0)], null];
    expect(pg.args).toEqual([literal, literal]);
    const embedded = sent("@prisma/adapter-pglite");
    await embedded.sql.query("SELECT $1, $2, $3, $4", values);
    expect(embedded.args).toEqual([values]);
  });
});
