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

export function createLoaders(prisma: PrismaClient) {
  return {
    /** The owner of each customer, for the visibility check of facts that belong to a customer. */
    customerOwner: new DataLoader<string, { ownerId: string | null } | null>(async (ids) => {
      const rows = await prisma.customer.findMany({
        where: { id: { in: [...ids] } },
        select: { id: true, ownerId: true },
      });
      const byId = new Map(rows.map((row) => [row.id, { ownerId: row.ownerId }]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
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
 * Tells the owner loader the owners of customers this request has read already: a page of an account
 * manager's customers then checks its interactions' and answers' visibility without asking again (it
 * cost their list page a second statement). Only rows read with their owner column are told.
 */
export function knowCustomerOwners(loaders: Loaders, customers: readonly object[]): void {
  for (const customer of customers) {
    if ("ownerId" in customer && "id" in customer && typeof customer.id === "string") {
      loaders.customerOwner.prime(customer.id, { ownerId: customer.ownerId as string | null });
    }
  }
}
