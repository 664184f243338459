// readPageConnection (src/graph/read-page-connection.ts) answers what Pothos's resolveCursorConnection
// answers for the same rows: every way of asking for a page (first, last, after, before, and their
// mixes), with rows short of the page, exactly a page, and one past it.
import { parseCursorConnectionArgs } from "@pothos/core";
import { resolveCursorConnection } from "@pothos/plugin-relay";
import { describe, expect, test } from "vitest";
import { readPageConnection } from "../../src/graph/read-page-connection.ts";

const MAX_SIZE = 100;
const toCursor = (row: { id: string }) => `cursor:${row.id}`;
const rows = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `row-${i}` }));

const ARGS: Array<Record<string, number | string | null | undefined>> = [
  {},
  { first: 3 },
  { first: 0 },
  { first: 3, after: "cursor:a" },
  { last: 3 },
  { last: 3, before: "cursor:b" },
  { before: "cursor:b" },
  { after: "cursor:a" },
  { first: 3, before: "cursor:b" },
  { last: 3, after: "cursor:a" },
  { first: 3, last: 2 },
  { first: 3, after: "cursor:a", before: "cursor:b" },
  { last: 2, after: "cursor:a", before: "cursor:b" },
  { first: null, last: null, after: null, before: null },
];

describe("readPageConnection", () => {
  for (const args of ARGS) {
    for (const count of [0, 1, 2, 3, 4, 21]) {
      test(`${JSON.stringify(args)} over ${count} row(s) reads as resolveCursorConnection`, async () => {
        const page = parseCursorConnectionArgs({ args, maxSize: MAX_SIZE });
        const read = rows(count);
        const expected = await resolveCursorConnection({ args, toCursor, maxSize: MAX_SIZE }, () => [
          ...read,
        ]);
        expect(readPageConnection(args, page, read, toCursor)).toEqual(expected);
        // The rows handed in are left as they were: a page read backwards is reversed in a copy.
        expect(read).toEqual(rows(count));
      });
    }
  }
});
