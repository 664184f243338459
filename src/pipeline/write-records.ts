// The pipeline's entry points for writes that start from an API call: records (a mutation's one
// record is a batch of one) and merges. Each is one unit of work: domain writes, then the touched
// customers rescored, alerts decided and published after commit (unit-of-work.ts).
import type { PrismaClient } from "../db/database.ts";
import type { UpsertCustomerInput } from "../domain/customers/customer-input.ts";
import {
  type MergeCustomersInput,
  type MergeResult,
  mergeCustomers,
} from "../domain/customers/merge-customers.ts";
import { ForbiddenError } from "../domain/errors.ts";
import type { SubmitFeedbackInput } from "../domain/feedback/feedback-input.ts";
import { readFeedback } from "../domain/feedback/submit-feedback.ts";
import type { RecordInteractionInput } from "../domain/interactions/interaction-input.ts";
import type { RecordOutcome } from "../domain/interactions/record-interactions.ts";
import {
  type RecordInput,
  type StoredRecord,
  type StoreResult,
  storeRecords,
} from "../domain/records/store-records.ts";
import type { Customer, Feedback, Interaction, Prisma } from "../generated/prisma/client.ts";
import { runUnitOfWork, type UnitOfWork, type UnitOfWorkResult, type WriteContext } from "./unit-of-work.ts";

export interface Actor {
  /** The principal on whose behalf the write happens (recorded on merges). */
  principalId?: string | undefined;
  /**
   * May a correction move a fact, found by its (source, externalId), from the customer it is on to
   * the one the write names? Connectors and admins may (a source reassigned an order); an account
   * manager may not, or naming an existing fact of another book would take it over.
   */
  mayMoveFacts?: boolean;
}

/** Stores customer, interaction and feedback records, in order, as one unit of work. */
export function writeRecords(
  db: PrismaClient,
  context: WriteContext,
  records: RecordInput[],
  actor: Actor = {},
): Promise<UnitOfWorkResult<StoreResult>> {
  return runUnitOfWork(db, context, (unit) => storeAndTouch(unit, records, actor));
}

/** The domain writes of a unit of work, with the customers they touched handed to it for rescoring. */
async function storeAndTouch(unit: UnitOfWork, records: RecordInput[], actor: Actor): Promise<StoreResult> {
  const stored = await storeRecords(unit.tx, records, {
    now: unit.now,
    ...(actor.principalId && { actorId: actor.principalId }),
  });
  // Thrown inside the unit of work, so the move is rolled back with everything else of it.
  if (actor.mayMoveFacts === false && stored.records.some((record) => record.movedFromCustomerId)) {
    throw new ForbiddenError(
      "A fact with this source and externalId is already recorded for a customer you do not own: give your fact an externalId of its own.",
    );
  }
  unit.touch(stored.touched);
  return stored;
}

/** Folds one customer into another as one unit of work; the survivor is rescored with everything it got. */
export function writeMerge(
  db: PrismaClient,
  context: WriteContext,
  input: MergeCustomersInput,
  actor: Actor = {},
): Promise<UnitOfWorkResult<MergeResult>> {
  return runUnitOfWork(db, context, async (unit) => {
    const merged = await mergeCustomers(unit.tx, input, { principalId: actor.principalId, now: unit.now });
    unit.touch([merged.survivor.id]);
    return merged;
  });
}

/** One interaction, a batch of one: the row as stored. */
export async function writeInteraction(
  db: PrismaClient,
  context: WriteContext,
  input: RecordInteractionInput,
  actor: Actor = {},
): Promise<{ interaction: Interaction; customerId: string; outcome: RecordOutcome }> {
  const { stored, row } = await writeOne(db, context, { type: "interaction", input }, actor, (tx, stored) =>
    tx.interaction.findUniqueOrThrow({ where: { id: factIdOf(stored) } }),
  );
  return { interaction: row, customerId: stored.customerId, outcome: stored.outcome };
}

/** One survey answer, a batch of one: the row as stored. */
export async function writeFeedback(
  db: PrismaClient,
  context: WriteContext,
  input: SubmitFeedbackInput,
  actor: Actor = {},
): Promise<{ feedback: Feedback; customerId: string; outcome: RecordOutcome }> {
  const { stored, row } = await writeOne(
    db,
    context,
    { type: "feedback", input },
    actor,
    async (tx, stored) => {
      // Stored by this unit's insert, which answered with the row (nothing after it writes answers).
      if (stored.feedback) return stored.feedback;
      const feedback = await readFeedback(tx, factIdOf(stored));
      if (!feedback) throw new Error("The pipeline stored a survey answer it cannot read back.");
      return feedback;
    },
  );
  return { feedback: row, customerId: stored.customerId, outcome: stored.outcome };
}

/** One customer profile, a batch of one: the customer as stored, whether it was created, whom it merged. */
export async function writeCustomer(
  db: PrismaClient,
  context: WriteContext,
  input: UpsertCustomerInput,
  actor: Actor = {},
): Promise<{ customer: Customer; created: boolean; mergedCustomerIds: string[]; outcome: RecordOutcome }> {
  const { stored, row } = await writeOne(db, context, { type: "customer", input }, actor, (tx, stored) =>
    tx.customer.findUniqueOrThrow({ where: { id: stored.customerId } }),
  );
  return {
    customer: row,
    created: stored.createdCustomer,
    mergedCustomerIds: stored.mergedCustomerIds,
    outcome: stored.outcome,
  };
}

/**
 * One record as a unit of work, and its stored row read in the same transaction: read after the
 * commit, a concurrent deletion or merge could make the answer fail or describe another row.
 */
async function writeOne<R>(
  db: PrismaClient,
  context: WriteContext,
  record: RecordInput,
  actor: Actor,
  read: (tx: Prisma.TransactionClient, stored: StoredRecord) => Promise<R>,
): Promise<{ stored: StoredRecord; row: R }> {
  const { value } = await runUnitOfWork(db, context, async (unit) => {
    const [stored] = (await storeAndTouch(unit, [record], actor)).records;
    if (!stored) throw new Error("The pipeline stored a record without answering for it.");
    // Rescoring, which runs after this, changes neither facts nor profiles.
    return { stored, row: await read(unit.tx, stored) };
  });
  return value;
}

function factIdOf(stored: StoredRecord): string {
  if (!stored.factId) throw new Error("The pipeline stored a fact without answering with its id.");
  return stored.factId;
}
