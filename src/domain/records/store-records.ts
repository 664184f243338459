// The domain half of every write of customers and facts, one record or ten thousand, from a mutation,
// a sync or a webhook: records are validated, their customers resolved (created, found or merged), and
// their profiles, interactions and survey answers stored with multi-row statements, idempotent on
// (source, externalId). It reports which customers it touched; rescoring them, deciding alerts and
// publishing are the write pipeline's (src/pipeline/unit-of-work.ts), in the same transaction.
//
// Records are stored as if one after another. A run is cut where that order matters: before a second
// record with the same (source, externalId) (a correction within the batch lands after the original),
// before an interaction that an earlier answer in the run names (the answer came first), and around a
// record whose identities show two customers to be one (the merge happens before it, after everything
// earlier). So a batch and the same records one by one end identical.
import type { Feedback, Prisma } from "../../generated/prisma/client.ts";
import { type UpsertCustomerInput, upsertCustomerInputSchema } from "../customers/customer-input.ts";
import {
  advanceProfileVersion,
  applyProfile,
  isStaleProfile,
  type ParsedCustomer,
  type Profile,
  readProfiles,
  sameProfile,
  writeProfiles,
} from "../customers/customer-profiles.ts";
import { canBeCustomerId } from "../customers/find-customer.ts";
import { markSeen, type SeenWindow, widen } from "../customers/mark-seen.ts";
import { parseInput } from "../errors.ts";
import { type SubmitFeedbackInput, submitFeedbackInputSchema } from "../feedback/feedback-input.ts";
import { type ParsedFeedback, submitFeedback, submitNewAnswerById } from "../feedback/submit-feedback.ts";
import { identityKey, type NormalizedIdentity } from "../identities/identity-input.ts";
import { type CustomerClaim, type Resolution, resolveCustomers } from "../identities/resolve-customers.ts";
import {
  type RecordInteractionInput,
  recordInteractionInputSchema,
} from "../interactions/interaction-input.ts";
import {
  changesFacts,
  factKey,
  type ParsedInteraction,
  type RecordOutcome,
  recordInteractions,
} from "../interactions/record-interactions.ts";
import { refuseFutureFact } from "./future-facts.ts";

/** A record to store: a customer profile, an interaction or a survey answer. */
export type RecordInput =
  | { type: "customer"; input: UpsertCustomerInput }
  | { type: "interaction"; input: RecordInteractionInput }
  | {
      type: "feedback";
      input: SubmitFeedbackInput;
      /** The interaction the answer follows, by its externalId at the answer's own source. */
      interactionExternalId?: string;
    }
  | ParsedRecordInput;

/**
 * A record whose input is valid already by the rules its input schema applies, in that schema's
 * output shape: a connector's record, validated by the SDK's record schemas (which the domain's input
 * schemas are built from) and mapped by src/connectors/ingest/to-domain.ts. It is stored without being
 * parsed again (a sync's records were parsed twice, a sixth of its work); facts dated in the future
 * are still refused.
 */
export type ParsedRecordInput =
  | { type: "customer"; parsed: ParsedCustomer }
  | { type: "interaction"; parsed: ParsedInteraction }
  | { type: "feedback"; parsed: ParsedFeedback; interactionExternalId?: string };

export interface StoredRecord {
  outcome: RecordOutcome;
  /** The customer the record was stored on (a later record of the same call may merge it into another). */
  customerId: string;
  /** The stored interaction's or answer's id; null for a customer record. */
  factId: string | null;
  /** The customer was created for this record. */
  createdCustomer: boolean;
  /** Customers merged into `customerId` because this record's identities showed them to be one. */
  mergedCustomerIds: string[];
  /** The customer the fact was stored on before this correction moved it to `customerId`; else null. */
  movedFromCustomerId: string | null;
  /** A survey answer's row as stored, when its insert answered with it (submitFeedback's `row`). */
  feedback?: Feedback;
}

export interface StoreResult {
  /** One per input, in input order. */
  records: StoredRecord[];
  /** Customers whose facts or profile changed, merged-away ones included: the pipeline rescores the live ones. */
  touched: Set<string>;
}

export interface StoreOptions {
  /** When this happens: the seen time of profile records and of merges. */
  now: Date;
  /** The principal on whose behalf merges happen. */
  actorId?: string;
}

type Parsed =
  | { type: "customer"; parsed: ParsedCustomer }
  | { type: "interaction"; parsed: ParsedInteraction }
  | { type: "feedback"; parsed: ParsedFeedback; interactionExternalId: string | undefined };

/** Stores the records in the caller's transaction; throws on the first one the domain refuses. */
export async function storeRecords(
  tx: Prisma.TransactionClient,
  inputs: RecordInput[],
  options: StoreOptions,
): Promise<StoreResult> {
  const parsed = inputs.map((input) => parseRecord(input, options.now));
  const claims = parsed.map(claimOf);
  const one = await storeNewAnswerById(tx, parsed, claims);
  if (one) return one;
  const records: StoredRecord[] = [];
  const touched = new Set<string>();
  /** Interactions stored by this call, by factKey, for answers that name them by externalId. */
  const interactionIds = new Map<string, string>();
  let start = 0;
  while (start < parsed.length) {
    const end = runEnd(parsed, start);
    const resolution = await resolveCustomers(tx, claims.slice(start, end), options);
    const stored = await storeRun(tx, {
      entries: parsed.slice(start, start + resolution.claims.length),
      claims: claims.slice(start, start + resolution.claims.length),
      resolution,
      now: options.now,
      interactionIds,
      touched,
    });
    records.push(...stored);
    start += resolution.claims.length;
  }
  return { records, touched };
}

/**
 * A mutation's survey answer to a customer named by id, new and linked to no interaction: stored in
 * one statement (submitNewAnswerById) with what the general path below would do for it (the customer
 * locked, the answer inserted, the seen window widened). Null, having written nothing, for anything
 * else: another record, a customer merged away or unknown, an answer already stored.
 */
async function storeNewAnswerById(
  tx: Prisma.TransactionClient,
  parsed: Parsed[],
  claims: CustomerClaim[],
): Promise<StoreResult | null> {
  const [entry, ...rest] = parsed;
  const [claim] = claims;
  const customerId = claim?.customerId;
  if (
    rest.length > 0 ||
    claim?.identities.length !== 0 ||
    entry?.type !== "feedback" ||
    entry.interactionExternalId !== undefined ||
    entry.parsed.interactionId !== undefined ||
    customerId === undefined ||
    !canBeCustomerId(customerId)
  ) {
    return null;
  }
  const feedback = await submitNewAnswerById(tx, entry.parsed, customerId);
  if (!feedback) return null;
  const record: StoredRecord = {
    outcome: "created",
    customerId,
    factId: feedback.id,
    createdCustomer: false,
    mergedCustomerIds: [],
    movedFromCustomerId: null,
    feedback,
  };
  return { records: [record], touched: new Set([customerId]) };
}

function parseRecord(record: RecordInput, now: Date): Parsed {
  if ("parsed" in record) return checkParsed(record, now);
  switch (record.type) {
    case "customer":
      return {
        type: "customer",
        parsed: parseInput(upsertCustomerInputSchema, record.input, "The customer"),
      };
    case "interaction": {
      const parsed = parseInput(recordInteractionInputSchema, record.input, "The interaction");
      refuseFutureFact("The interaction", "occurredAt", parsed.occurredAt, now);
      return { type: "interaction", parsed };
    }
    case "feedback": {
      const parsed = parseInput(submitFeedbackInputSchema, record.input, "The feedback");
      refuseFutureFact("The feedback", "respondedAt", parsed.respondedAt, now);
      return { type: "feedback", parsed, interactionExternalId: record.interactionExternalId };
    }
  }
}

function checkParsed(record: ParsedRecordInput, now: Date): Parsed {
  switch (record.type) {
    case "customer":
      return record;
    case "interaction":
      refuseFutureFact("The interaction", "occurredAt", record.parsed.occurredAt, now);
      return record;
    case "feedback":
      refuseFutureFact("The feedback", "respondedAt", record.parsed.respondedAt, now);
      return {
        type: "feedback",
        parsed: record.parsed,
        interactionExternalId: record.interactionExternalId,
      };
  }
}

function claimOf(entry: Parsed): CustomerClaim {
  const factAt =
    entry.type === "interaction"
      ? entry.parsed.occurredAt
      : entry.type === "feedback"
        ? entry.parsed.respondedAt
        : null;
  const reference =
    entry.type === "customer" ? { identities: entry.parsed.identities } : entry.parsed.customer;
  const { source, sourceUpdatedAt } = entry.type === "customer" ? entry.parsed : {};
  const identities = new Map<string, NormalizedIdentity>();
  for (const identity of reference.identities ?? []) {
    const key = identityKey(identity);
    if (!identities.has(key)) identities.set(key, identity);
  }
  return {
    ...(reference.id !== undefined && { customerId: reference.id }),
    identities: [...identities.values()],
    keys: [...identities.keys()],
    source: entry.parsed.source ?? null,
    factAt,
    ...(source !== undefined && sourceUpdatedAt && { version: { source, at: sourceUpdatedAt } }),
  };
}

/**
 * Where the run from `start` must end: before the second record with one (type, source, externalId),
 * and before an interaction that an answer earlier in the run names (one by one, that answer came
 * first and found no interaction to link).
 */
function runEnd(parsed: Parsed[], start: number): number {
  const keys = new Set<string>();
  const namedByAnswers = new Set<string>();
  for (let index = start; index < parsed.length; index++) {
    const entry = parsed[index] as Parsed;
    if (entry.type === "customer") continue;
    const fact = factKey(entry.parsed.source, entry.parsed.externalId);
    const key = `${entry.type}\u0000${fact}`;
    if (keys.has(key) || (entry.type === "interaction" && namedByAnswers.has(fact))) return index;
    keys.add(key);
    if (entry.type === "feedback" && entry.interactionExternalId !== undefined) {
      namedByAnswers.add(factKey(entry.parsed.source, entry.interactionExternalId));
    }
  }
  return parsed.length;
}

interface Run {
  entries: Parsed[];
  claims: CustomerClaim[];
  resolution: Resolution;
  now: Date;
  interactionIds: Map<string, string>;
  touched: Set<string>;
}

/** Stores one resolved run: profiles, interactions, answers, then the seen times they imply. */
async function storeRun(tx: Prisma.TransactionClient, run: Run): Promise<StoredRecord[]> {
  const { entries, claims, resolution, now, touched } = run;
  const results: Array<StoredRecord | null> = entries.map(() => null);
  const resolved = (index: number) => resolution.claims[index] as Resolution["claims"][number];
  /** Identity id → the latest time a stored record carried it. */
  const identitySeen = new Map<string, Date>();
  const noteSeen = (claim: CustomerClaim, at: Date) => {
    for (const key of claim.keys) {
      const id = resolution.identityIds.get(key);
      const before = id ? identitySeen.get(id) : undefined;
      if (id && (!before || before < at)) identitySeen.set(id, at);
    }
  };
  for (const claim of resolution.claims) {
    if (claim.created || claim.mergedCustomerIds.length > 0) touched.add(claim.customerId);
    for (const id of claim.mergedCustomerIds) touched.add(id);
  }

  // Profiles: read once, applied record after record, written once.
  const customerEntries = entries.flatMap((entry, index) => (entry.type === "customer" ? [index] : []));
  const profiles = await readProfiles(
    tx,
    [...new Set(customerEntries.map((index) => resolved(index).customerId))],
    resolution.createdCustomerIds,
  );
  const changedProfiles = new Set<string>();
  for (const index of customerEntries) {
    const entry = entries[index] as Extract<Parsed, { type: "customer" }>;
    const claim = resolved(index);
    const profile = profiles.get(claim.customerId);
    if (!profile)
      throw new Error(`Customer ${claim.customerId} has no profile row: it was resolved but not stored.`);
    // An older version of this source's profile changes no field. Its identities were resolved
    // lookup-only (see resolve-customers.ts): nothing was attached, created or merged for it.
    if (claim.stale || isStaleProfile(profile, entry.parsed)) {
      results[index] = {
        outcome: "stale",
        customerId: claim.customerId,
        factId: null,
        createdCustomer: claim.created,
        mergedCustomerIds: claim.mergedCustomerIds,
        movedFromCustomerId: null,
      };
      continue;
    }
    const newerVersion = advanceProfileVersion(profile, entry.parsed);
    const unchanged =
      !claim.created &&
      claim.mergedCustomerIds.length === 0 &&
      claim.identitiesKnown &&
      sameProfile(profile, entry.parsed);
    results[index] = {
      outcome: claim.created ? "created" : unchanged ? "unchanged" : "updated",
      customerId: claim.customerId,
      factId: null,
      createdCustomer: claim.created,
      mergedCustomerIds: claim.mergedCustomerIds,
      movedFromCustomerId: null,
    };
    if (unchanged) {
      if (newerVersion) changedProfiles.add(claim.customerId);
      continue;
    }
    touched.add(claim.customerId);
    noteSeen(claims[index] as CustomerClaim, now);
    if (applyProfile(profile, entry.parsed) || newerVersion) changedProfiles.add(claim.customerId);
  }
  await writeProfiles(
    tx,
    [...changedProfiles].map((id) => [id, profiles.get(id) as Profile]),
  );

  // Facts: interactions first, so that answers in the same run can name them.
  const interactionEntries = entries.flatMap((entry, index) => (entry.type === "interaction" ? [index] : []));
  const recorded = await recordInteractions(
    tx,
    interactionEntries.map((index) => ({
      parsed: (entries[index] as Extract<Parsed, { type: "interaction" }>).parsed,
      customerId: resolved(index).customerId,
    })),
  );
  for (const row of recorded) run.interactionIds.set(factKey(row.source, row.externalId), row.id);
  const answerEntries = entries.flatMap((entry, index) => (entry.type === "feedback" ? [index] : []));
  await lookUpInteractionIds(
    tx,
    answerEntries.map((index) => entries[index] as Extract<Parsed, { type: "feedback" }>),
    run.interactionIds,
  );
  const submitted = await submitFeedback(
    tx,
    answerEntries.map((index) => {
      const entry = entries[index] as Extract<Parsed, { type: "feedback" }>;
      const via = entry.interactionExternalId;
      const interactionId = via ? run.interactionIds.get(factKey(entry.parsed.source, via)) : undefined;
      return {
        parsed: { ...entry.parsed, interactionId: interactionId ?? entry.parsed.interactionId },
        customerId: resolved(index).customerId,
      };
    }),
  );

  const seen = new Map<string, SeenWindow>();
  const facts = [
    ...recorded.map((row, i) => ({ row, index: interactionEntries[i] as number, feedback: undefined })),
    ...submitted.map((row, i) => ({ row, index: answerEntries[i] as number, feedback: row.row })),
  ];
  for (const { row, index, feedback } of facts) {
    const entry = entries[index] as Exclude<Parsed, { type: "customer" }>;
    const at = entry.type === "interaction" ? entry.parsed.occurredAt : entry.parsed.respondedAt;
    const claim = resolved(index);
    results[index] = {
      outcome: row.outcome,
      customerId: row.customerId,
      factId: row.id,
      createdCustomer: claim.created,
      mergedCustomerIds: claim.mergedCustomerIds,
      movedFromCustomerId: row.previousCustomerId,
      ...(feedback && { feedback }),
    };
    // A stale copy moves nothing: the stored, newer version already counted its customer and times.
    if (row.outcome === "stale") continue;
    if (changesFacts(row.outcome)) {
      touched.add(row.customerId);
      if (row.previousCustomerId) touched.add(row.previousCustomerId);
    }
    noteSeen(claims[index] as CustomerClaim, at);
    // A customer created by this run already carries the window of its facts.
    if (!resolution.createdCustomerIds.has(row.customerId)) widen(seen, row.customerId, at);
  }
  // Identities attached now were stored with their claim's time: only later sightings move them.
  for (const [id, at] of resolution.attachedSeenAt) {
    const latest = identitySeen.get(id);
    if (latest && latest <= at) identitySeen.delete(id);
  }
  await markSeen(tx, seen, identitySeen);
  return results.map((result, index) => {
    if (!result) throw new Error(`Record ${index} of the run was resolved but not stored.`);
    return result;
  });
}

/** interactionExternalId → the hub's id, for answers whose interaction was stored before this call. */
async function lookUpInteractionIds(
  tx: Prisma.TransactionClient,
  answers: Array<Extract<Parsed, { type: "feedback" }>>,
  known: Map<string, string>,
): Promise<void> {
  const missing = new Map<string, Set<string>>();
  for (const { parsed, interactionExternalId: via } of answers) {
    if (!via || known.has(factKey(parsed.source, via))) continue;
    const ids = missing.get(parsed.source) ?? new Set<string>();
    ids.add(via);
    missing.set(parsed.source, ids);
  }
  for (const [source, externalIds] of missing) {
    const rows = await tx.interaction.findMany({
      where: { source, externalId: { in: [...externalIds] } },
      select: { id: true, externalId: true },
    });
    for (const row of rows) known.set(factKey(source, row.externalId), row.id);
  }
}
