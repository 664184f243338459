// A validation error's message is one sentence that ends once, whatever its issue's message ends with.
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { ValidationError } from "../../src/domain/errors.ts";

describe("ValidationError.fromZod", () => {
  test("ends with one full stop when the issue's message already ends a sentence", () => {
    const schema = z.object({ customerId: z.uuid("customerId must be a customer id (a UUID).") });
    const error = ValidationError.fromZod(schema.safeParse({ customerId: "x" }).error as z.ZodError);
    expect(error.message).toBe(
      "The input is invalid at customerId: customerId must be a customer id (a UUID).",
    );
  });

  test("adds the full stop when the issue's message has none", () => {
    const schema = z.object({ score: z.number().max(10, "an NPS score is 0 to 10") });
    const error = ValidationError.fromZod(schema.safeParse({ score: 11 }).error as z.ZodError, "The answer");
    expect(error.message).toBe("The answer is invalid at score: an NPS score is 0 to 10.");
  });
});
