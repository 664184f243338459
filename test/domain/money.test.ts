import { describe, expect, test } from "vitest";
import { formatAmount } from "../../src/domain/money.ts";
import { Prisma } from "../../src/generated/prisma/client.ts";

describe("formatAmount", () => {
  test.for([
    ["1234.5", "EUR", "1234.50"],
    ["1200", "JPY", "1200"],
    ["1.5", "KWD", "1.500"],
    ["0.125", "USD", "0.125"],
    ["-19.9", "USD", "-19.90"],
    ["10", "XYZ", "10.00"],
  ])("writes %s %s as %s", ([amount, currency, expected]) => {
    expect(formatAmount(new Prisma.Decimal(amount as string), currency as string)).toBe(expected);
  });
});
