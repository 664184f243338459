// How identity values are normalized before they are stored or matched, so that the same person
// written two ways (" Ana@Example.COM", "ana@example.com") resolves to one customer.
// Each function returns the normalized value or throws an Error whose message says how to fix it.
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";

const email = z.email();

/** Trims and lower-cases an email address; throws a message naming the bad value when it is not one. */
export function normalizeEmail(value: string): string {
  const normalized = value.trim().toLowerCase();
  if (!email.safeParse(normalized).success) {
    throw new Error(`"${value}" is not an email address (expected name@domain).`);
  }
  return normalized;
}

/** A social handle without its leading @, lower-cased: networks treat handles case-insensitively. */
export function normalizeSocialHandle(value: string): string {
  const normalized = value.trim().replace(/^@/, "").toLowerCase();
  if (!/^[a-z0-9._]{1,64}$/.test(normalized)) {
    throw new Error(`"${value}" is not a social handle (letters, digits, dots and underscores).`);
  }
  return normalized;
}

/**
 * A phone number in E.164 form (+14155550123). Only international numbers are accepted: without the
 * country code the same digits name different phones in different countries, and a wrong guess would
 * join two people into one customer.
 */
export function normalizePhone(value: string): string {
  const trimmed = value.trim();
  if (!trimmed.startsWith("+")) {
    throw new Error(
      `"${value}" is not in international format: write the phone number with a plus and its country code, such as +14155550123.`,
    );
  }
  const phone = parsePhoneNumberFromString(trimmed);
  if (!phone?.isValid()) {
    throw new Error(
      `"${value}" is not a valid phone number: check the country code and the number of digits (for example +14155550123).`,
    );
  }
  return phone.number;
}
