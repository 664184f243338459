import { describe, expect, test } from "vitest";
import { parseInput, ValidationError } from "../../../src/domain/errors.ts";
import { identityInputSchema, identityListSchema } from "../../../src/domain/identities/identity-input.ts";
import { normalizePhone } from "../../../src/sdk/identities.ts";

function normalize(input: unknown) {
  return parseInput(identityInputSchema, input, "The identity");
}

function refusal(input: unknown): ValidationError {
  try {
    normalize(input);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe("identity normalization", () => {
  test("trims and lower-cases an email", () => {
    expect(normalize({ kind: "EMAIL", value: " Ana@Example.COM" })).toEqual({
      kind: "EMAIL",
      namespace: "",
      value: "ana@example.com",
    });
  });

  test("writes a phone in E.164", () => {
    expect(normalize({ kind: "PHONE", value: "+1 (415) 555-0123" })).toEqual({
      kind: "PHONE",
      namespace: "",
      value: "+14155550123",
    });
    expect(normalizePhone("+44 20 7946 0958")).toBe("+442079460958");
  });

  test("refuses a phone without its country code, saying to write it internationally", () => {
    const error = refusal({ kind: "PHONE", value: "(415) 555-0123" });
    expect(error.issues).toEqual([
      { path: ["value"], message: expect.stringMatching(/international format/) },
    ]);
    expect(error.message).toMatch(/plus and its country code, such as \+14155550123/);
  });

  test("refuses a phone number that cannot exist", () => {
    expect(refusal({ kind: "PHONE", value: "+1 415" }).issues[0]?.message).toMatch(
      /not a valid phone number/,
    );
  });

  test("drops the @ of a social handle and lower-cases the handle and its network", () => {
    expect(normalize({ kind: "SOCIAL_HANDLE", namespace: " Instagram ", value: "@Ana.Lopez" })).toEqual({
      kind: "SOCIAL_HANDLE",
      namespace: "instagram",
      value: "ana.lopez",
    });
  });

  test("keeps the case of shop and external ids, which can be case-sensitive", () => {
    expect(
      normalize({ kind: "SHOP_CUSTOMER_ID", namespace: "acme.myshopify.com", value: " AbC-42 " }),
    ).toEqual({
      kind: "SHOP_CUSTOMER_ID",
      namespace: "acme.myshopify.com",
      value: "AbC-42",
    });
  });

  test.for(["SHOP_CUSTOMER_ID", "SOCIAL_HANDLE", "EXTERNAL_ID"])("requires a namespace for %s", (kind) => {
    const error = refusal({ kind, value: "ana" });
    expect(error.issues).toEqual([
      { path: ["namespace"], message: expect.stringMatching(/needs a namespace/) },
    ]);
  });

  test("refuses a namespace on an email, which is global", () => {
    expect(refusal({ kind: "EMAIL", namespace: "shop", value: "ana@example.com" }).issues).toEqual([
      { path: ["namespace"], message: expect.stringMatching(/leave its namespace empty/) },
    ]);
  });

  test("refuses a value that is not an email, with the path of the value", () => {
    expect(refusal({ kind: "EMAIL", value: "ana at example" }).issues[0]?.path).toEqual(["value"]);
  });

  test("refuses an unknown kind", () => {
    expect(refusal({ kind: "FAX", value: "1" }).issues[0]?.path).toEqual(["kind"]);
  });

  test("gives the index of the bad identity in a list", () => {
    const result = identityListSchema.safeParse([
      { kind: "EMAIL", value: "ana@example.com" },
      { kind: "PHONE", value: "555-0123" },
    ]);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([1, "value"]);
    expect(identityListSchema.safeParse([]).success).toBe(false);
  });
});
