// The input of upsertCustomer: a customer named by identities, and the profile fields to set. A pure
// schema, shared with the connector SDK.
import { z } from "zod";
import { LifecycleStage } from "../../generated/prisma/enums.ts";
import { identityListSchema } from "../identities/identity-input.ts";

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
