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

/**
 * For facts that belong to a customer (interactions, feedback): whether the viewer may see them. Uses
 * the customer's owner when the record carries it, and looks it up only for account managers when not.
 */
export async function canSeeRecordOf(
  viewer: Viewer,
  record: { customerId: string; customer?: { ownerId: string | null } },
  lookUpOwner: (customerId: string) => Promise<{ ownerId: string | null } | null>,
): Promise<boolean> {
  if (viewer.role !== "ACCOUNT_MANAGER") return true;
  const customer = record.customer ?? (await lookUpOwner(record.customerId));
  return customer !== null && canSeeCustomer(viewer, customer);
}
