// Storing survey answers whose customers are resolved: one multi-row INSERT … ON CONFLICT DO NOTHING
// for all of them, whatever their number, then one read of those already stored; the same outcomes as
// interactions (created, unchanged, updated, stale by the source's version). Corrections (rare) are
// written one by one.
import type { z } from "zod";
import { PREPARED, PREPARED_FOR_ONE_ROW } from "../../db/prepared-statements.ts";
import { transactionSql } from "../../db/transaction-sql.ts";
import { uuidv7 } from "../../db/uuid-v7.ts";
import type { Feedback, Prisma } from "../../generated/prisma/client.ts";
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
  /**
   * The row as its INSERT stored it, when the call stored one answer and created it (a mutation's):
   * the write pipeline answers with it instead of reading it back. Absent otherwise.
   */
  row?: Feedback;
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
  // New answers are the common case (an answer is sent once): they are inserted first, in one
  // statement through the driver, and only those whose (source, externalId) is stored already, which
  // that statement leaves alone, are read and compared. A read first cost every answer a round trip.
  const candidates = rows.map(({ parsed, customerId }) => ({
    id: uuidv7(),
    source: parsed.source,
    externalId: parsed.externalId,
    fields: feedbackFields(parsed, customerId, null),
  }));
  const inserted = await insertFeedback(tx, candidates);
  const stored = await storedAnswers(
    tx,
    rows.filter((_, index) => !inserted.has(candidates[index]?.id ?? "")),
  );
  const results: SubmittedFeedback[] = [];
  for (const [index, { parsed, customerId }] of rows.entries()) {
    const candidate = candidates[index];
    if (candidate && inserted.has(candidate.id)) {
      const row = inserted.get(candidate.id);
      results.push({
        id: candidate.id,
        customerId,
        outcome: "created",
        previousCustomerId: null,
        ...(row && { row }),
      });
      continue;
    }
    const existing = stored.get(factKey(parsed.source, parsed.externalId));
    if (!existing) {
      throw new LostRaceError(
        "A stored survey answer was deleted by a concurrent writer while it was corrected.",
      );
    }
    const fields = feedbackFields(parsed, customerId, existing.sourceUpdatedAt);
    if (isStaleVersion(existing.sourceUpdatedAt, parsed.sourceUpdatedAt)) {
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

/**
 * Inserts the answers whose (source, externalId) is not stored yet, in key order; answers their ids,
 * each with its stored row when exactly one answer is new, whether one was given or a batch held
 * only one new (null when more are new: nothing reads them back).
 */
async function insertFeedback(
  tx: Prisma.TransactionClient,
  unsorted: Array<{ id: string; source: string; externalId: string; fields: FeedbackFields }>,
): Promise<Map<string, Feedback | null>> {
  if (unsorted.length === 0) return new Map();
  // In one key order, so that concurrent writers take the unique index's entries in the same order.
  const rows = inKeyOrder(unsorted);
  const column = <T>(pick: (fields: FeedbackFields) => T) => rows.map((row) => pick(row.fields));
  // A mutation's one answer comes back whole, as readFeedback would read it: the pipeline answers
  // with it, which saved a round trip (a read after the insert) on every submitFeedback.
  const one = rows.length === 1;
  const inserted = await transactionSql(tx).query<Record<string, unknown> & { id: string }>(
    `${PREPARED_FOR_ONE_ROW}
     INSERT INTO "Feedback" ("id", "customerId", "source", "externalId", "kind", "score", "comment", "channel",
       "touchpoint", "interactionId", "sentiment", "respondedAt", "sourceUpdatedAt")
     SELECT id, "customerId", source, "externalId", kind::"FeedbackKind", score, comment, channel::"Channel",
       touchpoint, "interactionId", sentiment, "respondedAt", "sourceUpdatedAt"
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[],
                   $9::text[], $10::uuid[], $11::float8[], $12::timestamptz[], $13::timestamptz[])
            AS t(id, "customerId", source, "externalId", kind, score, comment, channel, touchpoint,
                 "interactionId", sentiment, "respondedAt", "sourceUpdatedAt")
     ON CONFLICT ("source", "externalId") DO NOTHING
     RETURNING ${one ? FEEDBACK_COLUMNS : `"id"::text AS id`}`,
    [
      rows.map((row) => row.id),
      column((f) => f.customerId),
      rows.map((row) => row.source),
      rows.map((row) => row.externalId),
      column((f) => f.kind),
      column((f) => f.score),
      column((f) => f.comment),
      column((f) => f.channel),
      column((f) => f.touchpoint),
      column((f) => f.interactionId),
      column((f) => f.sentiment),
      column((f) => f.respondedAt.toISOString()),
      column((f) => f.sourceUpdatedAt?.toISOString() ?? null),
    ],
  );
  return new Map(inserted.map((row) => [row.id, one ? feedbackOfRow(row) : null]));
}

/**
 * A mutation's one new answer to a customer named by id, in one statement instead of three round
 * trips (the customer's lock, the answer's insert, the seen window's update: each a statement of the
 * hub's one thread and of PostgreSQL's): the customer is locked if live, the answer inserted on it
 * unless its (source, externalId) is stored, and the customer's seen window widened by its time, as
 * storeRecords' general path does in that order. Answers the stored row when the answer was created;
 * null when the customer is not live (unknown, or merged away) or the answer is stored already: then
 * nothing was written and the general path (which follows merges, compares, corrects) takes over.
 */
export async function submitNewAnswerById(
  tx: Prisma.TransactionClient,
  parsed: ParsedFeedback,
  customerId: string,
): Promise<Feedback | null> {
  const fields = feedbackFields(parsed, customerId, null);
  const [row] = await transactionSql(tx).query<Record<string, unknown>>(
    `${PREPARED}
     WITH locked AS (
       SELECT "id" FROM "Customer" WHERE "id" = $2::uuid AND "mergedIntoId" IS NULL FOR UPDATE
     ), inserted AS (
       INSERT INTO "Feedback" ("id", "customerId", "source", "externalId", "kind", "score", "comment", "channel",
         "touchpoint", "interactionId", "sentiment", "respondedAt", "sourceUpdatedAt")
       SELECT $1::uuid, l."id", $3::text, $4::text, $5::text::"FeedbackKind", $6::int, $7::text, $8::text::"Channel",
         $9::text, $10::uuid, $11::float8, $12::timestamptz, $13::timestamptz
         FROM locked l
       ON CONFLICT ("source", "externalId") DO NOTHING
       RETURNING *
     ), seen AS (
       UPDATE "Customer" c
          SET "firstSeenAt" = LEAST(c."firstSeenAt", i."respondedAt"),
              "lastSeenAt" = GREATEST(c."lastSeenAt", i."respondedAt"), "updatedAt" = now()
         FROM inserted i
        WHERE c."id" = i."customerId"
          AND (c."firstSeenAt" IS NULL OR c."firstSeenAt" > i."respondedAt"
               OR c."lastSeenAt" IS NULL OR c."lastSeenAt" < i."respondedAt")
     )
     SELECT ${FEEDBACK_COLUMNS} FROM inserted`,
    [
      uuidv7(),
      customerId,
      parsed.source,
      parsed.externalId,
      fields.kind,
      fields.score,
      fields.comment,
      fields.channel,
      fields.touchpoint,
      fields.interactionId,
      fields.sentiment,
      fields.respondedAt.toISOString(),
      fields.sourceUpdatedAt?.toISOString() ?? null,
    ],
  );
  return row ? feedbackOfRow(row) : null;
}

const FEEDBACK_COLUMNS = `"id"::text AS id, "customerId"::text AS "customerId", "source", "externalId",
  "kind"::text AS kind, "score", "comment", "channel"::text AS channel, "touchpoint",
  "interactionId"::text AS "interactionId", "sentiment", "respondedAt", "sourceUpdatedAt", "recordedAt"`;

/**
 * One stored answer, read through the driver in the caller's transaction (the write pipeline answers
 * a mutation with the row as its transaction stored it); null when no answer has the id.
 */
export async function readFeedback(tx: Prisma.TransactionClient, id: string): Promise<Feedback | null> {
  const [row] = await transactionSql(tx).query<Record<string, unknown>>(
    `${PREPARED} SELECT ${FEEDBACK_COLUMNS} FROM "Feedback" WHERE "id" = $1::uuid`,
    [id],
  );
  return row ? feedbackOfRow(row) : null;
}

/** A row of FEEDBACK_COLUMNS as the Feedback it is. */
function feedbackOfRow(row: Record<string, unknown>): Feedback {
  // timestamptz arrives as text from the driver, as a Date from Prisma's raw path.
  const instant = (value: unknown) => (value === null ? null : new Date(value as string | Date));
  return {
    ...(row as unknown as Feedback),
    sentiment: row.sentiment === null ? null : Number(row.sentiment),
    respondedAt: instant(row.respondedAt) as Date,
    sourceUpdatedAt: instant(row.sourceUpdatedAt),
    recordedAt: instant(row.recordedAt) as Date,
  };
}
