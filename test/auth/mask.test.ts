// Which traits are personal by their name, and how a customer's traits read without the pii scope.
import { describe, expect, test } from "vitest";
import { isPersonalTraitName, maskTraits } from "../../src/auth/mask.ts";

describe("masking traits", () => {
  test("names that say a trait is about the person", () => {
    for (const name of [
      "personalEmail",
      "homePhone",
      "homephone",
      "ssn",
      "SSN",
      "date_of_birth",
      "birthDate",
      "dob",
      "address",
      "shippingAddress",
      "zip",
      "firstName",
      "last_name",
      "surname",
      "name",
      "passportNumber",
      "iban",
      "ipAddress",
    ]) {
      expect(isPersonalTraitName(name), name).toBe(true);
    }
  });

  test("names of what analysts segment on are not", () => {
    for (const name of [
      "plan",
      "company",
      "companyName",
      "locale",
      "favoriteGenre",
      "cdnowCustomerId",
      "seats",
    ]) {
      expect(isPersonalTraitName(name), name).toBe(false);
    }
  });

  test("masks personal traits whole, nested values included, and emails and phones anywhere", () => {
    expect(
      maskTraits({
        plan: "pro",
        emailOptIn: true,
        ssn: 78051120,
        contact: { mobile: ["+14155550123"], note: "or zoe@example.com" },
        address: { street: "1 Main St", city: "Springfield" },
      }),
    ).toEqual({
      plan: "pro",
      emailOptIn: true,
      ssn: "7•••",
      contact: { mobile: ["+1••••••0123"], note: "or z•••@example.com" },
      address: { street: "1•••", city: "S•••" },
    });
  });
});
