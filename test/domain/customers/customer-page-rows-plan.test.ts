// Which includes the list page's own SQL answers (customer-page-rows.ts): a shape it does not read in
// full goes to Prisma, never answered with part of its conditions dropped.
import { describe, expect, test } from "vitest";
import { pageRowsPlan } from "../../../src/domain/customers/customer-page-rows.ts";

const order = [{ occurredAt: "desc" }, { id: "desc" }] as const;

describe("the page rows' plan", () => {
  test("reads a range of occurrence times", () => {
    const from = new Date("2026-01-01T00:00:00Z");
    expect(
      pageRowsPlan({ interactions: { where: { occurredAt: { gte: from } }, orderBy: [...order], take: 5 } }),
    ).toMatchObject({ interactions: { take: 5, skip: 0, from } });
  });

  test("leaves an exact occurrence time, or any other condition, to Prisma", () => {
    const at = new Date("2026-01-01T00:00:00Z");
    expect(
      pageRowsPlan({ interactions: { where: { occurredAt: at }, orderBy: [...order], take: 5 } }),
    ).toBeNull();
    expect(
      pageRowsPlan({
        interactions: { where: { channel: { in: ["EMAIL", 3 as never] } }, orderBy: [...order], take: 5 },
      }),
    ).toBeNull();
    expect(
      pageRowsPlan({ interactions: { where: { summary: "x" }, orderBy: [...order], take: 5 } }),
    ).toBeNull();
  });
});
