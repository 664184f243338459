// Rescoring that a sync defers: a sync's batches do not rescore the customers they touch, they mark
// them due (CustomerRescoreDue, in the batch's own transaction, so a crash loses no mark), and the
// sync engine rescores every due customer once when its streams end. A first sync of a shop whose
// buyers come back across its batches would otherwise rescore each buyer once per batch that names
// them (2.8 times on the CDNOW shop), and the batch's transaction would hold its customers' locks
// for the rescoring too.
//
// Draining is the write pipeline's own unit of work: the due rows taken, their customers rescored,
// alerts decided and segment entries recorded, all in one transaction of up to RESCORE_BATCH_SIZE
// customers; a failure leaves the rows due for the next drain (mark-rescore-due.ts writes them). SKIP LOCKED lets any number of
// drains (two connectors syncing, two hub instances) share the rows without waiting on each other.
import type { PrismaClient } from "../db/database.ts";
import { RESCORE_BATCH_SIZE } from "../scoring/rescore-customers.ts";
import { runUnitOfWork, type TransactionLimits, type WriteContext } from "./unit-of-work.ts";

/** Limits of a drain's transaction: up to RESCORE_BATCH_SIZE customers' signals, scores and alerts. */
const DRAIN_TRANSACTION: TransactionLimits = { maxWait: 30_000, timeout: 120_000 };

export interface DrainResult {
  /** Due customers taken (merged-away ones are taken and not scored: they have no score of their own). */
  customers: number;
  /** The live customers rescored. */
  rescored: number;
  /** Of the drain's time, how much went to rescoring and alert decisions (summed over side-by-side drains). */
  rescoreMs: number;
}

/**
 * Loops beyond each call's first that may run at once in the process. Every loop holds a pooled
 * connection for transactions of up to two minutes; syncs that end together each take their first
 * loop, as one drain each did before, and share this many more, so the pool keeps connections for
 * the API's reads.
 */
const EXTRA_DRAINS_PER_PROCESS = 1;
let extraDrainsRunning = 0;

/**
 * Rescores every customer due (including those a crashed run left due), a transaction per batch.
 * Up to `drains` loops take batches side by side, each in its own transaction on its own connection
 * (SKIP LOCKED gives each other rows): a batch is mostly one backend's work on its statements, so on
 * PostgreSQL a second drain keeps a second core busy. The embedded database runs one transaction at
 * a time, so there it takes one. Every loop ends before this returns or throws.
 */
export async function rescoreDueCustomers(
  db: PrismaClient,
  writes: WriteContext,
  { batchSize = RESCORE_BATCH_SIZE, drains = 1 }: { batchSize?: number; drains?: number } = {},
): Promise<DrainResult> {
  const extra = Math.max(0, Math.min(drains - 1, EXTRA_DRAINS_PER_PROCESS - extraDrainsRunning));
  extraDrainsRunning += extra;
  let loops: PromiseSettledResult<DrainResult>[];
  try {
    loops = await Promise.allSettled(
      Array.from({ length: 1 + extra }, () => drainLoop(db, writes, batchSize)),
    );
  } finally {
    extraDrainsRunning -= extra;
  }
  const failures = loops.flatMap((loop) => (loop.status === "rejected" ? [loop.reason] : []));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, "Side-by-side rescoring drains failed.");
  const drained: DrainResult = { customers: 0, rescored: 0, rescoreMs: 0 };
  for (const loop of loops) {
    if (loop.status !== "fulfilled") continue;
    drained.customers += loop.value.customers;
    drained.rescored += loop.value.rescored;
    drained.rescoreMs += loop.value.rescoreMs;
  }
  return drained;
}

/** Takes batches of due customers and rescores them until none is left to take. */
async function drainLoop(db: PrismaClient, writes: WriteContext, batchSize: number): Promise<DrainResult> {
  const drained: DrainResult = { customers: 0, rescored: 0, rescoreMs: 0 };
  for (;;) {
    const result = await runUnitOfWork(
      db,
      writes,
      async (unit) => {
        const rows = await unit.tx.$queryRaw<Array<{ customerId: string }>>`
          DELETE FROM "CustomerRescoreDue" WHERE "customerId" IN (
            SELECT "customerId" FROM "CustomerRescoreDue"
             ORDER BY "customerId" LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
          RETURNING "customerId"`;
        unit.touch(rows.map((row) => row.customerId));
        return rows.length;
      },
      DRAIN_TRANSACTION,
    );
    if (result.value === 0) return drained;
    drained.customers += result.value;
    drained.rescored += result.rescoredCustomerIds.length;
    drained.rescoreMs += result.rescoreMs;
  }
}
