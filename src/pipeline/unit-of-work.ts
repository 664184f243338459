// The write pipeline: one unit of work for every write, one record or ten thousand, from a mutation,
// a sync, a webhook or a merge. In one transaction:
//   the caller's domain writes, which report the customers they touched
//   → rescoring of those customers (src/scoring), as of the unit's clock
//   → alert decisions on the score changes (src/alerts)
//   → segment entries of those customers (src/domain/segments), announced on commit and recorded
//     as outgoing webhook events (src/alerts/segment-entry-webhooks.ts)
//   → publication after commit: the alert rows are their own outbox and pg_notify wakes the
//     dispatchers and score-change listeners only when the transaction commits (nothing on rollback).
// Domain functions know nothing of scoring and scoring nothing of alerts: this module calls each.
//
// A sync's batches defer the rescoring (deferRescoring): the touched customers are marked due in the
// unit instead, and the sync engine rescores them once when its streams end (rescore-due-customers.ts).
//
// A unit that lost a race to a concurrent writer (a LostRaceError from the domain, or PostgreSQL's
// deadlock and serialization failures) is redone whole: it then reads what the other writer committed.

import { notifySegmentEntries } from "../alerts/segment-entry-feed.ts";
import { recordSegmentEntryWebhooks } from "../alerts/segment-entry-webhooks.ts";
import type { Clock } from "../clock.ts";
import type { PrismaClient } from "../db/database.ts";
import { sqlState } from "../db/database-errors.ts";
import { runTransaction } from "../db/transaction-sql.ts";
import { ConflictError, LostRaceError } from "../domain/errors.ts";
import { recordSegmentEntries, type SegmentEntry } from "../domain/segments/segment-entries.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import type { FittedScoreModel } from "../scoring/score-model.ts";
import { markRescoreDue } from "./mark-rescore-due.ts";
import { type AlertDecisions, rescoreWithAlerts } from "./rescore-with-alerts.ts";
import { readUnitSettings } from "./unit-settings.ts";

/** What every write needs besides its data: the policy it scores with and the clock it runs on. */
export interface WriteContext {
  policy: ScoringPolicy;
  clock: Clock;
}

export interface UnitOfWork {
  tx: Prisma.TransactionClient;
  /** The unit's one instant: facts seen now, scores as of now, alerts raised now. */
  now: Date;
  /** Marks customers whose facts changed; the live ones are rescored before commit. */
  touch(customerIds: Iterable<string>): void;
}

export interface UnitOfWorkResult<T> extends AlertDecisions {
  value: T;
  /** The live customers rescored (none when the rescoring was deferred). */
  rescoredCustomerIds: string[];
  /** Customers who entered a segment with this write (announced when it committed). */
  segmentEntries: SegmentEntry[];
  /** Of the unit's time, how much went to rescoring and alert decisions (or to marking them due). */
  rescoreMs: number;
}

export interface UnitOfWorkOptions {
  /**
   * Marks the touched customers due (rescore-due-customers.ts) instead of rescoring them in the
   * unit: for a sync's batches, whose engine rescores every due customer once when its streams end.
   */
  deferRescoring?: boolean;
}

export interface TransactionLimits {
  /** How long to wait for a connection (the embedded database runs one transaction at a time). */
  maxWait: number;
  timeout: number;
}

/** Prisma's 5 s defaults are tight when the embedded database queues transactions on a busy machine. */
export const DEFAULT_TRANSACTION: TransactionLimits = { maxWait: 15_000, timeout: 30_000 };
/**
 * A lost race usually passes on the next attempt: each loser waits for the winner's commit and then
 * reads it. Seven writers naming one new person at once need up to three (test/domain/identities);
 * more than this means writers that never stop, which the caller hears as a ConflictError.
 */
const MAX_ATTEMPTS = 8;

export async function runUnitOfWork<T>(
  db: PrismaClient,
  context: WriteContext,
  work: (unit: UnitOfWork) => Promise<T>,
  limits: TransactionLimits = DEFAULT_TRANSACTION,
  { deferRescoring = false }: UnitOfWorkOptions = {},
): Promise<UnitOfWorkResult<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      // runTransaction: the domain's set-based statements go straight to the driver (transaction-sql.ts).
      return await runTransaction(
        db,
        async (tx) => {
          const now = context.clock();
          const touched = new Set<string>();
          const value = await work({
            tx,
            now,
            touch: (ids) => {
              for (const id of ids) touched.add(id);
            },
          });
          const start = performance.now();
          if (deferRescoring) {
            await markRescoreDue(tx, [...touched], now);
            return { value, ...nothingDecided(), segmentEntries: [], rescoreMs: performance.now() - start };
          }
          const ids = [...touched];
          // Nothing touched, nothing rescored: neither the model nor the segments are asked for. The
          // segments are read here, before rescoring, in the same statement as the model: a segment
          // saved while this unit runs is caught by the daily segment check instead, as one saved just
          // after it would be.
          const settings = ids.length > 0 ? await readUnitSettings(tx) : null;
          const decided = settings
            ? await rescoreTouched(tx, ids, context.policy, now, settings.model)
            : nothingDecided();
          const rescoreMs = performance.now() - start;
          const segmentEntries = await recordSegmentEntries(
            tx,
            { customerIds: decided.rescoredCustomerIds },
            now,
            settings?.segments,
          );
          await notifySegmentEntries(tx, segmentEntries);
          await recordSegmentEntryWebhooks(tx, segmentEntries, now);
          return { value, ...decided, segmentEntries, rescoreMs };
        },
        limits,
      );
    } catch (error) {
      if (!lostRace(error)) throw error;
      if (attempt === MAX_ATTEMPTS) {
        throw new ConflictError(
          `The write kept meeting concurrent writes to the same customers (${MAX_ATTEMPTS} attempts): retry it.`,
        );
      }
      // Jittered, so that two writers that collided do not collide again in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

const nothingDecided = (): AlertDecisions & { rescoredCustomerIds: string[] } => ({
  rescoredCustomerIds: [],
  alerts: [],
  resolved: [],
  digests: [],
});

/** Rescores the live customers among `ids` as of `now` with `model` and decides their alerts, in `tx`. */
async function rescoreTouched(
  tx: Prisma.TransactionClient,
  ids: string[],
  policy: ScoringPolicy,
  now: Date,
  model: FittedScoreModel | null,
): Promise<AlertDecisions & { rescoredCustomerIds: string[] }> {
  // Merged-away customers have no score of their own: rescoring reads live customers only, so the
  // customers it scored are the live ones among `ids`.
  const { changes, alerts, resolved, digests } = await rescoreWithAlerts(tx, {
    policy,
    customerIds: ids,
    asOf: now,
    model,
  });
  return { rescoredCustomerIds: changes.map((change) => change.customerId), alerts, resolved, digests };
}

/** A race with a concurrent writer: redoing the unit reads what it committed. */
function lostRace(error: unknown): boolean {
  if (error instanceof LostRaceError) return true;
  const state = sqlState(error);
  // serialization_failure, deadlock_detected
  return state === "40001" || state === "40P01";
}
