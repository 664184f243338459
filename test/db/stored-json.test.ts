// A JSON column read through its schema: what fits comes back typed; what does not is refused with
// the table, column, row and what is wrong, and the remedy the reader gave.
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { parseStoredJson, StoredDataError } from "../../src/db/stored-json.ts";

const where = {
  table: "Score",
  column: "reasons",
  rowId: "0190f5a2-0000-7000-8000-00000000000a",
  remedy: "Rescore it.",
};
const schema = z.array(z.object({ factor: z.string(), weight: z.number() }));

describe("stored JSON", () => {
  test("gives back a value that fits its schema", () => {
    expect(parseStoredJson(schema, [{ factor: "NPS", weight: 1 }], where)).toEqual([
      { factor: "NPS", weight: 1 },
    ]);
  });

  test("refuses one that does not, naming the table, column, row, path and remedy", () => {
    const read = () => parseStoredJson(schema, [{ factor: "NPS", weight: "1" }, { factor: 3 }], where);
    expect(read).toThrow(StoredDataError);
    expect(read).toThrow(
      "Score.reasons of Score 0190f5a2-0000-7000-8000-00000000000a does not have the shape this hub reads at 0.weight: Invalid input: expected number, received string (and 2 more). Rescore it.",
    );
    try {
      read();
    } catch (error) {
      expect(error).toMatchObject({ table: "Score", column: "reasons", rowId: where.rowId });
    }
  });
});
