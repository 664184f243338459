// Identities as records name customers ({ kind, namespace?, value }), and how they are normalized
// before they are stored or matched, so that the same person written two ways (" Ana@Example.COM",
// "ana@example.com") resolves to one customer. The hub's own identity input (GraphQL, connectors,
// webhooks) goes through these same rules, so a plugin and the hub never disagree on who is who.
// Each normalize function returns the normalized value or throws an Error whose message says how to fix it.
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";
import { type IdentityKind, identityKindSchema } from "./vocabulary.ts";

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

/** How each kind reads in messages, and the namespace the namespaced kinds need. */
const KIND_RULES: Record<IdentityKind, { name: string; namespace?: string }> = {
  email: { name: "An email identity" },
  phone: { name: "A phone identity" },
  shop_customer_id: { name: "A shop customer id", namespace: 'the shop, such as "acme.myshopify.com"' },
  social_handle: { name: "A social handle", namespace: 'the network, such as "x" or "instagram"' },
  external_id: { name: "An external id", namespace: 'the system of record, such as "zendesk"' },
};

const rawIdentitySchema = z.object({
  kind: identityKindSchema,
  namespace: z.string().max(200, "A namespace is at most 200 characters.").optional(),
  value: z.string().max(320, "An identity value is at most 320 characters."),
});

/** An identity as it is written: `{ kind: "email", value: "Ana@Example.com" }`. */
export type IdentityInput = z.input<typeof rawIdentitySchema>;
/** An identity after normalization (trimmed, lower-cased email, E.164 phone, …): what the hub matches on. */
export interface Identity {
  kind: IdentityKind;
  /** Empty for email and phone; the shop, network or system for the others. */
  namespace: string;
  value: string;
}

/**
 * One identity, normalized on parsing: emails trimmed and lower-cased, phones in E.164, social
 * handles without the @ and lower-cased with a lower-cased network as namespace, shop and external
 * ids trimmed (ids can be case-sensitive) with a required namespace.
 */
export const identitySchema = rawIdentitySchema.transform((input, ctx): Identity => {
  const rules = KIND_RULES[input.kind];
  const namespace = (input.namespace ?? "").trim();
  if (rules.namespace !== undefined && namespace === "") {
    ctx.addIssue({
      code: "custom",
      path: ["namespace"],
      message: `${rules.name} needs a namespace naming ${rules.namespace}.`,
    });
    return z.NEVER;
  }
  if (rules.namespace === undefined && namespace !== "") {
    ctx.addIssue({
      code: "custom",
      path: ["namespace"],
      message: `${rules.name} is global: leave its namespace empty.`,
    });
    return z.NEVER;
  }
  try {
    return { kind: input.kind, ...normalizeValue(input.kind, namespace, input.value) };
  } catch (error) {
    // The normalizers throw plain Errors whose messages say how to fix the value.
    ctx.addIssue({ code: "custom", path: ["value"], message: (error as Error).message });
    return z.NEVER;
  }
});

/** 1 to 20 identities naming one customer, as every customer reference takes them. */
export const identitiesSchema = z
  .array(identitySchema)
  .min(1, "Give at least one identity (an email, a phone, a shop customer id, …).")
  .max(20, "Give at most 20 identities in one call.");

function normalizeValue(kind: IdentityKind, namespace: string, value: string) {
  switch (kind) {
    case "email":
      return { namespace: "", value: normalizeEmail(value) };
    case "phone":
      return { namespace: "", value: normalizePhone(value) };
    case "social_handle":
      return { namespace: namespace.toLowerCase(), value: normalizeSocialHandle(value) };
    case "shop_customer_id":
    case "external_id": {
      const id = value.trim();
      if (id === "") throw new Error(`${KIND_RULES[kind].name} needs a non-empty value.`);
      return { namespace, value: id };
    }
  }
}
