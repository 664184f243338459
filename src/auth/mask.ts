// How personal data looks to a caller without the `pii` scope: recognisable enough to tell records
// apart ("a•••@example.com", "+1••••••0123"), not enough to contact the person. Identities, free text
// and traits each have their rule here; the detector for free text is the SDK's, shared with logs.
import { maskEmail, maskPersonalDataInText, maskPhone, maskWholeValue } from "../sdk/mask-personal-data.ts";

export { maskEmail, maskPersonalDataInText, maskPhone, maskWholeValue };

/** Free text (a summary, a touchpoint, a name, a note) with the emails and phones in it masked. */
export function maskFreeText(text: string): string;
export function maskFreeText(text: string | null): string | null;
export function maskFreeText(text: string | null): string | null {
  return text === null ? null : maskPersonalDataInText(text);
}

// Traits are free-form, so masking goes by what a trait is called and by what its value holds:
// - a trait whose name says it is about the person (personalEmail, homePhone, ssn, address,
//   birthDate, lastName, …) has every value under it masked whole, strings and numbers alike;
// - any other string has the emails and phones in it masked, wherever they are written.
// Not every value: plan, company, locale or a shop's customer id are what analysts segment and
// report on, and masking them would push every analyst key to the `pii` scope, defeating the point.

/** Words that name personal data wherever they appear in a trait name (homePhone, e_mail_2). */
const PERSONAL_WORDS = new Set([
  "email",
  "mail",
  "phone",
  "mobile",
  "cell",
  "tel",
  "telephone",
  "fax",
  "whatsapp",
  "ssn",
  "sin",
  "nino",
  "passport",
  "license",
  "licence",
  "national",
  "address",
  "street",
  "zip",
  "zipcode",
  "postcode",
  "postal",
  "birth",
  "birthday",
  "birthdate",
  "dob",
  "age",
  "iban",
  "bic",
  "card",
  "ip",
  "surname",
  "firstname",
  "lastname",
  "fullname",
  "password",
  "location",
  "geo",
  "latitude",
  "longitude",
]);
/** Words that make "name" a person's name (firstName, legal_name); companyName and planName are not. */
const PERSON_NAME_QUALIFIERS = new Set([
  "first",
  "last",
  "full",
  "given",
  "family",
  "middle",
  "maiden",
  "legal",
]);
/** Names written without word breaks ("homephone", "personalemail") still hold these. */
const PERSONAL_SUBSTRINGS = [
  "email",
  "phone",
  "address",
  "birth",
  "passport",
  "surname",
  "postcode",
  "zipcode",
];

/** Whether a trait's name says that its value is about the person. */
export function isPersonalTraitName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.length === 1 && words[0] === "name") return true;
  if (words.some((word) => PERSONAL_WORDS.has(word))) return true;
  if (words.includes("name") && words.some((word) => PERSON_NAME_QUALIFIERS.has(word))) return true;
  const joined = words.join("");
  return PERSONAL_SUBSTRINGS.some((part) => joined.includes(part));
}

/** One trait value as a caller without `pii` sees it; `personal` when a name above it said so. */
export function maskTraitValue(name: string, value: unknown, personal = false): unknown {
  const whole = personal || isPersonalTraitName(name);
  if (typeof value === "string") return whole ? maskWholeValue(value) : maskPersonalDataInText(value);
  if (typeof value === "number" || typeof value === "bigint")
    return whole ? maskWholeValue(String(value)) : value;
  if (Array.isArray(value)) return value.map((item) => maskTraitValue(name, item, whole));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([inner, item]) => [inner, maskTraitValue(inner, item, whole)]),
    );
  }
  // Booleans and null say nothing that identifies anyone (emailOptIn: true).
  return value;
}

/** A customer's traits with their personal values masked (see the rule above). */
export function maskTraits(traits: unknown): unknown {
  if (traits === null || typeof traits !== "object" || Array.isArray(traits)) return traits;
  return Object.fromEntries(
    Object.entries(traits).map(([name, value]) => [name, maskTraitValue(name, value)]),
  );
}
