// Mutations that record facts: interactions and survey answers, idempotent on (source, externalId),
// each a batch of one through the write pipeline the connectors use (src/pipeline).

import { canSeeCustomer } from "../../auth/visibility.ts";
import { findLiveCustomer } from "../../domain/customers/find-customer.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "../../domain/errors.ts";
import type { CustomerReference } from "../../domain/identities/identity-input.ts";
import type { Feedback, Interaction } from "../../generated/prisma/client.ts";
import { type Actor, writeFeedback, writeInteraction } from "../../pipeline/write-records.ts";
import { builder } from "../builder.ts";
import { type GraphContext, writesOf } from "../context.ts";
import { expectGlobalId } from "../global-ids.ts";
import { bounded } from "../input-bounds.ts";
import { IdentityInput } from "./customer-queries.ts";
import { FeedbackKindEnum, FeedbackNode } from "./feedback.ts";
import { ChannelEnum, DirectionEnum, InteractionNode } from "./interaction.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";

export const RecordOutcome = builder.enumType("RecordOutcome", {
  description: "What recording a fact did. Sending the same fact again is safe.",
  values: {
    CREATED: { description: "It was new and is now stored." },
    UNCHANGED: { description: "It was already stored exactly so; nothing changed." },
    UPDATED: { description: "It was stored with other details (the source corrected it); it now has these." },
    STALE: {
      description:
        "Its sourceUpdatedAt is older than that of the version stored from the same source: it was skipped, and nothing changed.",
    },
  },
});

const CustomerReferenceInput = builder.inputType("CustomerReferenceInput", {
  description:
    "Which customer a fact belongs to: their ID, or identities (an unknown identity creates the customer).",
  fields: (t) => ({
    id: t.globalID({ description: "The customer's global ID." }),
    identities: t.field({ type: [IdentityInput], description: "Identities that name the customer." }),
  }),
});

const MoneyInput = builder.inputType("MoneyInput", {
  description: "An exact amount of money.",
  fields: (t) => ({
    amount: t.field({
      type: "Decimal",
      required: true,
      description: 'The amount as a decimal string ("19.99").',
    }),
    currency: t.string({ required: true, description: "The ISO 4217 currency code (EUR)." }),
  }),
});

/** The description of every input's sourceUpdatedAt: the version that protects against replays. */
export const SOURCE_UPDATED_AT =
  "When this version last changed at its source (the provider's updated_at). A copy older than the version already stored from the same source is skipped (outcome STALE), so a late or replayed delivery never rolls newer data back. Leave it out and the latest write wins.";

function customerReference(input: typeof CustomerReferenceInput.$inferInput): CustomerReference {
  // Either names the customer; both could name two, and one of them would be silently ignored.
  if (input.id && input.identities?.length) {
    throw new ValidationError("Give the customer's id or their identities, not both.", [
      { path: ["input", "customer"], message: "give id or identities, not both" },
    ]);
  }
  if (input.id) return { id: expectGlobalId(input.id, "Customer", ["input", "customer", "id"]) };
  return {
    identities: (input.identities ?? []).map((identity) => ({
      ...identity,
      namespace: identity.namespace ?? undefined,
    })),
  } as CustomerReference;
}

const RecordInteractionInput = builder.inputType("RecordInteractionInput", {
  description: "A touchpoint to record. Idempotent on (source, externalId).",
  fields: (t) => ({
    customer: t.field({
      type: CustomerReferenceInput,
      required: true,
      description: "Whose touchpoint it is.",
    }),
    source: t.string({ required: true, description: "Who reports it (a connector or client name)." }),
    externalId: t.string({
      required: true,
      description: "Its id at the source.",
      ...bounded({ maxLength: 500 }),
    }),
    channel: t.field({ type: ChannelEnum, required: true, description: "The channel it happened on." }),
    kind: t.string({ required: true, description: 'What happened, dotted and lower-case: "order.placed".' }),
    direction: t.field({ type: DirectionEnum, required: true, description: "Who started it." }),
    occurredAt: t.field({ type: "DateTime", required: true, description: "When it happened." }),
    summary: t.string({ description: "A one-line summary." }),
    body: t.string({
      description: "The full text, if something was said: at most 200,000 characters.",
      ...bounded({ maxLength: 200_000 }),
    }),
    amount: t.field({ type: MoneyInput, description: "The money that moved, if any." }),
    sentiment: t.float({
      description:
        "The sentiment of what was said, -1 to 1, on the hub's scale. Leave it out of an INBOUND interaction with a body and the hub scores the body: s / sqrt(s^2 + 15) of its AFINN-165 word valences summed.",
    }),
    conversationId: t.string({
      description: "Groups the messages of one conversation.",
      ...bounded({ maxLength: 500 }),
    }),
    metadata: t.field({
      type: "JSONObject",
      description: "Provider details worth keeping: at most 64 KiB as JSON, nested at most 16 levels.",
      ...bounded({ maxBytes: 64 * 1024 }),
    }),
    sourceUpdatedAt: t.field({
      type: "DateTime",
      description: SOURCE_UPDATED_AT,
    }),
  }),
});

const SubmitFeedbackInput = builder.inputType("SubmitFeedbackInput", {
  description: "A survey answer to record. Idempotent on (source, externalId).",
  fields: (t) => ({
    customer: t.field({ type: CustomerReferenceInput, required: true, description: "Who answered." }),
    source: t.string({ required: true, description: "Who reports it (a survey tool or client name)." }),
    externalId: t.string({
      required: true,
      description: "Its id at the source.",
      ...bounded({ maxLength: 500 }),
    }),
    measure: t.field({
      type: FeedbackKindEnum,
      description:
        "Which measure was asked: NPS, CSAT, CES or GOOD_BAD. Required (or the deprecated `kind`).",
    }),
    kind: t.field({
      type: FeedbackKindEnum,
      description: "Which measure was asked. Use `measure`.",
      deprecationReason: "Use `measure`, the name the answer has on `Feedback`.",
    }),
    score: t.int({
      required: true,
      description: "The answer: NPS 0–10, CSAT 1–5, CES 1–7, GOOD_BAD 1 (good) or 0 (bad).",
    }),
    comment: t.string({
      description: "What the customer wrote beside the score: at most 10,000 characters.",
      ...bounded({ maxLength: 10_000 }),
    }),
    answeredOn: t.field({ type: ChannelEnum, description: "The channel the survey was answered on." }),
    channel: t.field({
      type: ChannelEnum,
      description: "The channel the survey was answered on. Use `answeredOn`.",
      deprecationReason: "Use `answeredOn`, the name it has on `Feedback`.",
    }),
    touchpoint: t.string({ description: 'What the answer is about: "checkout".' }),
    respondedAt: t.field({ type: "DateTime", required: true, description: "When the customer answered." }),
    sourceUpdatedAt: t.field({
      type: "DateTime",
      description: SOURCE_UPDATED_AT,
    }),
  }),
});

const RecordInteractionPayload = builder
  .objectRef<{ interaction: Interaction; outcome: string }>("RecordInteractionPayload")
  .implement({
    description: "The interaction as stored, and what recording it did.",
    fields: (t) => ({
      // The stored row without its customer: the type's visibility check looks the owner up when needed.
      interaction: t.field({
        type: InteractionNode,
        description: "The interaction.",
        resolve: (p) => p.interaction as never,
      }),
      outcome: t.field({
        type: RecordOutcome,
        description: "Created, unchanged, updated, or skipped as stale.",
        resolve: (p) => p.outcome.toUpperCase() as "CREATED",
      }),
    }),
  });

const SubmitFeedbackPayload = builder
  .objectRef<{ feedback: Feedback; outcome: string }>("SubmitFeedbackPayload")
  .implement({
    description: "The answer as stored, and what recording it did.",
    fields: (t) => ({
      feedback: t.field({
        type: FeedbackNode,
        description: "The answer.",
        resolve: (p) => p.feedback as never,
      }),
      outcome: t.field({
        type: RecordOutcome,
        description: "Created, unchanged, updated, or skipped as stale.",
        resolve: (p) => p.outcome.toUpperCase() as "CREATED",
      }),
    }),
  });

const INGEST_ROLES = { $any: { admin: true, integrator: true, accountManager: true } };

/**
 * Account managers record facts about the customers they own (a call, an answer taken by phone),
 * named by ID: naming one by identities may create or merge customers, which is a connector's or an
 * admin's work. Admins and integrators write for any customer.
 */
async function customerFor(
  context: GraphContext,
  input: typeof CustomerReferenceInput.$inferInput,
): Promise<CustomerReference> {
  const reference = customerReference(input);
  if (context.viewer.role !== "ACCOUNT_MANAGER") return reference;
  const id = reference.id;
  if (id === undefined) {
    throw new ForbiddenError(
      "Account managers name the customer by `customer.id` (one they own): identities may create or merge customers, which needs an admin or integrator key.",
    );
  }
  const customer = await findLiveCustomer(context.prisma, id);
  if (!customer) throw new NotFoundError(`No customer has the id ${id}; check the id.`, "Customer", id);
  if (!canSeeCustomer(context.viewer, customer)) {
    throw new ForbiddenError(
      "You may record facts only for the customers you own: ask an admin to reassign this one.",
    );
  }
  return reference;
}

builder.mutationFields((t) => ({
  recordInteraction: t.field({
    type: RecordInteractionPayload,
    authScopes: INGEST_ROLES,
    errors: { types: MUTATION_ERRORS },
    description:
      "Records a touchpoint for a customer (creating or merging customers by identity as needed), moves them along journeys and rescores them: the customer's scores are current when this returns. Sending it again is safe. Admins and integrators write for any customer; account managers for a customer they own, named by ID.",
    args: { input: t.arg({ type: RecordInteractionInput, required: true, description: "The touchpoint." }) },
    resolve: async (_parent, { input }, context) =>
      writeInteraction(
        context.prisma,
        writesOf(context),
        {
          ...withoutNulls(input),
          customer: await customerFor(context, input.customer),
          amount: input.amount ?? undefined,
          metadata: (input.metadata ?? undefined) as Record<string, never> | undefined,
        },
        actorOf(context),
      ),
  }),
  submitFeedback: t.field({
    type: SubmitFeedbackPayload,
    authScopes: INGEST_ROLES,
    errors: { types: MUTATION_ERRORS },
    description:
      "Records a survey answer and rescores the customer: their scores are current when this returns. Sending it again is safe. Admins and integrators write for any customer; account managers for a customer they own, named by ID.",
    args: { input: t.arg({ type: SubmitFeedbackInput, required: true, description: "The answer." }) },
    resolve: async (_parent, { input }, context) => {
      const { measure, kind, answeredOn, channel, ...answer } = input;
      const asked = eitherName("measure", measure, "kind", kind);
      if (asked === null) {
        throw new ValidationError(
          "The feedback is invalid at measure: say which was asked (NPS, CSAT, CES or GOOD_BAD).",
          [{ path: ["input", "measure"], message: "required" }],
        );
      }
      return writeFeedback(
        context.prisma,
        writesOf(context),
        {
          ...withoutNulls(answer),
          kind: asked,
          ...withoutNulls({ channel: eitherName("answeredOn", answeredOn, "channel", channel) }),
          customer: await customerFor(context, input.customer),
        },
        actorOf(context),
      );
    },
  }),
}));

/** A value given under its name or its deprecated one, null when neither: never two that disagree. */
function eitherName<T>(
  name: string,
  value: T | null | undefined,
  old: string,
  oldValue: T | null | undefined,
): T | null {
  if (value != null && oldValue != null && value !== oldValue) {
    throw new ValidationError(`${name} and ${old} disagree: give ${name} only.`, [
      { path: ["input", name], message: `disagrees with ${old}` },
    ]);
  }
  return value ?? oldValue ?? null;
}

/** Who writes: an account manager's correction may not move a fact from another customer. */
function actorOf(context: GraphContext): Actor {
  return {
    principalId: context.viewer.principalId,
    mayMoveFacts: context.viewer.role !== "ACCOUNT_MANAGER",
  };
}

/** GraphQL gives null for omitted optional fields; the domain schemas expect them absent. */
function withoutNulls<T extends Record<string, unknown>>(input: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null)) as never;
}
