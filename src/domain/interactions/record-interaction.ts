import type { z } from "zod";
import type { Db } from "../../db/database.ts";
import { inTransaction } from "../../db/transaction.ts";
import { type Interaction, Prisma } from "../../generated/prisma/client.ts";
import { rescoreCustomers } from "../../scoring/rescore-customers.ts";
import { DEFAULT_SCORING_POLICY, type ScoringOptions } from "../../scoring/scoring-policy.ts";
import { jsonEqual } from "../customers/merge-customers.ts";
import { parseInput } from "../errors.ts";
import { resolveCustomerReference } from "../identities/resolve-customer.ts";
import { advanceJourneys } from "../journeys/advance-journeys.ts";
import { type RecordInteractionInput, recordInteractionInputSchema } from "./interaction-input.ts";

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
  // rescore: false leaves rescoring to a caller that records a batch and rescores it once.
  { policy = DEFAULT_SCORING_POLICY, rescore = true }: ScoringOptions & { rescore?: boolean } = {},
): Promise<RecordInteractionResult> {
  const parsed = parseInput(recordInteractionInputSchema, input, "The interaction");
  const { source, externalId, occurredAt } = parsed;
  return inTransaction(db, async (tx) => {
    const customerId = await resolveCustomerReference(tx, parsed.customer, {
      source,
      seenAt: occurredAt,
      policy,
    });
    const fields = interactionFields(parsed, customerId);
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
        if (rescore) await rescoreCustomers(tx, { customerIds: [customerId], policy });
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
    if (rescore) await rescoreCustomers(tx, { customerIds: [customerId, existing.customerId], policy });
    return { interaction, customerId, outcome: "updated" };
  });
}

/** An interaction input after parsing: what recordInteraction and recordInteractionsInBulk store. */
export type ParsedInteraction = z.output<typeof recordInteractionInputSchema>;

/** The stored columns of a parsed interaction, besides its source and externalId. */
export function interactionFields(parsed: ParsedInteraction, customerId: string): InteractionFields {
  return {
    customerId,
    channel: parsed.channel,
    kind: parsed.kind,
    direction: parsed.direction,
    occurredAt: parsed.occurredAt,
    summary: parsed.summary ?? null,
    body: parsed.body ?? null,
    amount: parsed.amount ? new Prisma.Decimal(parsed.amount.amount) : null,
    currency: parsed.amount?.currency ?? null,
    sentiment: parsed.sentiment ?? null,
    conversationId: parsed.conversationId ?? null,
    metadata: (parsed.metadata ?? null) as Prisma.JsonObject | null,
  };
}

/** Journey progress moves in the same transaction as the fact that moved it. */
export function advanceJourneysFor(
  tx: Prisma.TransactionClient,
  interaction: Pick<Interaction, "id" | "customerId" | "kind" | "occurredAt">,
) {
  return advanceJourneys(tx, {
    customerId: interaction.customerId,
    interactionId: interaction.id,
    kind: interaction.kind,
    occurredAt: interaction.occurredAt,
  });
}

export type InteractionFields = Pick<
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
export function sameInteraction(stored: Interaction, next: InteractionFields): boolean {
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
