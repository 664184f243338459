// The field rules of the records a connector yields, one schema per field. The hub's domain inputs
// (recordInteraction, submitFeedback, upsertCustomer) are built from these same schemas, so a record
// that passes the SDK's validation is an input the hub accepts, and the two cannot drift apart.
import { z } from "zod";
import { moneySchema } from "./money.ts";
import { sentimentSchema } from "./sentiment.ts";
import { instantSchema } from "./vocabulary.ts";

const metadataSchema = z.record(z.string(), z.json(), "Metadata must be a JSON object.");

/**
 * The provider's own version of a record: the time it last changed there, as the provider writes it
 * (Shopify's `updated_at`, Gmail's `internalDate`, a comment's time). With it, the hub never stores an
 * older version over a newer one: a replayed webhook or a slow sync page that carries an older version
 * than the stored one is skipped (counted as skipped-stale), whichever path brings it. Leave it out
 * when the provider documents no such field; the record is then stored as the latest word.
 */
export const sourceUpdatedAtSchema = instantSchema.optional();

/** The fields of an interaction that mean the same to a plugin and to the hub. */
export const interactionFields = {
  /** Its id at the source; with the source, what makes a repeat recognizable. */
  externalId: z.string().trim().min(1, "Give the interaction's id at its source.").max(500),
  kind: z
    .string()
    .regex(
      /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/,
      'A kind is a dotted lower-case name of what happened, such as "order.placed" or "email.received".',
    )
    .max(100),
  occurredAt: instantSchema,
  summary: z.string().max(1000).optional(),
  body: z.string().max(200_000).optional(),
  amount: moneySchema.optional(),
  sentiment: sentimentSchema.optional(),
  conversationId: z.string().trim().min(1).max(500).optional(),
  metadata: metadataSchema.optional(),
  sourceUpdatedAt: sourceUpdatedAtSchema,
};

/** The fields of a survey answer that mean the same to a plugin and to the hub. */
export const feedbackFields = {
  externalId: z.string().trim().min(1, "Give the answer's id at its source.").max(500),
  score: z.number().int("A score is a whole number."),
  comment: z.string().max(10_000).optional(),
  /** What the answer is about: `checkout`, `support.ticket.closed`, … */
  touchpoint: z.string().trim().min(1).max(200).optional(),
  sentiment: sentimentSchema.optional(),
  respondedAt: instantSchema,
  sourceUpdatedAt: sourceUpdatedAtSchema,
};

/** The profile fields of a customer that mean the same to a plugin and to the hub. */
export const customerFields = {
  displayName: z
    .string()
    .trim()
    .min(1, "A display name cannot be empty; leave it out instead.")
    .max(200)
    .optional(),
  /** Shallow-merged into the customer's traits: the keys given replace those keys, others stay. */
  traits: z.record(z.string(), z.json(), 'Traits must be a JSON object ({ "plan": "pro" }).').optional(),
  sourceUpdatedAt: sourceUpdatedAtSchema,
};
