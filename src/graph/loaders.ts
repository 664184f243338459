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
