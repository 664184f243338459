// The one ingest path, for sync batches, webhook deliveries and dead-letter replays: validated SDK
// records (customer, interaction, feedback, deletion, privacyRequest) are stored in one unit of work of
// the write pipeline (src/pipeline/unit-of-work.ts): customers, interactions and answers through
// storeRecords, the same path a mutation takes, deletions and privacy requests in their order between
// them; refused values become dead letters; the customers whose facts changed are rescored once.
//
// A record that the database itself refuses (a NUL byte in a text, say: zod lets it through,
// PostgreSQL does not) would fail its batch again on every resume and block the connector for good.
// So when a batch fails, commitIngest redoes it one record per unit of work: the records that fail on
// their own account are dead-lettered, the others are stored, and a failure of the database itself
// still fails the batch. Records are stored in order either way, so both end identical.

import type { PrismaClient } from "../../db/database.ts";
import { describeError } from "../../db/database-errors.ts";
import {
  type ParsedRecordInput,
  type RecordInput,
  storeRecords,
} from "../../domain/records/store-records.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import {
  runUnitOfWork,
  type TransactionLimits,
  type UnitOfWork,
  type UnitOfWorkOptions,
  type WriteContext,
} from "../../pipeline/unit-of-work.ts";
import type { Channel, ConnectorRecord, RecordIssue } from "../../sdk/records.ts";
import { isRecordFault } from "../dead-letters/record-fault.ts";
import { type NewDeadLetter, payloadText, writeDeadLetters } from "../dead-letters/write-dead-letters.ts";
import { applyPrivacyRequest } from "../privacy/apply-privacy-request.ts";
import { applyDeletion } from "./apply-deletion.ts";
import { type RecordOrigin, toRecordInput } from "./to-domain.ts";

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
  | {
      type: "record";
      record: ConnectorRecord;
      payload: unknown;
      /** Invalid identities the record was kept without (see validateStreamOutput), with why. */
      droppedIdentities?: RecordIssue[];
      /**
       * The record as the pipeline's input (toRecordInput with the ingest's origin), when the reader
       * mapped it already: a sync maps each record as it reads it, while the batch before commits,
       * so the mapping is not part of the batch's transaction. Mapped here when absent.
       */
      input?: ParsedRecordInput;
    }
  | { type: "invalid"; payload: unknown; reason: string; issues: RecordIssue[] };

export interface IngestCounts {
  created: number;
  updated: number;
  unchanged: number;
  /** Facts deleted or customers erased at the provider's word. */
  deleted: number;
  deadLettered: number;
  /**
   * Records older than the version the hub holds (their sourceUpdatedAt is before the stored one):
   * skipped, not errors. A replayed webhook or a slow sync page cannot roll a fact back.
   */
  skippedStale: number;
  /**
   * Not an outcome but a warning: invalid identities left out of records that were kept with their
   * other identities (the records are counted by their outcome as usual).
   */
  identitiesDropped: number;
}

export interface IngestResult {
  counts: IngestCounts;
  /** The live customers rescored. */
  rescoredCustomerIds: string[];
  /** Of the time the ingest took, how much went to rescoring (where a sync's time goes). */
  rescoreMs: number;
}

export const emptyCounts = (): IngestCounts => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  deadLettered: 0,
  skippedStale: 0,
  identitiesDropped: 0,
});

export function addCounts(into: IngestCounts, more: IngestCounts): IngestCounts {
  for (const key of Object.keys(into) as Array<keyof IngestCounts>) into[key] += more[key];
  return into;
}

/** Transaction limits of a batch: the embedded database queues transactions, and batches are big. */
export const BATCH_TRANSACTION: TransactionLimits = { maxWait: 30_000, timeout: 120_000 };

/**
 * Ingests the items in the unit of work: the records in order, runs of customers and facts together
 * (storeRecords), deletions and privacy requests one by one between them. Throws on the first record
 * the domain or the database refuses; commitIngest turns that into a dead letter.
 */
export async function ingestInUnit(
  unit: UnitOfWork,
  origin: IngestOrigin,
  items: IngestItem[],
): Promise<IngestCounts> {
  const { tx } = unit;
  const counts = emptyCounts();
  const letters: NewDeadLetter[] = [];
  const recordOrigin: RecordOrigin = { source: origin.source, channel: origin.channel };
  let run: RecordInput[] = [];
  const flush = async () => {
    if (run.length === 0) return;
    const stored = await storeRecords(tx, run, { now: unit.now });
    run = [];
    for (const record of stored.records) {
      if (record.outcome === "stale") counts.skippedStale++;
      else counts[record.outcome]++;
    }
    unit.touch(stored.touched);
  };

  for (const item of items) {
    if (item.type === "invalid") {
      letters.push({
        stream: origin.stream,
        payload: payloadText(item.payload),
        reason: item.reason,
        details: { issues: item.issues.map((issue) => ({ ...issue })) },
      });
      counts.deadLettered++;
      continue;
    }
    const { record } = item;
    counts.identitiesDropped += item.droppedIdentities?.length ?? 0;
    if (record.type === "deletion") {
      await flush();
      const result = await applyDeletion(tx, origin.source, record);
      counts[result.outcome]++;
      unit.touch(result.customerIds);
    } else if (record.type === "privacyRequest") {
      await flush();
      const result = await applyPrivacyRequest(tx, origin, record);
      if (result.outcome === "erased") counts.deleted++;
      else if (result.outcome === "exported") counts.created++;
      else counts.unchanged++;
      unit.touch(result.customerIds);
    } else {
      run.push(item.input ?? toRecordInput(record, recordOrigin));
    }
  }
  await flush();
  await writeDeadLetters(tx, { connectorId: origin.connectorId, syncRunId: origin.syncRunId }, letters);
  return counts;
}

/**
 * Ingests the items in one unit of work, then runs `finish` (the run's cursor and counts) in it. When
 * the batch fails, redoes it one record per unit of work (see the top of this file), then `finish`.
 * Errors marked with `keepError` (a lost lease, say) are thrown as they are, with no redo.
 */
export async function commitIngest(
  db: PrismaClient,
  writes: WriteContext,
  origin: IngestOrigin,
  items: IngestItem[],
  options: {
    finish?: (tx: Prisma.TransactionClient, counts: IngestCounts) => Promise<void>;
    keepError?: (error: unknown) => boolean;
  } & UnitOfWorkOptions = {},
): Promise<IngestResult> {
  const { finish } = options;
  const unitOptions: UnitOfWorkOptions = { deferRescoring: options.deferRescoring };
  try {
    const result = await runUnitOfWork(
      db,
      writes,
      async (unit) => {
        const counts = await ingestInUnit(unit, origin, items);
        await finish?.(unit.tx, counts);
        return counts;
      },
      BATCH_TRANSACTION,
      unitOptions,
    );
    return {
      counts: result.value,
      rescoredCustomerIds: result.rescoredCustomerIds,
      rescoreMs: result.rescoreMs,
    };
  } catch (error) {
    if (options.keepError?.(error)) throw error;
  }
  const counts = emptyCounts();
  const rescored = new Set<string>();
  let rescoreMs = 0;
  for (const item of items) {
    try {
      const result = await runUnitOfWork(
        db,
        writes,
        (unit) => ingestInUnit(unit, origin, [item]),
        BATCH_TRANSACTION,
        unitOptions,
      );
      addCounts(counts, result.value);
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
  if (finish) await db.$transaction((tx) => finish(tx, counts), BATCH_TRANSACTION);
  return { counts, rescoredCustomerIds: [...rescored], rescoreMs };
}
