// Which statements go to PostgreSQL as named prepared statements: only those marked PREPARED, each
// under a name of its own text, so that one name never stands for two texts on a connection; and the
// one-row form in which they (and those marked PREPARED_FOR_ONE_ROW) are sent.
import { describe, expect, test } from "vitest";
import {
  asSent,
  oneRowForm,
  PREPARED,
  PREPARED_FOR_ONE_ROW,
  PREPARED_REQUEST_SHAPED,
  preparedStatementName,
  rowCountLiteral,
  statementNamer,
} from "../../src/db/prepared-statements.ts";

describe("preparedStatementName", () => {
  test("names a marked statement by its text and leaves any other unnamed", () => {
    const signals = `${PREPARED} SELECT 1 WHERE $1::int > 0`;
    const scores = `${PREPARED} SELECT 2 WHERE $1::int > 0`;
    expect(preparedStatementName({ sql: signals })).toBe(preparedStatementName({ sql: `${signals}` }));
    expect(preparedStatementName({ sql: signals })).not.toBe(preparedStatementName({ sql: scores }));
    expect(preparedStatementName({ sql: signals }).length).toBeLessThanOrEqual(63);
    expect(preparedStatementName({ sql: "SELECT 1" })).toBeUndefined();
    expect(preparedStatementName({ sql: `SELECT 1 ${PREPARED}` })).toBeUndefined();
  });
});

describe("statementNamer", () => {
  const texts = (mark: string, ...names: string[]) =>
    names.map((text) => ({ sql: `${mark} SELECT '${text}'` }));

  test("names at most its bound of texts; later ones go unnamed, earlier ones keep their names", () => {
    const name = statementNamer({ own: 2, requestShaped: 2 });
    const [a, b, c] = texts(PREPARED, "a", "b", "c") as [{ sql: string }, { sql: string }, { sql: string }];
    const first = name(a);
    expect(first).toMatch(/^cxhub_/);
    expect(name(b)).toMatch(/^cxhub_/);
    expect(name(c)).toBeUndefined();
    expect(name(a)).toBe(first);
  });

  test("pages of every shape a client asks for leave the hub's own statements their names", () => {
    const name = statementNamer({ own: 2, requestShaped: 3 });
    const pages = texts(PREPARED_REQUEST_SHAPED, "LIMIT 1", "LIMIT 2", "LIMIT 3", "LIMIT 4", "LIMIT 5");
    const named = pages.map((page) => name(page));
    expect(named.slice(0, 3)).toEqual([
      expect.stringMatching(/^cxhub_/),
      expect.stringMatching(/^cxhub_/),
      expect.stringMatching(/^cxhub_/),
    ]);
    expect(named.slice(3)).toEqual([undefined, undefined]);
    // The write pipeline's statements, first sent after the pages, are still prepared.
    const [scoreWrite, signals, third] = texts(PREPARED, "score write", "signals", "third") as [
      { sql: string },
      { sql: string },
      { sql: string },
    ];
    expect(name(scoreWrite)).toMatch(/^cxhub_/);
    expect(name(signals)).toMatch(/^cxhub_/);
    expect(name(third)).toBeUndefined();
    expect(name(pages[0] as { sql: string })).toBe(named[0]);
  });

  test("a request-shaped statement is sent as a prepared one", () => {
    const sql = `${PREPARED_REQUEST_SHAPED} SELECT * FROM t WHERE id = ANY($1::uuid[])`;
    expect(asSent(sql, [["x"]]).sql).toBe(
      `${PREPARED_REQUEST_SHAPED} SELECT * FROM t WHERE id = ANY(ARRAY[$1::uuid])`,
    );
    expect(preparedStatementName({ sql })).toMatch(/^cxhub_/);
  });
});

describe("rowCountLiteral", () => {
  test("writes a whole row count into the text, and refuses anything else", () => {
    expect(rowCountLiteral(20).sql).toBe("20");
    expect(rowCountLiteral(0).sql).toBe("0");
    expect(rowCountLiteral(20).values).toEqual([]);
    for (const bad of [2.5, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      expect(() => rowCountLiteral(bad)).toThrow(/whole number of at least 0/);
    }
  });
});

describe("oneRowForm", () => {
  test("writes arrays of one value as one-element arrays and empty ones as literals, renumbering the rest", () => {
    const sql = `SELECT * FROM t WHERE a = ANY($1::uuid[]) AND b = ANY($2::"Level"[]) AND c < $3 AND d = ANY($4::text[]) AND e = ANY($1::uuid[])`;
    const form = oneRowForm(sql, [["x"], [], 5, ["p", "q"]]);
    expect(form.sql).toBe(
      `SELECT * FROM t WHERE a = ANY(ARRAY[$1::uuid]) AND b = ANY('{}'::"Level"[]) AND c < $2 AND d = ANY($3::text[]) AND e = ANY(ARRAY[$1::uuid])`,
    );
    expect(form.values).toEqual(["x", 5, ["p", "q"]]);
    expect(form.arrays).toBe(true);
  });

  test("leaves a parameter that is not cast to an array wherever it appears", () => {
    const form = oneRowForm(`SELECT $1::uuid[] AS a, cardinality($1) AS n, $10::int[] AS b`, [
      ["x"],
      ...Array.from({ length: 8 }, () => 0),
      [null],
    ]);
    expect(form.sql).toBe(`SELECT $1::uuid[] AS a, cardinality($1) AS n, ARRAY[$10::int] AS b`);
    expect(form.values.at(0)).toEqual(["x"]);
    expect(form.values.at(-1)).toBeNull();
    expect(form.arrays).toBe(true);
  });

  test("leaves a multidimensional array's parameter as it is", () => {
    const sql = `SELECT $1::int[][] AS m`;
    const form = oneRowForm(sql, [[5]]);
    expect(form.sql).toBe(sql);
    expect(form.values).toEqual([[5]]);
  });

  test("sends a lone Date as the instant's ISO text, not as clock time without an offset", () => {
    const at = new Date("2026-03-29T01:30:00.000Z");
    const form = oneRowForm(`SELECT * FROM t WHERE at = ANY($1::timestamptz[])`, [[at]]);
    expect(form.sql).toBe(`SELECT * FROM t WHERE at = ANY(ARRAY[$1::timestamptz])`);
    expect(form.values).toEqual(["2026-03-29T01:30:00.000Z"]);
  });
});

describe("asSent", () => {
  const oneRow = `${PREPARED_FOR_ONE_ROW} SELECT * FROM t WHERE id = ANY($1::uuid[]) AND at < $2::timestamptz`;

  test("prepares a statement marked for one row when each array holds one value at most", () => {
    expect(asSent(oneRow, [["x"], "2026-01-01"])).toEqual({
      sql: `${PREPARED} SELECT * FROM t WHERE id = ANY(ARRAY[$1::uuid]) AND at < $2::timestamptz`,
      values: ["x", "2026-01-01"],
    });
  });

  test("sends it unchanged, and so unnamed, with a longer array", () => {
    expect(asSent(oneRow, [["x", "y"], "2026-01-01"])).toEqual({
      sql: oneRow,
      values: [["x", "y"], "2026-01-01"],
    });
    expect(preparedStatementName({ sql: oneRow })).toBeUndefined();
  });

  test("writes a prepared statement's short arrays out, and leaves unmarked statements alone", () => {
    expect(asSent(`${PREPARED} SELECT $1::uuid[], $2::uuid[]`, [["x"], ["y", "z"]])).toEqual({
      sql: `${PREPARED} SELECT ARRAY[$1::uuid], $2::uuid[]`,
      values: ["x", ["y", "z"]],
    });
    expect(asSent(`SELECT $1::uuid[]`, [["x"]])).toEqual({ sql: `SELECT $1::uuid[]`, values: [["x"]] });
  });
});
