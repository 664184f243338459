// Per-request batch loaders (DataLoader): lookups that many objects of one response need are made
// once, together, instead of once per object.
import DataLoader from "dataloader";
import type { PrismaClient } from "../db/database.ts";
import {
  type CustomerSearch,
  customerIdsMatching,
  customerSearchWhere,
} from "../domain/customers/search-customers.ts";
import type { Prisma } from "../generated/prisma/client.ts";

type CustomerOwner = { ownerId: string | null };

export function createLoaders(prisma: PrismaClient) {
  /** The owner of each customer, for the visibility check of facts that belong to a customer. */
  const customerOwner = new DataLoader<string, CustomerOwner | null>(async (ids) => {
    const rows = await prisma.customer.findMany({
      where: { id: { in: [...ids] } },
      select: { id: true, ownerId: true },
    });
    const byId = new Map(rows.map((row) => [row.id, { ownerId: row.ownerId }]));
    return ids.map((id) => byId.get(id) ?? null);
  });
  /** The owners of the customers this request has read already (knowCustomerOwners). */
  const knownOwners = new Map<string, CustomerOwner>();
  return {
    knownOwners,
    /**
     * The owner of customer `id`: at once when this request has read the customer, else looked up.
     * An answer without a promise keeps a touchpoint's visibility check (its type's authScopes, run
     * for each of its fields) off scope-auth's asynchronous path.
     */
    ownerOfCustomer: (id: string): CustomerOwner | null | Promise<CustomerOwner | null> =>
      knownOwners.get(id) ?? customerOwner.load(id),
    /**
     * The customers a search matches, as a condition: looked up once per request, since a list's page
     * and its totalCount both ask for it.
     */
    customerSearch: new DataLoader<CustomerSearch, Prisma.CustomerWhereInput, string>(
      (searches) =>
        Promise.all(
          searches.map(async (search) => {
            const ids = await customerIdsMatching(prisma, search);
            return ids === null ? customerSearchWhere(search) : { id: { in: ids } };
          }),
        ),
      { cacheKeyFn: (search) => JSON.stringify(search) },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Tells the request's loaders the owners of customers it has read already: a page of an account
 * manager's customers then checks its interactions' and answers' visibility without asking again (it
 * cost their list page a second statement) and without a promise. Only rows read with their owner
 * column are told.
 */
export function knowCustomerOwners(loaders: Loaders, customers: readonly object[]): void {
  for (const customer of customers) {
    if ("ownerId" in customer && "id" in customer && typeof customer.id === "string") {
      loaders.knownOwners.set(customer.id, { ownerId: customer.ownerId as string | null });
    }
  }
}
