// Personal data and the `pii` scope: which identities are personal (emails and phones) and what a
// caller without the scope may do with them. They see them masked (mask.ts) and cannot search by
// them: a search that matches would confirm a hidden address one guess at a time.
import { ForbiddenError } from "../domain/errors.ts";
import { IdentityKind } from "../generated/prisma/enums.ts";
import { SCOPES, type Viewer } from "./api-keys.ts";
import { maskFreeText, maskTraits, maskTraitValue } from "./mask.ts";

/** Identity kinds that are personal data: shown masked, and searched, only with the `pii` scope. */
export const PERSONAL_IDENTITY_KINDS: readonly IdentityKind[] = ["EMAIL", "PHONE"];

/** Whether the caller may read personal data unmasked (its key has the `pii` scope). */
export function canReadPersonalData(viewer: Viewer): boolean {
  return viewer.scopes.has(SCOPES.pii);
}

/**
 * Free text as the caller may read it (a summary, a touchpoint, a name, a note): whole with the `pii`
 * scope; without it, every email address and phone number in it masked.
 */
export function freeTextFor(viewer: Viewer, text: string | null): string | null {
  return canReadPersonalData(viewer) ? text : maskFreeText(text);
}

/** A customer's traits as the caller may read them: whole with the `pii` scope, masked by mask.ts's rule without. */
export function traitsFor(viewer: Viewer, traits: unknown): unknown {
  return canReadPersonalData(viewer) ? traits : maskTraits(traits);
}

/**
 * An interaction's metadata (provider details: any JSON) as the caller may read it: whole with the
 * `pii` scope; without it, by the traits' rule — values under keys that name personal data masked
 * whole, emails and phones in any other string masked.
 */
export function metadataFor(viewer: Viewer, metadata: unknown): unknown {
  return canReadPersonalData(viewer) ? metadata : maskTraitValue("", metadata);
}

/** One trait's value as the caller may read it (a merge's conflicting values). */
export function traitValueFor(viewer: Viewer, name: string, value: unknown): unknown {
  return canReadPersonalData(viewer) ? value : maskTraitValue(name, value);
}

/**
 * The identity kinds a customer search may match for this caller: every kind with the `pii` scope,
 * and without it every kind but the personal ones.
 */
export function searchableIdentityKinds(viewer: Viewer): IdentityKind[] {
  const kinds = Object.values(IdentityKind);
  return canReadPersonalData(viewer)
    ? kinds
    : kinds.filter((kind) => !PERSONAL_IDENTITY_KINDS.includes(kind));
}

/**
 * Refuses an exact lookup by an identity kind the caller may not search by. A lookup is a search that
 * names one value: answering it without the `pii` scope would confirm a hidden email or phone.
 */
export function assertMayLookUpIdentity(viewer: Viewer, kind: IdentityKind): void {
  if (searchableIdentityKinds(viewer).includes(kind)) return;
  throw new ForbiddenError(
    `Finding a customer by ${kind === "EMAIL" ? "email" : "phone"} needs the \`pii\` scope, as searching by one does: look them up by id, shop id, handle or external id, or ask an admin for a key with the pii scope.`,
  );
}
