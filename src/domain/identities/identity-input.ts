// The input shape of an identity reference ({ kind, namespace?, value }) and its normalization, so
// that every entry point (GraphQL, connectors, webhooks) stores and matches identities the same way.
import { z } from "zod";
import { IdentityKind } from "../../generated/prisma/enums.ts";
import { normalizeEmail, normalizePhone, normalizeSocialHandle } from "./normalize.ts";

/** Kinds whose values are unique only within a namespace (a shop, a social network, a system). */
const NAMESPACED_KINDS = new Set<IdentityKind>(["SHOP_CUSTOMER_ID", "SOCIAL_HANDLE", "EXTERNAL_ID"]);

const NAMESPACE_EXAMPLES: Record<string, string> = {
  SHOP_CUSTOMER_ID: 'the shop, such as "acme.myshopify.com"',
  SOCIAL_HANDLE: 'the network, such as "x" or "instagram"',
  EXTERNAL_ID: 'the system of record, such as "zendesk"',
};

/**
 * An identity as callers write it; parsing normalizes it: emails trimmed and lower-cased, phones in
 * E.164, social handles without the @ and lower-cased with a lower-cased network as namespace, shop
 * and external ids trimmed (ids can be case-sensitive) with a required namespace.
 */
export const identityInputSchema = z
  .object({
    kind: z.enum(IdentityKind),
    namespace: z.string().max(200, "A namespace is at most 200 characters.").optional(),
    value: z.string().max(320, "An identity value is at most 320 characters."),
  })
  .transform((input, ctx) => {
    const namespace = (input.namespace ?? "").trim();
    if (NAMESPACED_KINDS.has(input.kind)) {
      if (namespace === "") {
        ctx.addIssue({
          code: "custom",
          path: ["namespace"],
          message: `A ${input.kind} identity needs a namespace naming ${NAMESPACE_EXAMPLES[input.kind]}.`,
        });
        return z.NEVER;
      }
    } else if (namespace !== "") {
      ctx.addIssue({
        code: "custom",
        path: ["namespace"],
        message: `A ${input.kind} identity is global: leave its namespace empty.`,
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

/** An identity reference as callers send it. */
export type IdentityInput = z.input<typeof identityInputSchema>;
/** An identity reference after normalization: what is stored and matched. */
export type NormalizedIdentity = z.output<typeof identityInputSchema>;

/** 1 to 20 identities, as every customer reference takes them. */
export const identityListSchema = z
  .array(identityInputSchema)
  .min(1, "Give at least one identity (an email, a phone, a shop customer id, …).")
  .max(20, "Give at most 20 identities in one call.");

function normalizeValue(kind: IdentityKind, namespace: string, value: string) {
  switch (kind) {
    case "EMAIL":
      return { namespace: "", value: normalizeEmail(value) };
    case "PHONE":
      return { namespace: "", value: normalizePhone(value) };
    case "SOCIAL_HANDLE":
      return { namespace: namespace.toLowerCase(), value: normalizeSocialHandle(value) };
    case "SHOP_CUSTOMER_ID":
    case "EXTERNAL_ID": {
      const id = value.trim();
      if (id === "") throw new Error(`A ${kind} identity needs a non-empty value.`);
      return { namespace, value: id };
    }
  }
}

/** A stable key for one identity, to compare and de-duplicate them. */
export function identityKey(identity: NormalizedIdentity): string {
  return `${identity.kind}\u0000${identity.namespace}\u0000${identity.value}`;
}

/** How an identity reads in messages and merge reasons: `EMAIL ana@example.com`, `SOCIAL_HANDLE x:ana`. */
export function describeIdentity(identity: NormalizedIdentity): string {
  return `${identity.kind} ${identity.namespace ? `${identity.namespace}:` : ""}${identity.value}`;
}

/** How a record names its customer: by id (merged ids follow their survivor) or by identities. */
export const customerReferenceSchema = z
  .object({
    id: z.uuid("customer.id must be a customer id (a UUID).").optional(),
    identities: identityListSchema.optional(),
  })
  .refine((reference) => (reference.id === undefined) !== (reference.identities === undefined), {
    message: "Name the customer by id or by identities (one of the two).",
  });
export type CustomerReference = z.input<typeof customerReferenceSchema>;
