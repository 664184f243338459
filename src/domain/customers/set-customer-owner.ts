// Assigning a customer to the account manager who owns it (or to nobody), so that their alerts and
// book of business follow.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import type { Customer } from "../../generated/prisma/client.ts";
import { ConflictError, NotFoundError, parseInput } from "../errors.ts";
import { findLiveCustomer } from "./find-customer.ts";

export const setCustomerOwnerInputSchema = z.object({
  customerId: z.uuid("customerId must be a customer id (a UUID)."),
  ownerId: z.uuid("ownerId must be a principal id (a UUID), or null for no owner.").nullable(),
});
export type SetCustomerOwnerInput = z.input<typeof setCustomerOwnerInputSchema>;

/**
 * Sets (or, with null, clears) a customer's owner. An id merged away since names its survivor, whose
 * owner is the one that counts.
 */
export async function setCustomerOwner(db: Db, input: SetCustomerOwnerInput): Promise<Customer> {
  const { customerId, ownerId } = parseInput(setCustomerOwnerInputSchema, input, "The owner change");
  if (
    ownerId !== null &&
    !(await db.principal.findUnique({ where: { id: ownerId }, select: { id: true } }))
  ) {
    throw new NotFoundError(
      `No principal has the id ${ownerId}: give the id of an existing account manager, or null for no owner.`,
      "Principal",
      ownerId,
    );
  }
  // A merge can land between finding the live customer and updating it; the update only applies to a
  // still-live row, and otherwise we follow the merge again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const customer = await findLiveCustomer(db, customerId);
    if (!customer) {
      throw new NotFoundError(`No customer has the id ${customerId}: check the id.`, "Customer", customerId);
    }
    const { count } = await db.customer.updateMany({
      where: { id: customer.id, mergedIntoId: null },
      data: { ownerId },
    });
    if (count === 1) return db.customer.findUniqueOrThrow({ where: { id: customer.id } });
  }
  throw new ConflictError(
    `Customer ${customerId} kept being merged while its owner was set: retry the call.`,
  );
}
