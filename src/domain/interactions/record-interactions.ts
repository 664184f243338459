// Storing interactions whose customers are resolved: one multi-row INSERT … ON CONFLICT of every fact,
// whatever their number, then one read of those it found stored. Each fact comes out created (new),
// unchanged (a repeat: nothing written), updated (the source corrected it; corrections are rare and
// written one by one) or stale (an older version than the stored one, by the source's own version:
// skipped, see ../source-version.ts). Journeys advance for every created or corrected fact, in the
// same transaction.
import type { z } from "zod";
import { transactionSql } from "../../db/transaction-sql.ts";
import { uuidv7 } from "../../db/uuid-v7.ts";
import { type Interaction, Prisma } from "../../generated/prisma/client.ts";
import { INTERACTION_ROW, readRow, rowJson } from "../customers/row-json-columns.ts";
import { LostRaceError } from "../errors.ts";
import { advanceJourneys } from "../journeys/advance-journeys.ts";
import { jsonEqual } from "../json.ts";
import { inKeyOrderBy } from "../key-order.ts";
import { advancesVersion, isStaleVersion, keptVersion } from "../source-version.ts";
import type { recordInteractionInputSchema } from "./interaction-input.ts";

/**
 * created: a new fact; unchanged: a repeat, nothing written (but a newer version of the same facts,
 * which moves the stored version forward); updated: the source corrected the fact; stale: an older
 * version than the one stored, skipped.
 */
export type RecordOutcome = "created" | "unchanged" | "updated" | "stale";

/** An interaction input after parsing. */
export type ParsedInteraction = z.output<typeof recordInteractionInputSchema>;

export interface InteractionToRecord {
  parsed: ParsedInteraction;
  customerId: string;
}

export interface RecordedInteraction {
  id: string;
  source: string;
  externalId: string;
  customerId: string;
  outcome: RecordOutcome;
  /** The customer the fact belonged to before a correction moved it; null otherwise. */
  previousCustomerId: string | null;
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
  | "sourceUpdatedAt"
>;

/**
 * Records interactions whose (source, externalId) pairs are distinct, in the caller's transaction, and
 * answers in input order.
 */
export async function recordInteractions(
  tx: Prisma.TransactionClient,
  rows: InteractionToRecord[],
): Promise<RecordedInteraction[]> {
  if (rows.length === 0) return [];
  const keys = rows.map(({ parsed }) => factKey(parsed.source, parsed.externalId));
  if (new Set(keys).size !== keys.length) {
    throw new Error(
      "recordInteractions takes distinct (source, externalId) pairs; split the run at a repeat.",
    );
  }
  // Every fact goes to the insert as new; the statement inserts those not stored yet and names the
  // rows it wrote. Only the others are read, whole (one statement in a first sync, two in a replay).
  const candidates = rows.map(({ parsed, customerId }) => ({
    id: uuidv7(),
    source: parsed.source,
    externalId: parsed.externalId,
    // The amount goes to the statement as the record's decimal text: a Decimal is built only to
    // compare with a stored amount (a sync's new facts made one each, to print it again).
    fields: interactionFields(parsed, customerId, null, amountText),
  }));
  const { found, entryKinds } = await insertInteractions(tx, candidates);
  const stored = await storedInteractions(tx, found);

  const results: RecordedInteraction[] = [];
  const corrections: Array<{ id: string; fields: InteractionFields }> = [];
  const newerVersions: Array<{ id: string; sourceUpdatedAt: Date }> = [];
  for (const [index, { parsed, customerId }] of rows.entries()) {
    const { source, externalId } = parsed;
    const existing = stored.get(factKey(source, externalId));
    // Built as literals, not \`{ ...common, more }\`: that form costs microseconds per object on Node 20
    // (see src/connectors/ingest/to-domain.ts), and a sync passes here once per record.
    const recorded = (
      id: string,
      outcome: RecordOutcome,
      on = customerId,
      previousCustomerId: string | null = null,
    ): RecordedInteraction => ({ id, source, externalId, customerId: on, outcome, previousCustomerId });
    if (!existing) {
      results.push(recorded((candidates[index] as NewInteraction).id, "created"));
      continue;
    }
    const fields = interactionFields(parsed, customerId, existing.sourceUpdatedAt, amountDecimal);
    if (isStaleVersion(existing.sourceUpdatedAt, parsed.sourceUpdatedAt)) {
      // The fact stays as stored, on its customer: nothing of the older copy is written.
      results.push(recorded(existing.id, "stale", existing.customerId));
    } else if (sameInteraction(existing, fields)) {
      if (advancesVersion(existing.sourceUpdatedAt, parsed.sourceUpdatedAt) && fields.sourceUpdatedAt) {
        newerVersions.push({ id: existing.id, sourceUpdatedAt: fields.sourceUpdatedAt });
      }
      results.push(recorded(existing.id, "unchanged"));
    } else {
      corrections.push({ id: existing.id, fields });
      results.push(
        recorded(
          existing.id,
          "updated",
          customerId,
          existing.customerId === customerId ? null : existing.customerId,
        ),
      );
    }
  }

  for (const { id, fields } of corrections) {
    await tx.interaction.update({
      where: { id },
      data: { ...fields, metadata: fields.metadata ?? Prisma.DbNull },
    });
  }
  // So that a copy older than this one, arriving later, is recognized as stale.
  for (const { id, sourceUpdatedAt } of newerVersions) {
    await tx.interaction.update({ where: { id }, data: { sourceUpdatedAt } });
  }
  await advanceJourneysOf(tx, rows, results, entryKinds);
  return results;
}

/**
 * The stored interactions with these keys, which the insert found stored, by factKey: read whole, as
 * Prisma reads them. ON CONFLICT DO NOTHING waits for a concurrent writer's insert to commit or roll
 * back, so each of them was committed by then, and this statement's snapshot sees it. One probe of
 * the unique (source, externalId) index per fact: asked for `source = … AND externalId IN (…)` at
 * once, PostgreSQL read every fact of the source and filtered them whenever its statistics were older
 * than the source's growth (during a sync, always), so each batch cost what the source already held.
 */
async function storedInteractions(
  tx: Prisma.TransactionClient,
  keys: Array<{ source: string; externalId: string }>,
): Promise<Map<string, Interaction>> {
  const stored = new Map<string, Interaction>();
  if (keys.length === 0) return stored;
  const statement = Prisma.sql`SELECT ${rowJson(INTERACTION_ROW)}::text AS "row"
    FROM unnest(${keys.map((key) => key.source)}::text[], ${keys.map((key) => key.externalId)}::text[])
      AS k(source, "externalId")
    CROSS JOIN LATERAL (
      SELECT * FROM "Interaction" i WHERE i."source" = k.source AND i."externalId" = k."externalId" LIMIT 1
    ) x`;
  const rows = await transactionSql(tx).query<{ row: string }>(statement.text, statement.values);
  if (rows.length !== keys.length) {
    // Only a writer that deleted a fact since the insert met it (an erasure) can get here.
    throw new LostRaceError(
      `${keys.length - rows.length} of the stored interactions were deleted by a concurrent writer.`,
    );
  }
  for (const { row } of rows) {
    const interaction = readRow(INTERACTION_ROW, JSON.parse(row) as Record<string, unknown>);
    stored.set(factKey(interaction.source, interaction.externalId), interaction);
  }
  return stored;
}

/** A new fact to insert: its columns, with the amount as decimal text (as the SDK validated it). */
interface NewInteraction {
  id: string;
  source: string;
  externalId: string;
  fields: Omit<InteractionFields, "amount"> & { amount: string | null };
}

const amountText = (parsed: ParsedInteraction) => parsed.amount?.amount ?? null;
const amountDecimal = (parsed: ParsedInteraction) =>
  parsed.amount ? new Prisma.Decimal(parsed.amount.amount) : null;

/** The stored columns of a parsed interaction, besides its source and externalId; `amount` as `amountOf` gives it. */
function interactionFields<Amount>(
  parsed: ParsedInteraction,
  customerId: string,
  storedVersion: Date | null,
  amountOf: (parsed: ParsedInteraction) => Amount,
): Omit<InteractionFields, "amount"> & { amount: Amount } {
  return {
    sourceUpdatedAt: keptVersion(storedVersion, parsed.sourceUpdatedAt),
    customerId,
    channel: parsed.channel,
    kind: parsed.kind,
    direction: parsed.direction,
    occurredAt: parsed.occurredAt,
    summary: parsed.summary ?? null,
    body: parsed.body ?? null,
    amount: amountOf(parsed),
    currency: parsed.amount?.currency ?? null,
    sentiment: parsed.sentiment ?? null,
    conversationId: parsed.conversationId ?? null,
    metadata: parsed.metadata ?? null,
  };
}

/**
 * Compares as the database stores: instants by time, money as decimals ("19.90" = "19.9"), JSON by
 * structure. The version is not a fact: a newer version of the same facts is unchanged.
 */
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

/**
 * Inserts the facts not stored yet, and answers with those it found stored already and the
 * interaction kinds that enter a stage of an active journey (advanceJourneysOf needs them whenever
 * facts were written). The insert itself tells which facts are new: ON CONFLICT probes the unique
 * (source, externalId) index once per fact, and RETURNING names the rows it wrote. Probing the index
 * in the same statement before inserting, as this did, read every entry twice: in a first sync, where
 * every fact is new, that was a tenth of the statement (the sync's largest).
 */
async function insertInteractions(
  tx: Prisma.TransactionClient,
  unsorted: NewInteraction[],
): Promise<{ found: NewInteraction[]; entryKinds: Set<string> }> {
  const rows = inKeyOrder(unsorted);
  const column = <T>(pick: (fields: NewInteraction["fields"]) => T) => rows.map((row) => pick(row.fields));
  const [result] = (await transactionSql(tx).query<{ inserted: string[]; kinds: string[] }>(
    `WITH inserted AS (
       INSERT INTO "Interaction" ("id", "customerId", "source", "externalId", "channel", "kind", "direction",
         "occurredAt", "summary", "body", "amount", "currency", "sentiment", "conversationId", "metadata",
         "sourceUpdatedAt")
       SELECT id, "customerId", source, "externalId", channel::"Channel", kind, direction::"Direction",
         "occurredAt", summary, body, amount, currency, sentiment, "conversationId",
         -- A fact without metadata is a JSON null in the document, and NULL in the column.
         NULLIF(metadata, 'null'::jsonb), "sourceUpdatedAt"
         FROM ROWS FROM (
                unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::timestamptz[], $9::text[], $10::text[], $11::numeric[], $12::text[], $13::float8[],
                       $14::text[], $16::timestamptz[]),
                jsonb_array_elements($15::jsonb))
              AS t(id, "customerId", source, "externalId", channel, kind, direction, "occurredAt", summary, body,
                   amount, currency, sentiment, "conversationId", "sourceUpdatedAt", metadata)
       ON CONFLICT ("source", "externalId") DO NOTHING
       RETURNING "id"
     )
     SELECT ARRAY(SELECT "id"::text FROM inserted) AS inserted, ${ENTRY_KINDS} AS kinds`,
    [
      rows.map((row) => row.id),
      column((f) => f.customerId),
      rows.map((row) => row.source),
      rows.map((row) => row.externalId),
      column((f) => f.channel),
      column((f) => f.kind),
      column((f) => f.direction),
      column((f) => f.occurredAt.toISOString()),
      column((f) => f.summary),
      column((f) => f.body),
      column((f) => f.amount),
      column((f) => f.currency),
      column((f) => f.sentiment),
      column((f) => f.conversationId),
      // One JSON document of every row's metadata, in row order: as a text[] of JSON texts, each
      // text was escaped again into the array literal (quotes and backslashes doubled), and the
      // escaped copies were the largest part of the garbage a sync's batches made.
      JSON.stringify(column((f) => f.metadata)),
      column((f) => f.sourceUpdatedAt?.toISOString() ?? null),
    ],
  )) as [{ inserted: string[]; kinds: string[] }];
  const entryKinds = new Set(result.kinds);
  if (result.inserted.length === rows.length) return { found: [], entryKinds };
  const inserted = new Set(result.inserted);
  return { found: rows.filter((row) => !inserted.has(row.id)), entryKinds };
}

/** The interaction kinds that enter a stage of an active journey, as one text[] expression. */
const ENTRY_KINDS = `ARRAY(SELECT DISTINCT unnest(s."enteredBy")
                             FROM "JourneyStage" s JOIN "Journey" j ON j."id" = s."journeyId"
                            WHERE j."active")`;

/**
 * Journeys move for created and corrected facts, only where their kind enters some active stage.
 * `entryKinds`: those kinds, as the insert read them.
 */
async function advanceJourneysOf(
  tx: Prisma.TransactionClient,
  rows: InteractionToRecord[],
  results: RecordedInteraction[],
  entryKinds: Set<string>,
): Promise<void> {
  if (!results.some((result) => changesFacts(result.outcome))) return;
  if (entryKinds.size === 0) return;
  for (const [index, result] of results.entries()) {
    const { parsed } = rows[index] as InteractionToRecord;
    // A correction may change the kind, time or customer; advancing is idempotent, so it runs again.
    if (!changesFacts(result.outcome) || !entryKinds.has(parsed.kind)) continue;
    await advanceJourneys(tx, {
      customerId: result.customerId,
      interactionId: result.id,
      kind: parsed.kind,
      occurredAt: parsed.occurredAt,
    });
  }
}

/** Whether the outcome wrote the fact (so its customer's scores and journeys move). */
export function changesFacts(outcome: RecordOutcome): boolean {
  return outcome === "created" || outcome === "updated";
}

/** What makes a fact unique: its source and its id there. */
export function factKey(source: string, externalId: string): string {
  return `${source}\u0000${externalId}`;
}

/** The facts' externalIds grouped by source, to read what is stored with one query per source. */
export function externalIdsBySource(
  facts: Array<{ source: string; externalId: string }>,
): Map<string, string[]> {
  const bySource = new Map<string, string[]>();
  for (const { source, externalId } of facts) {
    const ids = bySource.get(source);
    if (ids) ids.push(externalId);
    else bySource.set(source, [externalId]);
  }
  return bySource;
}

/**
 * New facts in one key order, so that concurrent writers take the unique index entries in the same
 * order (two writers inserting overlapping facts in different orders could deadlock).
 */
export function inKeyOrder<T extends { source: string; externalId: string }>(rows: T[]): T[] {
  return inKeyOrderBy(rows, (row) => factKey(row.source, row.externalId));
}
