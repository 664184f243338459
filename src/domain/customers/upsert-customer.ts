import type { Db } from "../../db/database.ts";
import { inTransaction, lockCustomers } from "../../db/transaction.ts";
import type { Customer, Prisma } from "../../generated/prisma/client.ts";
import { rescoreCustomers } from "../../scoring/rescore-customers.ts";
import { DEFAULT_SCORING_POLICY, type ScoringOptions } from "../../scoring/scoring-policy.ts";
import { parseInput } from "../errors.ts";
import { resolveCustomer } from "../identities/resolve-customer.ts";
import { type UpsertCustomerInput, upsertCustomerInputSchema } from "./customer-input.ts";

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
  // rescore: false leaves scoring a new customer to a caller that upserts a batch and rescores it once.
  { policy, rescore = true }: ScoringOptions & { rescore?: boolean } = {},
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
    if (resolved.created && rescore) {
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
