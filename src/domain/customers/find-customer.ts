// Looking customers up the way callers name them: by an id that may have been merged away since, or
// by one of their identities. Both answer with the live (unmerged) customer.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { directSql } from "../../db/direct-sql.ts";
import { PREPARED_FOR_ONE_ROW } from "../../db/prepared-statements.ts";
import type { Customer } from "../../generated/prisma/client.ts";
import { parseInput } from "../errors.ts";
import { type IdentityInput, identityInputSchema } from "../identities/identity-input.ts";

/** More hops than a merge ever leaves (merges re-point, so there is at most one); guards against cycles. */
const MAX_MERGE_HOPS = 8;

const customerId = z.uuid();

/** Whether `id` can be a customer's id at all (a string that is not a UUID names no customer). */
export const canBeCustomerId = (id: string): boolean => customerId.safeParse(id).success;

/**
 * The customer with this id, or the survivor it was merged into; null when no customer has the id
 * (a string that is not a UUID names no customer either).
 */
export async function findLiveCustomer(db: Db, id: string): Promise<Customer | null> {
  if (!customerId.safeParse(id).success) return null;
  let current = await db.customer.findUnique({ where: { id } });
  for (let hop = 0; current?.mergedIntoId; hop++) {
    if (hop === MAX_MERGE_HOPS) {
      throw new Error(
        `Customer ${id} is merged through more than ${MAX_MERGE_HOPS} customers (a cycle?): repair its mergedIntoId chain.`,
      );
    }
    current = await db.customer.findUnique({ where: { id: current.mergedIntoId } });
  }
  return current;
}

/**
 * The live customer's id for each of these ids (ids that name no customer are left out), in one
 * statement through the driver for the usual case of at most one merge hop (merges re-point); a
 * longer chain is followed by findLiveCustomer. For the write pipeline, which needs only the ids.
 */
export async function findLiveCustomerIds(db: Db, ids: string[]): Promise<Map<string, string>> {
  const valid = [...new Set(ids)].filter((id) => customerId.safeParse(id).success);
  const live = new Map<string, string>();
  if (valid.length === 0) return live;
  const rows = await directSql(db).query<{ id: string; survivor: string; further: boolean }>(
    `${PREPARED_FOR_ONE_ROW}
     SELECT c."id"::text AS id, coalesce(m."id", c."id")::text AS survivor,
            (c."mergedIntoId" IS NOT NULL AND (m."id" IS NULL OR m."mergedIntoId" IS NOT NULL)) AS further
       FROM "Customer" c LEFT JOIN "Customer" m ON m."id" = c."mergedIntoId"
      WHERE c."id" = ANY($1::uuid[])`,
    [valid],
  );
  for (const row of rows) {
    if (!row.further) live.set(row.id, row.survivor);
    else {
      const customer = await findLiveCustomer(db, row.id);
      if (customer) live.set(row.id, customer.id);
    }
  }
  return live;
}

/**
 * Locks the customer with this id (FOR UPDATE) when it is live, in one statement; false, with no lock
 * taken, when no live customer has the id (unknown, not a UUID, or merged away: the caller resolves it
 * the long way). For a write naming its one customer by id, which this resolves and locks at once.
 */
export async function lockLiveCustomerById(db: Db, id: string): Promise<boolean> {
  if (!canBeCustomerId(id)) return false;
  const rows = await directSql(db).query<{ id: string }>(
    `${PREPARED_FOR_ONE_ROW}
     SELECT "id"::text AS id FROM "Customer" WHERE "id" = ANY($1::uuid[]) AND "mergedIntoId" IS NULL
        FOR UPDATE`,
    [[id]],
  );
  return rows.length === 1;
}

/** The live customer that owns this identity (normalized first), or null when nobody does. */
export async function findCustomerByIdentity(db: Db, identity: IdentityInput): Promise<Customer | null> {
  const { kind, namespace, value } = parseInput(identityInputSchema, identity, "The identity");
  const found = await db.identity.findUnique({
    where: { kind_namespace_value: { kind, namespace, value } },
    select: { customerId: true },
  });
  return found ? findLiveCustomer(db, found.customerId) : null;
}
