// How tests write through the pipeline: one record at a time (a batch of one, as a mutation writes),
// with the default scoring policy (or another) and a clock (the machine's unless a test fixes one).
import { type Clock, systemClock } from "../../src/clock.ts";
import type { PrismaClient } from "../../src/db/database.ts";
import type { UpsertCustomerInput } from "../../src/domain/customers/customer-input.ts";
import type { MergeCustomersInput } from "../../src/domain/customers/merge-customers.ts";
import type { SubmitFeedbackInput } from "../../src/domain/feedback/feedback-input.ts";
import type { IdentityInput } from "../../src/domain/identities/identity-input.ts";
import type { RecordInteractionInput } from "../../src/domain/interactions/interaction-input.ts";
import type { WriteContext } from "../../src/pipeline/unit-of-work.ts";
import {
  writeCustomer,
  writeFeedback,
  writeInteraction,
  writeMerge,
} from "../../src/pipeline/write-records.ts";
import { DEFAULT_SCORING_POLICY, type ScoringPolicy } from "../../src/policy/scoring-policy.ts";

export interface TestWriteOptions {
  policy?: ScoringPolicy;
  clock?: Clock;
}

/** The write context of a test: the default policy and the machine's clock unless given. */
export function writes({
  policy = DEFAULT_SCORING_POLICY,
  clock = systemClock,
}: TestWriteOptions = {}): WriteContext {
  return { policy, clock };
}

/** A clock standing still at `at`, so that what a test checks cannot depend on when it runs. */
export function writesAt(at: Date | string, policy: ScoringPolicy = DEFAULT_SCORING_POLICY): WriteContext {
  const instant = new Date(at);
  return { policy, clock: () => new Date(instant) };
}

export function recordInteraction(
  db: PrismaClient,
  input: RecordInteractionInput,
  options: TestWriteOptions = {},
) {
  return writeInteraction(db, writes(options), input);
}

export function submitFeedback(db: PrismaClient, input: SubmitFeedbackInput, options: TestWriteOptions = {}) {
  return writeFeedback(db, writes(options), input);
}

export function upsertCustomer(
  db: PrismaClient,
  input: UpsertCustomerInput,
  actor: { principalId?: string } = {},
  options: TestWriteOptions = {},
) {
  return writeCustomer(db, writes(options), input, actor);
}

/** The customer these identities name, found, created or merged: a customer record with nothing else. */
export function resolveCustomer(
  db: PrismaClient,
  identities: IdentityInput[],
  options: TestWriteOptions & { source?: string; actorId?: string } = {},
) {
  return writeCustomer(
    db,
    writes(options),
    { identities, ...(options.source && { source: options.source }) },
    { principalId: options.actorId },
  );
}

export async function mergeCustomers(
  db: PrismaClient,
  input: MergeCustomersInput,
  actor: { principalId?: string } = {},
  options: TestWriteOptions = {},
) {
  return (await writeMerge(db, writes(options), input, actor)).value;
}
