// submitFeedback for a batch whose customers are already resolved: the same outcomes (created,
// unchanged, updated) with one read of what is stored and one multi-row INSERT … ON CONFLICT for the
// new answers. Corrections (rare) are updated one by one, as submitFeedback does.
import { v7 as uuidv7 } from "uuid";
import { Prisma } from "../../generated/prisma/client.ts";
import { BatchRaceError } from "../errors.ts";
import type { RecordOutcome } from "../interactions/record-interaction.ts";
import { type FeedbackFields, feedbackFields, type ParsedFeedback, sameFeedback } from "./submit-feedback.ts";

export interface FeedbackToSubmit {
  /** interactionId, when given, names a stored interaction (the caller looked it up). */
  parsed: ParsedFeedback;
  customerId: string;
}

export interface SubmittedFeedback {
  id: string;
  customerId: string;
  outcome: RecordOutcome;
  /** The customer the answer belonged to before a correction moved it; null otherwise. */
  previousCustomerId: string | null;
}

/** Stores answers of one source whose externalIds are distinct, in the caller's transaction, in input order. */
export async function submitFeedbackInBulk(
  tx: Prisma.TransactionClient,
  source: string,
  rows: FeedbackToSubmit[],
): Promise<SubmittedFeedback[]> {
  if (rows.length === 0) return [];
  const externalIds = rows.map((row) => row.parsed.externalId);
  if (new Set(externalIds).size !== externalIds.length) {
    throw new Error("submitFeedbackInBulk takes distinct externalIds; split the batch at a repeat.");
  }
  const stored = new Map(
    (await tx.feedback.findMany({ where: { source, externalId: { in: externalIds } } })).map((row) => [
      row.externalId,
      row,
    ]),
  );
  const results: SubmittedFeedback[] = [];
  const inserts: Array<{ id: string; externalId: string; fields: FeedbackFields }> = [];
  for (const { parsed, customerId } of rows) {
    const fields = feedbackFields(parsed, customerId);
    const existing = stored.get(parsed.externalId);
    if (!existing) {
      const id = uuidv7();
      inserts.push({ id, externalId: parsed.externalId, fields });
      results.push({ id, customerId, outcome: "created", previousCustomerId: null });
    } else if (sameFeedback(existing, fields)) {
      results.push({ id: existing.id, customerId, outcome: "unchanged", previousCustomerId: null });
    } else {
      await tx.feedback.update({ where: { id: existing.id }, data: fields });
      results.push({
        id: existing.id,
        customerId,
        outcome: "updated",
        previousCustomerId: existing.customerId === customerId ? null : existing.customerId,
      });
    }
  }
  await insertFeedback(tx, source, inserts);
  return results;
}

async function insertFeedback(
  tx: Prisma.TransactionClient,
  source: string,
  rows: Array<{ id: string; externalId: string; fields: FeedbackFields }>,
): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(pick: (fields: FeedbackFields) => T) => rows.map((row) => pick(row.fields));
  const inserted = await tx.$executeRaw(Prisma.sql`
    INSERT INTO "Feedback" ("id", "customerId", "source", "externalId", "kind", "score", "comment", "channel",
      "touchpoint", "interactionId", "sentiment", "respondedAt")
    SELECT id, "customerId", ${source}, "externalId", kind::"FeedbackKind", score, comment, channel::"Channel",
      touchpoint, "interactionId", sentiment, "respondedAt"
      FROM unnest(${rows.map((row) => row.id)}::uuid[], ${column((f) => f.customerId)}::uuid[],
                  ${rows.map((row) => row.externalId)}::text[], ${column((f) => f.kind)}::text[],
                  ${column((f) => f.score)}::int[], ${column((f) => f.comment)}::text[],
                  ${column((f) => f.channel)}::text[], ${column((f) => f.touchpoint)}::text[],
                  ${column((f) => f.interactionId)}::uuid[], ${column((f) => f.sentiment)}::float8[],
                  ${column((f) => f.respondedAt.toISOString())}::timestamptz[])
           AS t(id, "customerId", "externalId", kind, score, comment, channel, touchpoint, "interactionId",
                sentiment, "respondedAt")
    ON CONFLICT ("source", "externalId") DO NOTHING`);
  if (inserted !== rows.length) {
    throw new BatchRaceError(
      `${rows.length - inserted} of the batch's new survey answers were stored by a concurrent writer first.`,
    );
  }
}
