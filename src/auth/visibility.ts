// Who may see which customers: an account manager sees only the customers they own; every other
// role sees all of them. Lists filter in SQL with `visibleCustomers`; single objects check `canSee`.
import type { Viewer } from "./api-keys.ts";

export function visibleCustomers(viewer: Viewer): { ownerId?: string } {
  return viewer.role === "ACCOUNT_MANAGER" ? { ownerId: viewer.principalId } : {};
}

export function canSeeCustomer(viewer: Viewer, customer: { ownerId: string | null }): boolean {
  return viewer.role !== "ACCOUNT_MANAGER" || customer.ownerId === viewer.principalId;
}

export function hasScope(viewer: Viewer, scope: string): boolean {
  return viewer.scopes.has(scope);
}
