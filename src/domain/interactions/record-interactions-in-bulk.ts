// recordInteraction for a batch whose customers are already resolved: the same outcomes (created,
// unchanged, updated) and the same journey moves, with one read of what is stored and one multi-row
// INSERT … ON CONFLICT for the new facts instead of several statements per fact. Corrections (rare)
// are updated one by one, as recordInteraction does.
import { v7 as uuidv7 } from "uuid";
import { Prisma } from "../../generated/prisma/client.ts";
import { BatchRaceError } from "../errors.ts";
import {
  advanceJourneysFor,
  type InteractionFields,
  interactionFields,
  type ParsedInteraction,
  type RecordOutcome,
  sameInteraction,
} from "./record-interaction.ts";

export interface InteractionToRecord {
  parsed: ParsedInteraction;
  customerId: string;
}

export interface RecordedInteraction {
  id: string;
  externalId: string;
  customerId: string;
  outcome: RecordOutcome;
  /** The customer the fact belonged to before a correction moved it; null otherwise. */
  previousCustomerId: string | null;
}

/**
 * Records interactions of one source whose externalIds are distinct, in the caller's transaction, in
 * input order. Journeys advance for every created or corrected fact whose kind enters a stage.
 */
export async function recordInteractionsInBulk(
  tx: Prisma.TransactionClient,
  source: string,
  rows: InteractionToRecord[],
): Promise<RecordedInteraction[]> {
  if (rows.length === 0) return [];
  const externalIds = rows.map((row) => row.parsed.externalId);
  if (new Set(externalIds).size !== externalIds.length) {
    throw new Error("recordInteractionsInBulk takes distinct externalIds; split the batch at a repeat.");
  }
  const stored = new Map(
    (await tx.interaction.findMany({ where: { source, externalId: { in: externalIds } } })).map((row) => [
      row.externalId,
      row,
    ]),
  );

  const results: RecordedInteraction[] = [];
  const inserts: Array<{ id: string; externalId: string; fields: InteractionFields }> = [];
  const corrections: Array<{ id: string; fields: InteractionFields }> = [];
  for (const { parsed, customerId } of rows) {
    const fields = interactionFields(parsed, customerId);
    const existing = stored.get(parsed.externalId);
    if (!existing) {
      const id = uuidv7();
      inserts.push({ id, externalId: parsed.externalId, fields });
      results.push({
        id,
        externalId: parsed.externalId,
        customerId,
        outcome: "created",
        previousCustomerId: null,
      });
    } else if (sameInteraction(existing, fields)) {
      results.push({
        id: existing.id,
        externalId: parsed.externalId,
        customerId,
        outcome: "unchanged",
        previousCustomerId: null,
      });
    } else {
      corrections.push({ id: existing.id, fields });
      results.push({
        id: existing.id,
        externalId: parsed.externalId,
        customerId,
        outcome: "updated",
        previousCustomerId: existing.customerId === customerId ? null : existing.customerId,
      });
    }
  }

  await insertInteractions(tx, source, inserts);
  for (const { id, fields } of corrections) {
    await tx.interaction.update({
      where: { id },
      data: { ...fields, metadata: fields.metadata ?? Prisma.DbNull },
    });
  }
  await advanceJourneysOf(tx, rows, results);
  return results;
}

async function insertInteractions(
  tx: Prisma.TransactionClient,
  source: string,
  rows: Array<{ id: string; externalId: string; fields: InteractionFields }>,
): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(pick: (fields: InteractionFields) => T) => rows.map((row) => pick(row.fields));
  const inserted = await tx.$executeRaw(Prisma.sql`
    INSERT INTO "Interaction" ("id", "customerId", "source", "externalId", "channel", "kind", "direction",
      "occurredAt", "summary", "body", "amount", "currency", "sentiment", "conversationId", "metadata")
    SELECT id, "customerId", ${source}, "externalId", channel::"Channel", kind, direction::"Direction",
      "occurredAt", summary, body, amount, currency, sentiment, "conversationId", metadata::jsonb
      FROM unnest(${rows.map((row) => row.id)}::uuid[], ${column((f) => f.customerId)}::uuid[],
                  ${rows.map((row) => row.externalId)}::text[], ${column((f) => f.channel)}::text[],
                  ${column((f) => f.kind)}::text[], ${column((f) => f.direction)}::text[],
                  ${column((f) => f.occurredAt.toISOString())}::timestamptz[],
                  ${column((f) => f.summary)}::text[], ${column((f) => f.body)}::text[],
                  ${column((f) => f.amount?.toString() ?? null)}::numeric[], ${column((f) => f.currency)}::text[],
                  ${column((f) => f.sentiment)}::float8[], ${column((f) => f.conversationId)}::text[],
                  ${column((f) => (f.metadata === null ? null : JSON.stringify(f.metadata)))}::text[])
           AS t(id, "customerId", "externalId", channel, kind, direction, "occurredAt", summary, body, amount,
                currency, sentiment, "conversationId", metadata)
    ON CONFLICT ("source", "externalId") DO NOTHING`);
  if (inserted !== rows.length) {
    throw new BatchRaceError(
      `${rows.length - inserted} of the batch's new interactions were stored by a concurrent writer first.`,
    );
  }
}

/** Journeys move for created and corrected facts, only where their kind enters some active stage. */
async function advanceJourneysOf(
  tx: Prisma.TransactionClient,
  rows: InteractionToRecord[],
  results: RecordedInteraction[],
): Promise<void> {
  if (!results.some((result) => result.outcome !== "unchanged")) return;
  const entering = await tx.$queryRaw<Array<{ kind: string }>>`
    SELECT DISTINCT unnest(s."enteredBy") AS kind
      FROM "JourneyStage" s JOIN "Journey" j ON j."id" = s."journeyId"
     WHERE j."active"`;
  if (entering.length === 0) return;
  const kinds = new Set(entering.map((row) => row.kind));
  for (const [index, result] of results.entries()) {
    const { parsed } = rows[index] as InteractionToRecord;
    if (result.outcome === "unchanged" || !kinds.has(parsed.kind)) continue;
    await advanceJourneysFor(tx, {
      id: result.id,
      customerId: result.customerId,
      kind: parsed.kind,
      occurredAt: parsed.occurredAt,
    });
  }
}
