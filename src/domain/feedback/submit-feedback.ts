// Storing survey answers whose customers are resolved: one read of what is stored and one multi-row
// INSERT … ON CONFLICT for the new answers, whatever their number; the same outcomes as interactions
// (created, unchanged, updated, stale by the source's version). Corrections (rare) are written one by one.

import { v7 as uuidv7 } from "uuid";
import type { z } from "zod";
import { type Feedback, Prisma } from "../../generated/prisma/client.ts";
import { LostRaceError, NotFoundError } from "../errors.ts";
import {
  externalIdsBySource,
  factKey,
  inKeyOrder,
  type RecordOutcome,
} from "../interactions/record-interactions.ts";
import { advancesVersion, isStaleVersion, keptVersion } from "../source-version.ts";
import type { submitFeedbackInputSchema } from "./feedback-input.ts";

/** A feedback input after parsing. */
export type ParsedFeedback = z.output<typeof submitFeedbackInputSchema>;

export interface FeedbackToSubmit {
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

type FeedbackFields = Omit<Feedback, "id" | "source" | "externalId" | "recordedAt">;

/**
 * Stores answers whose (source, externalId) pairs are distinct, in the caller's transaction, and
 * answers in input order. An interactionId must name a stored interaction.
 */
export async function submitFeedback(
  tx: Prisma.TransactionClient,
  rows: FeedbackToSubmit[],
): Promise<SubmittedFeedback[]> {
  if (rows.length === 0) return [];
  const keys = rows.map(({ parsed }) => factKey(parsed.source, parsed.externalId));
  if (new Set(keys).size !== keys.length) {
    throw new Error("submitFeedback takes distinct (source, externalId) pairs; split the run at a repeat.");
  }
  await assertInteractionsExist(tx, rows);
  const stored = await storedAnswers(tx, rows);
  const results: SubmittedFeedback[] = [];
  const inserts: Array<{ id: string; source: string; externalId: string; fields: FeedbackFields }> = [];
  for (const { parsed, customerId } of rows) {
    const existing = stored.get(factKey(parsed.source, parsed.externalId));
    const fields = feedbackFields(parsed, customerId, existing?.sourceUpdatedAt ?? null);
    if (!existing) {
      const id = uuidv7();
      inserts.push({ id, source: parsed.source, externalId: parsed.externalId, fields });
      results.push({ id, customerId, outcome: "created", previousCustomerId: null });
    } else if (isStaleVersion(existing.sourceUpdatedAt, parsed.sourceUpdatedAt)) {
      // The answer stays as stored: an older copy of it (a replayed webhook) writes nothing.
      results.push({
        id: existing.id,
        customerId: existing.customerId,
        outcome: "stale",
        previousCustomerId: null,
      });
    } else if (sameFeedback(existing, fields)) {
      if (advancesVersion(existing.sourceUpdatedAt, parsed.sourceUpdatedAt)) {
        await tx.feedback.update({
          where: { id: existing.id },
          data: { sourceUpdatedAt: fields.sourceUpdatedAt },
        });
      }
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
  await insertFeedback(tx, inserts);
  return results;
}

async function assertInteractionsExist(tx: Prisma.TransactionClient, rows: FeedbackToSubmit[]) {
  const ids = [
    ...new Set(rows.flatMap(({ parsed }) => (parsed.interactionId ? [parsed.interactionId] : []))),
  ];
  if (ids.length === 0) return;
  const found = new Set(
    (await tx.interaction.findMany({ where: { id: { in: ids } }, select: { id: true } })).map(
      (row) => row.id,
    ),
  );
  const missing = ids.find((id) => !found.has(id));
  if (missing) {
    throw new NotFoundError(
      `No interaction has the id ${missing}: record the interaction first, or leave interactionId out.`,
      "Interaction",
      missing,
    );
  }
}

async function storedAnswers(
  tx: Prisma.TransactionClient,
  rows: FeedbackToSubmit[],
): Promise<Map<string, Feedback>> {
  const stored = new Map<string, Feedback>();
  for (const [source, externalIds] of externalIdsBySource(rows.map(({ parsed }) => parsed))) {
    const found = await tx.feedback.findMany({ where: { source, externalId: { in: externalIds } } });
    for (const row of found) stored.set(factKey(row.source, row.externalId), row);
  }
  return stored;
}

/** The stored columns of a parsed answer, besides its source and externalId. */
function feedbackFields(
  parsed: ParsedFeedback,
  customerId: string,
  storedVersion: Date | null,
): FeedbackFields {
  return {
    sourceUpdatedAt: keptVersion(storedVersion, parsed.sourceUpdatedAt),
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

/** The version is not a fact: a newer version of the same answer is unchanged. */
function sameFeedback(stored: Feedback, next: FeedbackFields): boolean {
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

async function insertFeedback(
  tx: Prisma.TransactionClient,
  unsorted: Array<{ id: string; source: string; externalId: string; fields: FeedbackFields }>,
): Promise<void> {
  if (unsorted.length === 0) return;
  const rows = inKeyOrder(unsorted);
  const column = <T>(pick: (fields: FeedbackFields) => T) => rows.map((row) => pick(row.fields));
  const inserted = await tx.$executeRaw(Prisma.sql`
    INSERT INTO "Feedback" ("id", "customerId", "source", "externalId", "kind", "score", "comment", "channel",
      "touchpoint", "interactionId", "sentiment", "respondedAt", "sourceUpdatedAt")
    SELECT id, "customerId", source, "externalId", kind::"FeedbackKind", score, comment, channel::"Channel",
      touchpoint, "interactionId", sentiment, "respondedAt", "sourceUpdatedAt"
      FROM unnest(${rows.map((row) => row.id)}::uuid[], ${column((f) => f.customerId)}::uuid[],
                  ${rows.map((row) => row.source)}::text[],
                  ${rows.map((row) => row.externalId)}::text[], ${column((f) => f.kind)}::text[],
                  ${column((f) => f.score)}::int[], ${column((f) => f.comment)}::text[],
                  ${column((f) => f.channel)}::text[], ${column((f) => f.touchpoint)}::text[],
                  ${column((f) => f.interactionId)}::uuid[], ${column((f) => f.sentiment)}::float8[],
                  ${column((f) => f.respondedAt.toISOString())}::timestamptz[],
                  ${column((f) => f.sourceUpdatedAt?.toISOString() ?? null)}::timestamptz[])
           AS t(id, "customerId", source, "externalId", kind, score, comment, channel, touchpoint,
                "interactionId", sentiment, "respondedAt", "sourceUpdatedAt")
    ON CONFLICT ("source", "externalId") DO NOTHING`);
  if (inserted !== rows.length) {
    throw new LostRaceError(
      `${rows.length - inserted} of the new survey answers were stored by a concurrent writer first.`,
    );
  }
}
