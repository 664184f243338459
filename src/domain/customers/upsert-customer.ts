// Creating or updating a customer named by its identities: resolution finds (or makes, or merges) the
// customer, then the given profile fields are applied. Safe to repeat, and to run concurrently.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { inTransaction, lockCustomers } from "../../db/transaction.ts";
import type { Customer, Prisma } from "../../generated/prisma/client.ts";
import { LifecycleStage } from "../../generated/prisma/enums.ts";
import { rescoreCustomers } from "../../scoring/rescore-customers.ts";
import { DEFAULT_SCORING_POLICY, type ScoringOptions } from "../../scoring/scoring-policy.ts";
import { parseInput } from "../errors.ts";
import { identityListSchema } from "../identities/identity-input.ts";
import { resolveCustomer } from "../identities/resolve-customer.ts";

export const upsertCustomerInputSchema = z.object({
  identities: identityListSchema,
  displayName: z
    .string()
    .trim()
    .min(1, "A display name cannot be empty; leave it out instead.")
    .max(200)
    .optional(),
  /** Shallow-merged into the customer's traits: the keys given replace those keys, others stay. */
  traits: z.record(z.string(), z.json(), 'Traits must be a JSON object ({ "plan": "pro" }).').optional(),
  lifecycleStage: z.enum(LifecycleStage).optional(),
  /** The connector or API client reporting this customer; recorded on the identities it adds. */
  source: z.string().trim().min(1).max(200).optional(),
});
export type UpsertCustomerInput = z.input<typeof upsertCustomerInputSchema>;

export interface UpsertCustomerResult {
  customer: Customer;
  created: boolean;
  mergedCustomerIds: string[];
}

/** Resolves the customer the identities name (creating or merging as needed) and applies the fields given. */
export async function upsertCustomer(
  db: Db,
  input: UpsertCustomerInput,
  actor?: { principalId?: string },
  { policy }: ScoringOptions = {},
): Promise<UpsertCustomerResult> {
  const { identities, displayName, traits, lifecycleStage, source } = parseInput(
    upsertCustomerInputSchema,
    input,
    "The customer",
  );
  return inTransaction(db, async (tx) => {
    const resolved = await resolveCustomer(tx, identities, { source, actorId: actor?.principalId, policy });
    // A new customer is scored from the start (on no facts: the neutral 50%), so every live customer
    // has a score and lists ordered by churn risk are total.
    if (resolved.created) {
      await rescoreCustomers(tx, {
        customerIds: [resolved.customer.id],
        policy: policy ?? DEFAULT_SCORING_POLICY,
      });
    }
    if (displayName === undefined && traits === undefined && lifecycleStage === undefined) return resolved;
    // Read-modify-write of traits under a row lock, so that concurrent upserts add their keys, not lose them.
    await lockCustomers(tx, [resolved.customer.id]);
    const current = await tx.customer.findUniqueOrThrow({ where: { id: resolved.customer.id } });
    const customer = await tx.customer.update({
      where: { id: current.id },
      data: {
        displayName,
        lifecycleStage,
        traits:
          traits === undefined
            ? undefined
            : ({ ...asObject(current.traits), ...traits } as Prisma.InputJsonObject),
      },
    });
    return { ...resolved, customer };
  });
}

function asObject(value: Prisma.JsonValue): Prisma.JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
}
