// Recording a touchpoint (an email, an order, a mention, …) reported by a connector or an API client.
// Idempotent on (source, externalId): a re-sync or a repeated webhook never duplicates the fact, and a
// provider's correction of it updates the stored record.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { inTransaction } from "../../db/transaction.ts";
import { type Interaction, Prisma } from "../../generated/prisma/client.ts";
import { Channel, Direction } from "../../generated/prisma/enums.ts";
import { rescoreCustomers } from "../../scoring/rescore-customers.ts";
import { DEFAULT_SCORING_POLICY, type ScoringOptions } from "../../scoring/scoring-policy.ts";
import { jsonEqual } from "../customers/merge-customers.ts";
import { parseInput } from "../errors.ts";
import { customerReferenceSchema, resolveCustomerReference } from "../identities/resolve-customer.ts";
import { advanceJourneys } from "../journeys/advance-journeys.ts";

const currencies = new Set(Intl.supportedValuesOf("currency"));

/** A Date, or an ISO 8601 date-time with its time zone (a time without one is ambiguous). */
export const instantSchema = z
  .union([z.date(), z.iso.datetime({ offset: true })], {
    error: "Give a Date or an ISO 8601 date-time with a time zone, such as 2026-01-02T10:00:00Z.",
  })
  .transform((value) => (typeof value === "string" ? new Date(value) : value));

/** Money that moved: an exact decimal string (never a float) and its ISO 4217 currency. */
export const moneySchema = z.object({
  amount: z
    .string()
    .trim()
    .regex(
      /^-?\d{1,15}(\.\d{1,4})?$/,
      'An amount is a decimal string with at most 15 digits before the point and 4 after, such as "19.99".',
    ),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .refine((code) => currencies.has(code), "A currency is an ISO 4217 code, such as EUR or USD."),
});

export const sentimentSchema = z
  .number()
  .min(-1, "Sentiment lies between -1 (negative) and 1 (positive).")
  .max(1, "Sentiment lies between -1 (negative) and 1 (positive).");

export const recordInteractionInputSchema = z.object({
  customer: customerReferenceSchema,
  /** The connector instance or API client reporting it. */
  source: z.string().trim().min(1, "Name the source that reports this interaction.").max(200),
  /** Its id at the source; with the source, what makes a repeat recognizable. */
  externalId: z.string().trim().min(1, "Give the interaction's id at its source.").max(500),
  channel: z.enum(Channel),
  kind: z
    .string()
    .regex(
      /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/,
      'A kind is a dotted lower-case name of what happened, such as "order.placed" or "email.received".',
    )
    .max(100),
  direction: z.enum(Direction),
  occurredAt: instantSchema,
  summary: z.string().max(1000).optional(),
  body: z.string().max(200_000).optional(),
  amount: moneySchema.optional(),
  sentiment: sentimentSchema.optional(),
  conversationId: z.string().trim().min(1).max(500).optional(),
  metadata: z.record(z.string(), z.json(), "Metadata must be a JSON object.").optional(),
});
export type RecordInteractionInput = z.input<typeof recordInteractionInputSchema>;

/** created: a new fact; unchanged: a repeat, nothing written; updated: the source corrected the fact. */
export type RecordOutcome = "created" | "unchanged" | "updated";

export interface RecordInteractionResult {
  interaction: Interaction;
  customerId: string;
  outcome: RecordOutcome;
}

/**
 * Records an interaction for the customer it names (by id, following merges, or by identities,
 * resolved and created or merged as needed), keeps the customer's first and last seen times, and
 * rescores the customer in the same transaction, so scores are fresh when the call returns.
 */
export async function recordInteraction(
  db: Db,
  input: RecordInteractionInput,
  { policy = DEFAULT_SCORING_POLICY }: ScoringOptions = {},
): Promise<RecordInteractionResult> {
  const parsed = parseInput(recordInteractionInputSchema, input, "The interaction");
  const { source, externalId, occurredAt } = parsed;
  return inTransaction(db, async (tx) => {
    const customerId = await resolveCustomerReference(tx, parsed.customer, {
      source,
      seenAt: occurredAt,
      policy,
    });
    const fields = {
      customerId,
      channel: parsed.channel,
      kind: parsed.kind,
      direction: parsed.direction,
      occurredAt,
      summary: parsed.summary ?? null,
      body: parsed.body ?? null,
      amount: parsed.amount ? new Prisma.Decimal(parsed.amount.amount) : null,
      currency: parsed.amount?.currency ?? null,
      sentiment: parsed.sentiment ?? null,
      conversationId: parsed.conversationId ?? null,
      metadata: (parsed.metadata ?? null) as Prisma.JsonObject | null,
    };
    const where = { source_externalId: { source, externalId } };
    let existing = await tx.interaction.findUnique({ where });
    if (!existing) {
      // ON CONFLICT DO NOTHING: when a concurrent call inserts it first, we compare against its row
      // instead of failing (and instead of aborting the caller's transaction).
      const [created] = await tx.interaction.createManyAndReturn({
        data: [{ source, externalId, ...fields, metadata: fields.metadata ?? Prisma.DbNull }],
        skipDuplicates: true,
      });
      if (created) {
        await advanceJourneysFor(tx, created);
        await rescoreCustomers(tx, { customerIds: [customerId], policy });
        return { interaction: created, customerId, outcome: "created" };
      }
      existing = await tx.interaction.findUniqueOrThrow({ where });
    }
    if (sameInteraction(existing, fields)) return { interaction: existing, customerId, outcome: "unchanged" };
    const interaction = await tx.interaction.update({
      where: { id: existing.id },
      data: { ...fields, metadata: fields.metadata ?? Prisma.DbNull },
    });
    // A correction may change the kind, time or customer; advancing is idempotent, so re-run it.
    await advanceJourneysFor(tx, interaction);
    // A correction that moved the fact to another customer changes both customers' scores.
    await rescoreCustomers(tx, { customerIds: [customerId, existing.customerId], policy });
    return { interaction, customerId, outcome: "updated" };
  });
}

/** Journey progress moves in the same transaction as the fact that moved it. */
function advanceJourneysFor(tx: Prisma.TransactionClient, interaction: Interaction) {
  return advanceJourneys(tx, {
    customerId: interaction.customerId,
    interactionId: interaction.id,
    kind: interaction.kind,
    occurredAt: interaction.occurredAt,
  });
}

type InteractionFields = Pick<
  Interaction,
  | "customerId"
  | "channel"
  | "kind"
  | "direction"
  | "occurredAt"
  | "summary"
  | "body"
  | "amount"
  | "currency"
  | "sentiment"
  | "conversationId"
  | "metadata"
>;

/** Compares as the database stores: instants by time, money as decimals ("19.90" = "19.9"), JSON by structure. */
function sameInteraction(stored: Interaction, next: InteractionFields): boolean {
  const sameAmount =
    stored.amount === null || next.amount === null
      ? stored.amount === next.amount
      : stored.amount.equals(next.amount);
  return (
    sameAmount &&
    stored.customerId === next.customerId &&
    stored.channel === next.channel &&
    stored.kind === next.kind &&
    stored.direction === next.direction &&
    stored.occurredAt.getTime() === next.occurredAt.getTime() &&
    stored.summary === next.summary &&
    stored.body === next.body &&
    stored.currency === next.currency &&
    stored.sentiment === next.sentiment &&
    stored.conversationId === next.conversationId &&
    jsonEqual(stored.metadata, next.metadata)
  );
}
