// The bulk fixture writer refuses Prisma's null markers by name: written into its JSON document, a
// marker would land in a JSON column as `{}`, a value no test meant.
import { describe, expect, test } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { insertRows } from "./insert-rows.ts";

describe("insertRows", () => {
  test("refuses Prisma's null markers, naming the column", () => {
    const row = {
      customerId: "0193c5a0-0000-7000-8000-000000000001",
      source: "shop",
      externalId: "o-1",
      channel: "ECOMMERCE" as const,
      kind: "order.placed",
      direction: "INBOUND" as const,
      occurredAt: new Date("2026-01-01T00:00:00.000Z"),
    };
    // No database is reached: the row is refused before anything is sent.
    const noDatabase = undefined as never;
    for (const marker of [Prisma.JsonNull, Prisma.DbNull]) {
      expect(() => insertRows(noDatabase, "Interaction", [{ ...row, metadata: marker }])).toThrow(
        /insertRows\(Interaction\): metadata is one of Prisma's null markers/,
      );
    }
  });
});
