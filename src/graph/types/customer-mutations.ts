// Mutations on customer profiles: upsert by identities, merge (with a dry run), set the owner.
// Each returns its payload or a typed error (see user-errors.ts).

import { traitValueFor } from "../../auth/personal-data.ts";
import {
  type MergeMoves,
  previewMerge,
  readMergeRecord,
  type TraitConflict,
} from "../../domain/customers/merge-customers.ts";
import { setCustomerOwner } from "../../domain/customers/set-customer-owner.ts";
import type { RecordOutcome as RecordOutcomeValue } from "../../domain/interactions/record-interactions.ts";
import type { Customer } from "../../generated/prisma/client.ts";
import { writeCustomer, writeMerge } from "../../pipeline/write-records.ts";
import { builder } from "../builder.ts";
import { writesOf } from "../context.ts";
import { expectGlobalId } from "../global-ids.ts";
import { bounded } from "../input-bounds.ts";
import { CustomerNode, LifecycleStageEnum } from "./customer.ts";
import { IdentityInput } from "./customer-queries.ts";
import { RecordOutcome, SOURCE_UPDATED_AT } from "./ingest-mutations.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";

const ADMIN_OR_INTEGRATOR = { $any: { admin: true, integrator: true } };

const UpsertCustomerInput = builder.inputType("UpsertCustomerInput", {
  description:
    "A customer named by their identities. A known identity updates that customer; identities of two customers merge them.",
  fields: (t) => ({
    identities: t.field({
      type: [IdentityInput],
      required: true,
      description: "1 to 20 identities (email, phone, shop id, handle, external id).",
    }),
    displayName: t.string({ description: "The name to show." }),
    traits: t.field({
      type: "JSONObject",
      description:
        "Attributes to set; keys given replace those keys, the others stay. At most 32 KiB as JSON, nested at most 16 levels.",
      ...bounded({ maxBytes: 32 * 1024, maxDepth: 16 }),
    }),
    lifecycleStage: t.field({ type: LifecycleStageEnum, description: "Where they stand now." }),
    source: t.string({ description: "Who reports this customer (recorded on the identities it adds)." }),
    sourceUpdatedAt: t.field({
      type: "DateTime",
      description: `${SOURCE_UPDATED_AT} Versions count per source, so give \`source\` with it; a stale profile attaches no identity and merges nobody.`,
    }),
  }),
});

const UpsertCustomerPayload = builder
  .objectRef<{
    customer: Customer;
    created: boolean;
    mergedCustomerIds: string[];
    outcome: RecordOutcomeValue;
  }>("UpsertCustomerPayload")
  .implement({
    description: "The customer after the upsert.",
    fields: (t) => ({
      customer: t.field({
        type: CustomerNode,
        description: "The customer, as stored now.",
        resolve: (p) => p.customer,
      }),
      created: t.exposeBoolean("created", {
        description: "true when no identity was known and a customer was created.",
      }),
      outcome: t.field({
        type: RecordOutcome,
        description:
          "Created, unchanged, updated, or skipped as stale (an older sourceUpdatedAt than the one stored from its source).",
        resolve: (p) => p.outcome.toUpperCase() as Uppercase<RecordOutcomeValue>,
      }),
      mergedCustomerIds: t.field({
        type: ["ID"],
        description: "Global IDs of customers merged into this one because they shared an identity.",
        resolve: (p) => p.mergedCustomerIds.map((id) => Buffer.from(`Customer:${id}`).toString("base64")),
      }),
    }),
  });

const MergeCustomersInput = builder.inputType("MergeCustomersInput", {
  description: "Two customers found to be one person.",
  fields: (t) => ({
    survivorId: t.globalID({ required: true, description: "The customer that remains." }),
    mergedId: t.globalID({ required: true, description: "The customer folded into the survivor." }),
    reason: t.string({ description: "Why they are one (recorded); required unless dryRun." }),
    dryRun: t.boolean({
      defaultValue: false,
      description: "true: only preview what would move and which traits conflict; change nothing.",
    }),
  }),
});

const MergeMovesRef = builder.objectRef<MergeMoves>("MergeMoves").implement({
  description: "What a merge moves from the merged customer to the survivor.",
  fields: (t) => ({
    identities: t.exposeInt("identities", { description: "Identities that move." }),
    interactions: t.exposeInt("interactions", { description: "Interactions that move." }),
    feedback: t.exposeInt("feedback", { description: "Survey answers that move." }),
    journeyProgress: t.exposeInt("journeyProgress", {
      description:
        "Journey progress rows that move (where both are in a journey, the one further along is kept).",
    }),
    alerts: t.exposeInt("alerts", { description: "Alerts that move." }),
  }),
});

const TraitConflictRef = builder.objectRef<TraitConflict>("TraitConflict").implement({
  description: "A trait both customers have with different values; the survivor's value is kept.",
  fields: (t) => ({
    key: t.exposeString("key", { description: "The trait." }),
    survivorValue: t.field({
      type: "JSON",
      nullable: true,
      description:
        "The survivor's value (kept); masked as in Customer.traits unless your API key has the `pii` scope.",
      resolve: (c, _args, context) => traitValueFor(context.viewer, c.key, c.survivorValue),
    }),
    mergedValue: t.field({
      type: "JSON",
      nullable: true,
      description:
        "The merged customer's value (dropped); masked as in Customer.traits unless your API key has the `pii` scope.",
      resolve: (c, _args, context) => traitValueFor(context.viewer, c.key, c.mergedValue),
    }),
  }),
});

const MergeCustomersPayload = builder
  .objectRef<{ dryRun: boolean; survivor: Customer; moves: MergeMoves; traitConflicts: TraitConflict[] }>(
    "MergeCustomersPayload",
  )
  .implement({
    description: "What the merge moved (or, in a dry run, would move).",
    fields: (t) => ({
      dryRun: t.exposeBoolean("dryRun", { description: "true when nothing was changed." }),
      survivor: t.field({
        type: CustomerNode,
        description: "The surviving customer.",
        resolve: (p) => p.survivor,
      }),
      moves: t.field({
        type: MergeMovesRef,
        description: "What moves to the survivor.",
        resolve: (p) => p.moves,
      }),
      traitConflicts: t.field({
        type: [TraitConflictRef],
        description: "Traits both had with different values.",
        resolve: (p) => p.traitConflicts,
      }),
    }),
  });

const SetCustomerOwnerInput = builder.inputType("SetCustomerOwnerInput", {
  description: "Who owns a customer.",
  fields: (t) => ({
    customerId: t.globalID({ required: true, description: "The customer." }),
    ownerId: t.globalID({
      description: "The account manager (a Principal); null to leave the customer unowned.",
    }),
  }),
});

const CustomerPayload = builder.objectRef<{ customer: Customer }>("CustomerPayload").implement({
  description: "A customer after a change.",
  fields: (t) => ({
    customer: t.field({
      type: CustomerNode,
      description: "The customer, as stored now.",
      resolve: (p) => p.customer,
    }),
  }),
});

builder.mutationType({ description: "Everything you can change." });

builder.mutationFields((t) => ({
  upsertCustomer: t.field({
    type: UpsertCustomerPayload,
    authScopes: ADMIN_OR_INTEGRATOR,
    errors: { types: MUTATION_ERRORS },
    description:
      "Creates or updates the customer named by the identities, merging customers that share them.",
    args: { input: t.arg({ type: UpsertCustomerInput, required: true, description: "The customer." }) },
    resolve: (_parent, { input }, context) =>
      writeCustomer(
        context.prisma,
        writesOf(context),
        {
          identities: input.identities.map((identity) => ({
            ...identity,
            namespace: identity.namespace ?? undefined,
          })),
          displayName: input.displayName ?? undefined,
          traits: (input.traits ?? undefined) as Record<string, never> | undefined,
          lifecycleStage: input.lifecycleStage ?? undefined,
          source: input.source ?? undefined,
          sourceUpdatedAt: input.sourceUpdatedAt ?? undefined,
        },
        { principalId: context.viewer.principalId },
      ),
  }),

  mergeCustomers: t.field({
    type: MergeCustomersPayload,
    authScopes: { admin: true },
    errors: { types: MUTATION_ERRORS },
    description:
      "Folds one customer into another: the survivor keeps every identity, interaction, survey answer and journey progress; the merged ID keeps resolving to the survivor; the merge is recorded with who did it. Use dryRun to preview.",
    args: { input: t.arg({ type: MergeCustomersInput, required: true, description: "The two customers." }) },
    resolve: async (_parent, { input }, context) => {
      const survivorId = expectGlobalId(input.survivorId, "Customer", ["input", "survivorId"]);
      const mergedId = expectGlobalId(input.mergedId, "Customer", ["input", "mergedId"]);
      if (input.dryRun)
        return { dryRun: true, ...(await previewMerge(context.prisma, { survivorId, mergedId })) };
      // The merge plans inside its own transaction and records what it moved: report that record, not a
      // plan made beforehand, which a concurrent write could have made stale (and which would plan twice).
      const { value } = await writeMerge(
        context.prisma,
        writesOf(context),
        { survivorId, mergedId, reason: input.reason ?? "" },
        { principalId: context.viewer.principalId },
      );
      return { dryRun: false, survivor: value.survivor, ...readMergeRecord(value.merge) };
    },
  }),

  setCustomerOwner: t.field({
    type: CustomerPayload,
    authScopes: { admin: true },
    errors: { types: MUTATION_ERRORS },
    description: "Gives a customer to an account manager, or leaves them unowned.",
    args: {
      input: t.arg({ type: SetCustomerOwnerInput, required: true, description: "The customer and owner." }),
    },
    resolve: async (_parent, { input }, context) => ({
      customer: await setCustomerOwner(context.prisma, {
        customerId: expectGlobalId(input.customerId, "Customer", ["input", "customerId"]),
        ownerId: input.ownerId ? expectGlobalId(input.ownerId, "Principal", ["input", "ownerId"]) : null,
      }),
    }),
  }),
}));
