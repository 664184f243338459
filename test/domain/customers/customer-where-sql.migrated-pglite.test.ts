// The list's conditions sent straight to the driver (customer-where-sql.ts) on an embedded database
// migrated by the process itself, as `npm start` does on a new data folder: PGlite learns how to encode
// array parameters only for the types it knew when it opened, before the migrations made the enums.
import { describe, expect, test } from "vitest";
import { fromPGlite } from "../../../src/db/embedded-database.ts";
import { applyMigrations } from "../../../src/db/migrations.ts";
import { createPGlite } from "../../../src/db/pglite-extensions.ts";
import { countCustomers } from "../../../src/domain/customers/customer-count.ts";

describe("customer conditions on a database migrated in this process", () => {
  test("filter by churn risk level and lifecycle stage", { timeout: 300_000 }, async () => {
    const db = fromPGlite(await createPGlite());
    try {
      await applyMigrations(db.adapterFactory);
      const at = new Date("2026-11-01T00:00:00Z");
      const customer = await db.prisma.customer.create({ data: { lifecycleStage: "CUSTOMER" } });
      await db.prisma.score.create({
        data: {
          customerId: customer.id,
          churnRisk: 0.8,
          churnRiskLevel: "HIGH",
          modelVersion: "test",
          computedAt: at,
        },
      });
      const live = { mergedIntoId: null };
      expect(
        await countCustomers(db.prisma, [live, { score: { churnRiskLevel: { in: ["HIGH", "CRITICAL"] } } }]),
      ).toBe(1);
      expect(await countCustomers(db.prisma, [live, { score: { churnRiskLevel: { in: ["LOW"] } } }])).toBe(0);
      expect(await countCustomers(db.prisma, [live, { lifecycleStage: { in: ["CUSTOMER"] } }])).toBe(1);
    } finally {
      await db.close();
    }
  });
});
