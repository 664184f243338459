// Who may see which customers: an integrator sees none unless its key has the `customers` scope (it
// syncs data in; reading the graph back is a right of its own); an account manager sees only the
// customers they own; every other role sees all of them. Lists filter in SQL with `visibleCustomers` (or `visibleRecords` for what
// belongs to a customer), aggregates narrow to `visibleOwnerId`, single objects check `canSee…`.
import { SCOPES, type Viewer } from "./api-keys.ts";

/**
 * Whether the viewer may read customers and what hangs off them (interactions, feedback, scores,
 * journeys, the timeline, live score changes). Every role but INTEGRATOR may, by its role; an
 * integrator key only with the `customers` scope, since connectors need the graph only to write it.
 */
export function canReadCustomers(viewer: Viewer): boolean {
  return viewer.role !== "INTEGRATOR" || viewer.scopes.has(SCOPES.customers);
}

/** What to tell an integrator refused the customer graph. */
export const CUSTOMERS_SCOPE_ADVICE =
  "Integrator keys read customers and what hangs off them (interactions, feedback, scores, journeys) only with the `customers` scope: ask an admin for a key created with --scope customers, or use an analyst key.";

/** The owner whose customers are all the viewer may see; null when the viewer sees every customer. */
export function visibleOwnerId(viewer: Viewer): string | null {
  return viewer.role === "ACCOUNT_MANAGER" ? viewer.principalId : null;
}

export function visibleCustomers(viewer: Viewer): { ownerId?: string } {
  const ownerId = visibleOwnerId(viewer);
  return ownerId === null ? {} : { ownerId };
}

/**
 * For lists of what belongs to a customer (alerts, interactions, feedback): the condition on their
 * customer, or none at all for viewers who see every customer (no join for nothing).
 */
export function visibleRecords(viewer: Viewer): { customer?: { ownerId: string } } {
  const ownerId = visibleOwnerId(viewer);
  return ownerId === null ? {} : { customer: { ownerId } };
}

export function canSeeCustomer(viewer: Viewer, customer: { ownerId: string | null }): boolean {
  const ownerId = visibleOwnerId(viewer);
  return ownerId === null || customer.ownerId === ownerId;
}

export function hasScope(viewer: Viewer, scope: string): boolean {
  return viewer.scopes.has(scope);
}

/**
 * For facts that belong to a customer (interactions, feedback, alerts): whether the viewer may see
 * them. Answers at once, without a promise, when it can (a viewer who sees everyone, a record that
 * carries its customer, an owner the request already knows): it runs per object, and per subscriber
 * for every live event. Looks the owner up only for account managers, and only when the record does
 * not carry it.
 */
export function canSeeRecordOf(
  viewer: Viewer,
  record: { customerId: string; customer?: { ownerId: string | null } },
  lookUpOwner: (
    customerId: string,
  ) => { ownerId: string | null } | null | Promise<{ ownerId: string | null } | null>,
): boolean | Promise<boolean> {
  if (visibleOwnerId(viewer) === null) return true;
  if (record.customer) return canSeeCustomer(viewer, record.customer);
  const owner = lookUpOwner(record.customerId);
  if (!(owner instanceof Promise)) return owner !== null && canSeeCustomer(viewer, owner);
  return owner.then((customer) => customer !== null && canSeeCustomer(viewer, customer));
}

/**
 * A string equal for two viewers exactly when every answer the graph gives them is the same: what
 * lets subscribers share one execution of a live event (server/use-shared-event-execution.ts). It
 * holds every field of the viewer, not only those visibility reads today (role, owner, the `pii` and
 * other scopes): resolvers read the principal and key too, and a field added to Viewer must be added
 * here (the type below refuses to compile until it is).
 */
export function visibilityKeyOf(viewer: Viewer): string {
  const parts: { [field in keyof Viewer]: string } = {
    principalId: viewer.principalId,
    principalName: viewer.principalName,
    apiKeyId: viewer.apiKeyId,
    role: viewer.role,
    scopes: [...viewer.scopes].sort().join(","),
  };
  return JSON.stringify(parts);
}
