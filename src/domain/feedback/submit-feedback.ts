import type { z } from "zod";
import type { Db } from "../../db/database.ts";
import { inTransaction } from "../../db/transaction.ts";
import type { Feedback } from "../../generated/prisma/client.ts";
import { rescoreCustomers } from "../../scoring/rescore-customers.ts";
import { DEFAULT_SCORING_POLICY, type ScoringOptions } from "../../scoring/scoring-policy.ts";
import { NotFoundError, parseInput } from "../errors.ts";
import { resolveCustomerReference } from "../identities/resolve-customer.ts";
import type { RecordOutcome } from "../interactions/record-interaction.ts";
import { type SubmitFeedbackInput, submitFeedbackInputSchema } from "./feedback-input.ts";

export interface SubmitFeedbackResult {
  feedback: Feedback;
  customerId: string;
  outcome: RecordOutcome;
}

/**
 * Records a survey answer for the customer it names, marks the customer as seen when it answered,
 * and rescores the customer in the same transaction.
 */
export async function submitFeedback(
  db: Db,
  input: SubmitFeedbackInput,
  // rescore: false leaves rescoring to a caller that records a batch and rescores it once.
  { policy = DEFAULT_SCORING_POLICY, rescore = true }: ScoringOptions & { rescore?: boolean } = {},
): Promise<SubmitFeedbackResult> {
  const parsed = parseInput(submitFeedbackInputSchema, input, "The feedback");
  const { source, externalId, respondedAt } = parsed;
  return inTransaction(db, async (tx) => {
    if (
      parsed.interactionId &&
      !(await tx.interaction.findUnique({ where: { id: parsed.interactionId }, select: { id: true } }))
    ) {
      throw new NotFoundError(
        `No interaction has the id ${parsed.interactionId}: record the interaction first, or leave interactionId out.`,
        "Interaction",
        parsed.interactionId,
      );
    }
    const customerId = await resolveCustomerReference(tx, parsed.customer, {
      source,
      seenAt: respondedAt,
      policy,
    });
    const fields = feedbackFields(parsed, customerId);
    const where = { source_externalId: { source, externalId } };
    let existing = await tx.feedback.findUnique({ where });
    if (!existing) {
      // ON CONFLICT DO NOTHING: a concurrent insert of the same answer wins, and we compare against it.
      const [created] = await tx.feedback.createManyAndReturn({
        data: [{ source, externalId, ...fields }],
        skipDuplicates: true,
      });
      if (created) {
        if (rescore) await rescoreCustomers(tx, { customerIds: [customerId], policy });
        return { feedback: created, customerId, outcome: "created" };
      }
      existing = await tx.feedback.findUniqueOrThrow({ where });
    }
    if (sameFeedback(existing, fields)) return { feedback: existing, customerId, outcome: "unchanged" };
    const feedback = await tx.feedback.update({ where: { id: existing.id }, data: fields });
    if (rescore) await rescoreCustomers(tx, { customerIds: [customerId, existing.customerId], policy });
    return { feedback, customerId, outcome: "updated" };
  });
}

export type FeedbackFields = Omit<Feedback, "id" | "source" | "externalId" | "recordedAt">;

/** A feedback input after parsing: what submitFeedback and submitFeedbackInBulk store. */
export type ParsedFeedback = z.output<typeof submitFeedbackInputSchema>;

/** The stored columns of a parsed answer, besides its source and externalId. */
export function feedbackFields(parsed: ParsedFeedback, customerId: string): FeedbackFields {
  return {
    customerId,
    kind: parsed.kind,
    score: parsed.score,
    comment: parsed.comment ?? null,
    channel: parsed.channel ?? null,
    touchpoint: parsed.touchpoint ?? null,
    interactionId: parsed.interactionId ?? null,
    sentiment: parsed.sentiment ?? null,
    respondedAt: parsed.respondedAt,
  };
}

export function sameFeedback(stored: Feedback, next: FeedbackFields): boolean {
  return (
    stored.customerId === next.customerId &&
    stored.kind === next.kind &&
    stored.score === next.score &&
    stored.comment === next.comment &&
    stored.channel === next.channel &&
    stored.touchpoint === next.touchpoint &&
    stored.interactionId === next.interactionId &&
    stored.sentiment === next.sentiment &&
    stored.respondedAt.getTime() === next.respondedAt.getTime()
  );
}
