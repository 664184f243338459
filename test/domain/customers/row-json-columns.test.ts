// Each table's reader (row-json-columns.ts, written out column by column) converts every column its
// encodings say is a timestamp or a Decimal, so that a column added to a table and to its encodings
// but not to its reader fails here; and a column the JSON does not carry stays absent.
import { describe, expect, test } from "vitest";
import {
  CUSTOMER_ROW,
  FEEDBACK_ROW,
  IDENTITY_ROW,
  INTERACTION_ROW,
  PRINCIPAL_ROW,
  type RowTable,
  readRow,
  rowJson,
} from "../../../src/domain/customers/row-json-columns.ts";
import { Prisma } from "../../../src/generated/prisma/client.ts";

const TABLES = { CUSTOMER_ROW, PRINCIPAL_ROW, IDENTITY_ROW, INTERACTION_ROW, FEEDBACK_ROW } as Record<
  string,
  RowTable<unknown>
>;

describe("a table's reader", () => {
  test.each(Object.keys(TABLES))("%s converts every timestamp and Decimal, and nothing else", (name) => {
    const rowTable = TABLES[name] as RowTable<unknown>;
    const json: Record<string, unknown> = Object.fromEntries(
      Object.entries(rowTable.encodings).map(([column, encoding]) => [
        column,
        encoding === "epochMs" ? 1_700_000_000_123 : encoding === "decimalText" ? "12.3400" : `${column}!`,
      ]),
    );
    const row = readRow(rowTable, json) as Record<string, unknown>;
    for (const [column, encoding] of Object.entries(rowTable.encodings)) {
      if (encoding === "epochMs") expect(row[column], column).toEqual(new Date(1_700_000_000_123));
      else if (encoding === "decimalText") expect(row[column], column).toEqual(new Prisma.Decimal("12.3400"));
      else expect(row[column], column).toBe(`${column}!`);
    }
    // Nulls stay null; columns not carried stay absent.
    const timestamps = Object.entries(rowTable.encodings).filter(([, encoding]) => encoding === "epochMs");
    const nulls = readRow(rowTable, Object.fromEntries(timestamps.map(([column]) => [column, null])));
    expect(Object.values(nulls as object).every((value) => value === null)).toBe(true);
    expect(Object.keys(readRow(rowTable, { id: "x" }) as object)).toEqual(["id"]);
  });

  test("the JSON of some columns names them and the id, in the table's order", () => {
    expect(rowJson(IDENTITY_ROW, ["value", "kind"]).sql).toBe(
      `json_build_object('id', i."id", 'kind', i."kind", 'value', i."value")`,
    );
  });
});
