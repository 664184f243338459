// The input shape of an identity reference ({ kind, namespace?, value }) and its normalization, so
// that every entry point (GraphQL, connectors, webhooks) stores and matches identities the same way.
// The rules are the SDK's (src/sdk/identities.ts), which plugins share; here they take the hub's
// upper-case kinds (the database enum) instead of the SDK's lower-case ones.
import { z } from "zod";
import { IdentityKind } from "../../generated/prisma/enums.ts";
import { identitiesSchema, identitySchema } from "../../sdk/identities.ts";
import type { IdentityKind as SdkIdentityKind } from "../../sdk/vocabulary.ts";
import type { SameSet } from "../same-set.ts";

// The SDK's identity kinds are the database enum in lower case, both ways: this fails to type-check
// when a kind is added to one and not the other.
true satisfies SameSet<Uppercase<SdkIdentityKind>, IdentityKind>;

const hubIdentitySchema = z.object({
  kind: z.enum(IdentityKind),
  namespace: z.string().optional(),
  value: z.string(),
});
type HubIdentity = z.output<typeof hubIdentitySchema>;

const toSdk = (identity: HubIdentity) => ({
  ...identity,
  kind: identity.kind.toLowerCase() as SdkIdentityKind,
});
const toHub = (identity: z.output<typeof identitySchema>) => ({
  ...identity,
  kind: identity.kind.toUpperCase() as IdentityKind,
});

/**
 * An identity as callers write it; parsing normalizes it by the SDK's rules: emails trimmed and
 * lower-cased, phones in E.164, social handles without the @ and lower-cased with a lower-cased
 * network as namespace, shop and external ids trimmed (ids can be case-sensitive) with a required
 * namespace.
 */
export const identityInputSchema = hubIdentitySchema.transform(toSdk).pipe(identitySchema).transform(toHub);

/** An identity reference as callers send it. */
export type IdentityInput = z.input<typeof identityInputSchema>;
/** An identity reference after normalization: what is stored and matched. */
export type NormalizedIdentity = z.output<typeof identityInputSchema>;

/** 1 to 20 identities, as every customer reference takes them. */
export const identityListSchema = z
  .array(hubIdentitySchema)
  .transform((list) => list.map(toSdk))
  .pipe(identitiesSchema)
  .transform((list) => list.map(toHub));

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
