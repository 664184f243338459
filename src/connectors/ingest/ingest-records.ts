// The one ingest path, for sync batches, webhook deliveries and dead-letter replays: validated SDK
// records (customer, interaction, feedback, deletion, privacyRequest) are stored in one transaction,
// runs of facts set-based (ingest-in-bulk.ts) and the rest through the domain's one-record functions,
// idempotent on source + externalId either way; refused values become dead letters, and the customers
// whose facts changed are rescored once, set-based, at the end.
//
// A record that the database itself refuses (a NUL byte in a text, say: zod lets it through,
// PostgreSQL does not) would fail its batch again on every resume and block the connector for good.
// So when a batch fails, commitIngest redoes it one record per transaction: the records that fail on
// their own account are dead-lettered, the others are stored, and a failure of the database itself
// still fails the batch.
import { BatchRaceError } from "../../domain/errors.ts";
import { submitFeedback } from "../../domain/feedback/submit-feedback.ts";
import { recordInteraction } from "../../domain/interactions/record-interaction.ts";
import type { Prisma, PrismaClient } from "../../generated/prisma/client.ts";
import { rescoreCustomers } from "../../scoring/rescore-customers.ts";
import type { ScoringPolicy } from "../../scoring/scoring-policy.ts";
import type { Channel, ConnectorRecord, RecordIssue } from "../../sdk/records.ts";
import { type RecordOrigin, toFeedbackInput, toInteractionInput } from "../../sdk/to-domain.ts";
import { describeError, isRecordFault } from "../database-errors.ts";
import { type NewDeadLetter, payloadText, writeDeadLetters } from "../dead-letters/write-dead-letters.ts";
import { applyPrivacyRequest } from "../privacy/apply-privacy-request.ts";
import { applyDeletion } from "./apply-deletion.ts";
import { ingestCustomer } from "./ingest-customer.ts";
import { type BulkRecord, ingestInBulk } from "./ingest-in-bulk.ts";

export interface IngestOrigin {
  connectorId: string;
  /** The connector's name: the source of every fact it reports. */
  source: string;
  /** The plugin's channel, for records that name none. */
  channel: Channel;
  /** The stream, or "webhook": where the dead letters say a record came from. */
  stream: string;
  syncRunId?: string;
}

/** A value to ingest: a validated record (with what was yielded, for a dead letter), or a refused one. */
export type IngestItem =
  | { type: "record"; record: ConnectorRecord; payload: unknown }
  | { type: "invalid"; payload: unknown; reason: string; issues: RecordIssue[] };

export interface IngestCounts {
  created: number;
  updated: number;
  unchanged: number;
  /** Facts deleted or customers erased at the provider's word. */
  deleted: number;
  deadLettered: number;
}

export interface IngestResult {
  counts: IngestCounts;
  /** The live customers rescored. */
  rescoredCustomerIds: string[];
  /** Of the time the ingest took, how much went to rescoring (where a sync's time goes). */
  rescoreMs: number;
}

export interface IngestOptions {
  policy: ScoringPolicy;
}

export const emptyCounts = (): IngestCounts => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  deadLettered: 0,
});

export function addCounts(into: IngestCounts, more: IngestCounts): IngestCounts {
  for (const key of Object.keys(into) as Array<keyof IngestCounts>) into[key] += more[key];
  return into;
}

/** Transaction limits of a batch: the embedded database queues transactions, and batches are big. */
export const BATCH_TRANSACTION = { maxWait: 30_000, timeout: 120_000 };

/**
 * Ingests the items inside the caller's transaction. Runs of customer, interaction and feedback records
 * are stored set-based (ingest-in-bulk.ts); deletions and privacy requests, single records and records
 * whose customers must be merged go one by one through the domain functions, in their order. Throws on
 * the first record the domain or the database refuses; commitIngest turns that into a dead letter.
 */
export async function ingestInTransaction(
  tx: Prisma.TransactionClient,
  origin: IngestOrigin,
  items: IngestItem[],
  { policy }: IngestOptions,
): Promise<IngestResult> {
  const counts = emptyCounts();
  const touched = new Set<string>();
  const letters: NewDeadLetter[] = [];
  const recordOrigin: RecordOrigin = { source: origin.source, channel: origin.channel };
  const interactionIds = new Map<string, string>();
  const one = (record: ConnectorRecord) =>
    ingestOne(tx, origin, recordOrigin, record, { policy, counts, touched, interactionIds });

  // A run of facts stored together. A repeated externalId (a correction within the batch) ends it, so
  // that the later record is stored after the earlier one, as it would be one by one.
  let run: BulkRecord[] = [];
  const runKeys = new Set<string>();
  const flush = async () => {
    const records = run;
    run = [];
    runKeys.clear();
    if (records.length === 1) await one(records[0] as BulkRecord);
    if (records.length <= 1) return;
    const bulk = await ingestInBulk(tx, recordOrigin, records);
    addCounts(counts, { ...emptyCounts(), ...bulk.counts });
    for (const id of bulk.touched) touched.add(id);
    for (const position of bulk.deferred) await one(records[position] as BulkRecord);
  };

  for (const item of items) {
    if (item.type === "invalid") {
      letters.push({
        stream: origin.stream,
        payload: payloadText(item.payload),
        reason: item.reason,
        details: { issues: item.issues as unknown as Prisma.InputJsonArray },
      });
      counts.deadLettered++;
      continue;
    }
    const { record } = item;
    if (record.type === "deletion" || record.type === "privacyRequest") {
      await flush();
      await one(record);
      continue;
    }
    const key = record.type === "customer" ? undefined : `${record.type}\u0000${record.externalId}`;
    if (key && runKeys.has(key)) await flush();
    if (key) runKeys.add(key);
    run.push(record);
  }
  await flush();

  await writeDeadLetters(tx, { connectorId: origin.connectorId, syncRunId: origin.syncRunId }, letters);
  const rescoreStart = performance.now();
  const rescoredCustomerIds = await rescoreLive(tx, [...touched], policy);
  return { counts, rescoredCustomerIds, rescoreMs: performance.now() - rescoreStart };
}

interface OneByOne {
  policy: ScoringPolicy;
  counts: IngestCounts;
  touched: Set<string>;
  /** Interactions stored one by one in this batch, by externalId, for answers that follow them. */
  interactionIds: Map<string, string>;
}

/** One record through the domain's one-record functions (which resolve, merge and retry races). */
async function ingestOne(
  tx: Prisma.TransactionClient,
  origin: IngestOrigin,
  recordOrigin: RecordOrigin,
  record: ConnectorRecord,
  { policy, counts, touched, interactionIds }: OneByOne,
): Promise<void> {
  switch (record.type) {
    case "customer": {
      const result = await ingestCustomer(tx, recordOrigin, record, policy);
      counts[result.outcome]++;
      for (const id of result.customerIds) touched.add(id);
      return;
    }
    case "interaction": {
      // A correction may move the fact away from another customer: that one is rescored too.
      const before = await tx.interaction.findUnique({
        where: { source_externalId: { source: origin.source, externalId: record.externalId } },
        select: { customerId: true },
      });
      const result = await recordInteraction(tx, toInteractionInput(record, recordOrigin), {
        policy,
        rescore: false,
      });
      interactionIds.set(record.externalId, result.interaction.id);
      counts[result.outcome]++;
      if (result.outcome !== "unchanged") {
        touched.add(result.customerId);
        if (before) touched.add(before.customerId);
      }
      return;
    }
    case "feedback": {
      const before = await tx.feedback.findUnique({
        where: { source_externalId: { source: origin.source, externalId: record.externalId } },
        select: { customerId: true },
      });
      const interactionId = record.interactionExternalId
        ? await interactionIdOf(tx, origin.source, record.interactionExternalId, interactionIds)
        : undefined;
      const result = await submitFeedback(tx, toFeedbackInput(record, recordOrigin, interactionId), {
        policy,
        rescore: false,
      });
      counts[result.outcome]++;
      if (result.outcome !== "unchanged") {
        touched.add(result.customerId);
        if (before) touched.add(before.customerId);
      }
      return;
    }
    case "deletion": {
      const result = await applyDeletion(tx, origin.source, record);
      counts[result.outcome]++;
      for (const id of result.customerIds) touched.add(id);
      return;
    }
    case "privacyRequest": {
      const result = await applyPrivacyRequest(tx, origin, record);
      if (result.outcome === "erased") counts.deleted++;
      else if (result.outcome === "exported") counts.created++;
      else counts.unchanged++;
      for (const id of result.customerIds) touched.add(id);
      return;
    }
  }
}

/**
 * Ingests the items in one transaction, then runs `finish` (the run's cursor and counts) in it. When
 * the batch fails, redoes it one record per transaction (see the top of this file), then `finish`;
 * a batch that lost a race (BatchRaceError) is first tried once more whole.
 * Errors marked with `keepError` (a lost lease, say) are thrown as they are, with no retry.
 */
export async function commitIngest(
  db: PrismaClient,
  origin: IngestOrigin,
  items: IngestItem[],
  options: IngestOptions & {
    finish?: (tx: Prisma.TransactionClient, counts: IngestCounts) => Promise<void>;
    keepError?: (error: unknown) => boolean;
  },
): Promise<IngestResult> {
  // A batch that lost a race to a concurrent writer usually passes when redone at once: it then reads
  // what the other writer committed.
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      return await db.$transaction(async (tx) => {
        const result = await ingestInTransaction(tx, origin, items, options);
        await options.finish?.(tx, result.counts);
        return result;
      }, BATCH_TRANSACTION);
    } catch (error) {
      if (options.keepError?.(error)) throw error;
      if (!(error instanceof BatchRaceError)) break;
    }
  }
  const counts = emptyCounts();
  const rescored = new Set<string>();
  let rescoreMs = 0;
  for (const item of items) {
    try {
      const result = await db.$transaction(
        (tx) => ingestInTransaction(tx, origin, [item], options),
        BATCH_TRANSACTION,
      );
      addCounts(counts, result.counts);
      for (const id of result.rescoredCustomerIds) rescored.add(id);
      rescoreMs += result.rescoreMs;
    } catch (error) {
      if (!isRecordFault(error)) throw error;
      await db.$transaction(
        (tx) =>
          writeDeadLetters(tx, { connectorId: origin.connectorId, syncRunId: origin.syncRunId }, [
            {
              stream: origin.stream,
              payload: payloadText(item.payload),
              reason: `The hub could not store the ${item.type === "record" ? `${item.record.type} record` : "value"}: ${describeError(error)}`,
              details: { error: describeError(error) },
            },
          ]),
        BATCH_TRANSACTION,
      );
      counts.deadLettered++;
    }
  }
  const { finish } = options;
  if (finish) await db.$transaction((tx) => finish(tx, counts), BATCH_TRANSACTION);
  return { counts, rescoredCustomerIds: [...rescored], rescoreMs };
}

/** The hub's id of this connector's interaction, when stored (earlier in this batch, or before). */
async function interactionIdOf(
  tx: Prisma.TransactionClient,
  source: string,
  externalId: string,
  recorded: Map<string, string>,
): Promise<string | undefined> {
  const known = recorded.get(externalId);
  if (known) return known;
  const row = await tx.interaction.findUnique({
    where: { source_externalId: { source, externalId } },
    select: { id: true },
  });
  return row?.id;
}

/** Rescores the live ones among `ids` (merged-away customers have no score of their own). */
async function rescoreLive(tx: Prisma.TransactionClient, ids: string[], policy: ScoringPolicy) {
  if (ids.length === 0) return [];
  const live = await tx.customer.findMany({
    where: { id: { in: ids }, mergedIntoId: null },
    select: { id: true },
  });
  const customerIds = live.map((row) => row.id);
  if (customerIds.length > 0) await rescoreCustomers(tx, { customerIds, policy });
  return customerIds;
}
