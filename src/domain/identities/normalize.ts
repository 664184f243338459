// How identity values are normalized before they are stored or matched, so that the same person
// written two ways (" Ana@Example.COM", "ana@example.com") resolves to one customer.
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
