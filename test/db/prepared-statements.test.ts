// Which statements go to PostgreSQL as named prepared statements: only those marked PREPARED, each
// under a name of its own text, so that one name never stands for two texts on a connection.
import { describe, expect, test } from "vitest";
import {
  PREPARED,
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
  test("names at most its bound of texts; later ones go unnamed, earlier ones keep their names", () => {
    const name = statementNamer(2);
    const [a, b, c] = ["a", "b", "c"].map((text) => ({ sql: `${PREPARED} SELECT '${text}'` }));
    const first = name(a as { sql: string });
    expect(first).toMatch(/^cxhub_/);
    expect(name(b as { sql: string })).toMatch(/^cxhub_/);
    expect(name(c as { sql: string })).toBeUndefined();
    expect(name(a as { sql: string })).toBe(first);
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
