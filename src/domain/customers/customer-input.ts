// The input of upsertCustomer: a customer named by identities, and the profile fields to set. The
// profile's field rules are the SDK's (src/sdk/record-fields.ts), which connector records share.
import { z } from "zod";
import { LifecycleStage } from "../../generated/prisma/enums.ts";
import { customerFields } from "../../sdk/record-fields.ts";
import type { LifecycleStage as SdkLifecycleStage } from "../../sdk/vocabulary.ts";
import { identityListSchema } from "../identities/identity-input.ts";
import type { SameSet } from "../same-set.ts";

// The SDK's lifecycle stages are the database enum in lower case, both ways: this fails to
// type-check when a stage is added to one and not the other.
true satisfies SameSet<Uppercase<SdkLifecycleStage>, LifecycleStage>;

export const upsertCustomerInputSchema = z
  .object({
    identities: identityListSchema,
    displayName: customerFields.displayName,
    traits: customerFields.traits,
    lifecycleStage: z.enum(LifecycleStage).optional(),
    /** The connector or API client reporting this customer; recorded on the identities it adds. */
    source: z.string().trim().min(1).max(200).optional(),
    /**
     * The source's own version of this profile: with a source, an older version than the one stored
     * for that source is skipped (customer-profiles.ts).
     */
    sourceUpdatedAt: customerFields.sourceUpdatedAt,
  })
  .refine((customer) => customer.sourceUpdatedAt === undefined || customer.source !== undefined, {
    path: ["sourceUpdatedAt"],
    message: "give `source` with it: versions are kept per source, so a version without one protects nothing",
  });
export type UpsertCustomerInput = z.input<typeof upsertCustomerInputSchema>;
