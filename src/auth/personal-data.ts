// Personal data and the `pii` scope: which identities are personal (emails and phones) and what a
// caller without the scope may do with them. They see them masked (mask.ts) and cannot search by
// them: a search that matches would confirm a hidden address one guess at a time.
import { IdentityKind } from "../generated/prisma/enums.ts";
import { SCOPES, type Viewer } from "./api-keys.ts";

/** Identity kinds that are personal data: shown masked, and searched, only with the `pii` scope. */
export const PERSONAL_IDENTITY_KINDS: readonly IdentityKind[] = ["EMAIL", "PHONE"];

/** Whether the caller may read personal data unmasked (its key has the `pii` scope). */
export function canReadPersonalData(viewer: Viewer): boolean {
  return viewer.scopes.has(SCOPES.pii);
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
