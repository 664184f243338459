// The set-based ingest of a run of customer, interaction and feedback records (a sync batch): the
// records are parsed by the domain's own schemas, their customers resolved for the whole batch at once
// (resolveCustomersInBulk), and their facts written with multi-row statements (recordInteractionsInBulk,
// submitFeedbackInBulk). Outcomes, identity and seen times match what the one-record functions would
// have stored record after record; ingest-records.ts proves it in test/connectors/ingest-in-bulk.db.test.ts.
//
// Records whose customers turn out to be several (a merge) are handed back, to be stored one by one
// after the rest. The caller guarantees distinct externalIds per fact type within one call.

import { upsertCustomerInputSchema } from "../../domain/customers/customer-input.ts";
import { jsonEqual } from "../../domain/customers/merge-customers.ts";
import { parseInput } from "../../domain/errors.ts";
import { submitFeedbackInputSchema } from "../../domain/feedback/feedback-input.ts";
import type { ParsedFeedback } from "../../domain/feedback/submit-feedback.ts";
import { submitFeedbackInBulk } from "../../domain/feedback/submit-feedback-in-bulk.ts";
import { identityKey, type NormalizedIdentity } from "../../domain/identities/identity-input.ts";
import {
  type CustomerClaim,
  resolveCustomersInBulk,
} from "../../domain/identities/resolve-customers-in-bulk.ts";
import { recordInteractionInputSchema } from "../../domain/interactions/interaction-input.ts";
import type { ParsedInteraction } from "../../domain/interactions/record-interaction.ts";
import { recordInteractionsInBulk } from "../../domain/interactions/record-interactions-in-bulk.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type { LifecycleStage } from "../../generated/prisma/enums.ts";
import type { CustomerRecord, FeedbackRecord, InteractionRecord } from "../../sdk/records.ts";
import {
  type RecordOrigin,
  toCustomerInput,
  toFeedbackInput,
  toInteractionInput,
} from "../../sdk/to-domain.ts";
import type { IngestCounts } from "./ingest-records.ts";

/** A record the set-based path stores: the three kinds of facts and profiles. */
export type BulkRecord = CustomerRecord | InteractionRecord | FeedbackRecord;

export interface BulkIngestResult {
  counts: Pick<IngestCounts, "created" | "updated" | "unchanged">;
  /** Customers whose facts changed: the caller rescores them. */
  touched: Set<string>;
  /** Positions (in the input) of records whose customers must be merged: store them one by one. */
  deferred: number[];
}

type Parsed =
  | { type: "customer"; parsed: ReturnType<typeof parseCustomer> }
  | { type: "interaction"; parsed: ParsedInteraction }
  | { type: "feedback"; parsed: ParsedFeedback; interactionExternalId: string | undefined };

interface Profile {
  displayName: string | null;
  lifecycleStage: LifecycleStage;
  traits: Prisma.JsonObject;
}

export async function ingestInBulk(
  tx: Prisma.TransactionClient,
  origin: RecordOrigin,
  records: BulkRecord[],
): Promise<BulkIngestResult> {
  const now = new Date();
  const parsed = records.map((record) => parseRecord(record, origin));
  const claims: CustomerClaim[] = parsed.map((entry) => ({
    identities: distinctIdentities(identitiesOf(entry)),
    seenAt: seenAtOf(entry) ?? now,
    factAt: seenAtOf(entry),
  }));
  const resolution = await resolveCustomersInBulk(tx, claims, { source: origin.source });
  const counts = { created: 0, updated: 0, unchanged: 0 };
  const touched = new Set<string>();
  const deferred: number[] = [];
  /** Identity id → the latest time a stored record carried it. */
  const identitySeen = new Map<string, Date>();
  const noteSeen = (claim: CustomerClaim, at: Date) => {
    for (const identity of claim.identities) {
      const id = resolution.identityIds.get(identityKey(identity));
      const before = id ? identitySeen.get(id) : undefined;
      if (id && (!before || before < at)) identitySeen.set(id, at);
    }
  };

  const profiles = await currentProfiles(tx, resolution.claims);
  const changedProfiles = new Set<string>();
  const interactions: Array<{ position: number; parsed: ParsedInteraction; customerId: string }> = [];
  const answers: Array<{ position: number; parsed: ParsedFeedback; customerId: string; via?: string }> = [];
  for (const [position, entry] of parsed.entries()) {
    const resolved = resolution.claims[position];
    const claim = claims[position] as CustomerClaim;
    if (!resolved?.customerId) {
      deferred.push(position);
      continue;
    }
    const { customerId } = resolved;
    if (entry.type === "customer") {
      const profile = profiles.get(customerId) as Profile;
      const same = resolved.identitiesKnown && sameProfile(profile, entry.parsed);
      const outcome = resolved.created ? "created" : same ? "unchanged" : "updated";
      counts[outcome]++;
      if (outcome === "unchanged") continue;
      touched.add(customerId);
      noteSeen(claim, now);
      if (applyProfile(profile, entry.parsed)) changedProfiles.add(customerId);
    } else if (entry.type === "interaction") {
      interactions.push({ position, parsed: entry.parsed, customerId });
    } else {
      answers.push({ position, parsed: entry.parsed, customerId, via: entry.interactionExternalId });
    }
  }
  // An answer about an interaction stored one by one later (its customer needs a merge) must follow it.
  const deferredInteractions = new Set(
    deferred.flatMap((position) => {
      const record = records[position];
      return record?.type === "interaction" ? [record.externalId] : [];
    }),
  );
  for (const [index, answer] of [...answers.entries()].reverse()) {
    if (answer.via && deferredInteractions.has(answer.via)) {
      answers.splice(index, 1);
      deferred.push(answer.position);
    }
  }
  deferred.sort((a, b) => a - b);

  const recorded = await recordInteractionsInBulk(tx, origin.source, interactions);
  const interactionIds = new Map(recorded.map((row) => [row.externalId, row.id]));
  await lookUpInteractionIds(tx, origin.source, answers, interactionIds);
  const submitted = await submitFeedbackInBulk(
    tx,
    origin.source,
    answers.map(({ parsed: answer, customerId, via }) => ({
      parsed: { ...answer, interactionId: via ? interactionIds.get(via) : undefined },
      customerId,
    })),
  );

  const seen = new Map<string, { first: Date; last: Date }>();
  const facts = [
    ...recorded.map((row, i) => ({ row, stored: interactions[i] })),
    ...submitted.map((row, i) => ({ row, stored: answers[i] })),
  ];
  for (const { row, stored } of facts) {
    if (!stored) throw new Error("A bulk write answered for a record it was not given.");
    const at = "occurredAt" in stored.parsed ? stored.parsed.occurredAt : stored.parsed.respondedAt;
    counts[row.outcome]++;
    if (row.outcome !== "unchanged") {
      touched.add(row.customerId);
      if (row.previousCustomerId) touched.add(row.previousCustomerId);
    }
    noteSeen(claims[stored.position] as CustomerClaim, at);
    // A customer created by this batch already carries the window of its facts.
    if (resolution.createdCustomerIds.has(row.customerId)) continue;
    const window = seen.get(row.customerId);
    if (!window) seen.set(row.customerId, { first: at, last: at });
    else {
      if (at < window.first) window.first = at;
      if (at > window.last) window.last = at;
    }
  }

  await writeProfiles(
    tx,
    [...changedProfiles].map((id) => [id, profiles.get(id) as Profile]),
  );
  await markCustomersSeen(tx, seen);
  // Identities attached now were stored with their claim's time: only later sightings move them.
  for (const [id, at] of resolution.attachedSeenAt) {
    const latest = identitySeen.get(id);
    if (latest && latest <= at) identitySeen.delete(id);
  }
  await markIdentitiesSeen(tx, identitySeen);
  return { counts, touched, deferred };
}

function parseCustomer(record: CustomerRecord, origin: RecordOrigin) {
  return parseInput(upsertCustomerInputSchema, toCustomerInput(record, origin), "The customer");
}

function parseRecord(record: BulkRecord, origin: RecordOrigin): Parsed {
  switch (record.type) {
    case "customer":
      return { type: "customer", parsed: parseCustomer(record, origin) };
    case "interaction":
      return {
        type: "interaction",
        parsed: parseInput(
          recordInteractionInputSchema,
          toInteractionInput(record, origin),
          "The interaction",
        ),
      };
    case "feedback":
      return {
        type: "feedback",
        parsed: parseInput(submitFeedbackInputSchema, toFeedbackInput(record, origin), "The feedback"),
        interactionExternalId: record.interactionExternalId,
      };
  }
}

function identitiesOf(entry: Parsed): NormalizedIdentity[] {
  if (entry.type === "customer") return entry.parsed.identities;
  // Connector records always name their customer by identities (to-domain.ts).
  return entry.parsed.customer.identities ?? [];
}

/** When the record says its customer was seen: the fact's time; null for a profile (now). */
function seenAtOf(entry: Parsed): Date | null {
  if (entry.type === "interaction") return entry.parsed.occurredAt;
  if (entry.type === "feedback") return entry.parsed.respondedAt;
  return null;
}

function distinctIdentities(identities: NormalizedIdentity[]): NormalizedIdentity[] {
  return [...new Map(identities.map((identity) => [identityKey(identity), identity])).values()];
}

async function currentProfiles(
  tx: Prisma.TransactionClient,
  claims: Array<{ customerId: string | null; created: boolean }>,
): Promise<Map<string, Profile>> {
  const profiles = new Map<string, Profile>();
  const existing = new Set<string>();
  for (const claim of claims) {
    if (!claim.customerId) continue;
    if (claim.created)
      profiles.set(claim.customerId, { displayName: null, lifecycleStage: "LEAD", traits: {} });
    else existing.add(claim.customerId);
  }
  for (const id of profiles.keys()) existing.delete(id);
  if (existing.size === 0) return profiles;
  const rows = await tx.customer.findMany({
    where: { id: { in: [...existing] } },
    select: { id: true, displayName: true, lifecycleStage: true, traits: true },
  });
  for (const row of rows) {
    const traits =
      row.traits !== null && typeof row.traits === "object" && !Array.isArray(row.traits) ? row.traits : {};
    profiles.set(row.id, { displayName: row.displayName, lifecycleStage: row.lifecycleStage, traits });
  }
  return profiles;
}

type ParsedCustomer = ReturnType<typeof parseCustomer>;

function sameProfile(profile: Profile, customer: ParsedCustomer): boolean {
  return (
    (customer.displayName === undefined || customer.displayName === profile.displayName) &&
    (customer.lifecycleStage === undefined || customer.lifecycleStage === profile.lifecycleStage) &&
    Object.entries(customer.traits ?? {}).every(([key, value]) =>
      jsonEqual(profile.traits[key] ?? null, value),
    )
  );
}

/** Applies the fields a customer record gives (traits shallow-merged, as upsertCustomer does); true when any was given. */
function applyProfile(profile: Profile, customer: ParsedCustomer): boolean {
  if (
    customer.displayName === undefined &&
    customer.traits === undefined &&
    customer.lifecycleStage === undefined
  )
    return false;
  if (customer.displayName !== undefined) profile.displayName = customer.displayName;
  if (customer.lifecycleStage !== undefined) profile.lifecycleStage = customer.lifecycleStage;
  if (customer.traits !== undefined)
    profile.traits = { ...profile.traits, ...(customer.traits as Prisma.JsonObject) };
  return true;
}

/** interactionExternalId → the hub's id, for answers whose interaction is not in this batch. */
async function lookUpInteractionIds(
  tx: Prisma.TransactionClient,
  source: string,
  answers: Array<{ via?: string }>,
  known: Map<string, string>,
): Promise<void> {
  const missing = [...new Set(answers.flatMap(({ via }) => (via && !known.has(via) ? [via] : [])))];
  if (missing.length === 0) return;
  const rows = await tx.interaction.findMany({
    where: { source, externalId: { in: missing } },
    select: { id: true, externalId: true },
  });
  for (const row of rows) known.set(row.externalId, row.id);
}

async function writeProfiles(tx: Prisma.TransactionClient, rows: Array<[string, Profile]>): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw(Prisma.sql`
    UPDATE "Customer" c
       SET "displayName" = v."displayName", "lifecycleStage" = v."lifecycleStage"::"LifecycleStage",
           "traits" = v."traits"::jsonb, "updatedAt" = now()
      FROM unnest(${rows.map(([id]) => id)}::uuid[], ${rows.map(([, p]) => p.displayName)}::text[],
                  ${rows.map(([, p]) => p.lifecycleStage)}::text[],
                  ${rows.map(([, p]) => JSON.stringify(p.traits))}::text[])
           AS v(id, "displayName", "lifecycleStage", "traits")
     WHERE c."id" = v.id`);
}

/** firstSeenAt only moves back and lastSeenAt only forward, as resolveCustomerReference keeps them. */
async function markCustomersSeen(
  tx: Prisma.TransactionClient,
  seen: Map<string, { first: Date; last: Date }>,
): Promise<void> {
  if (seen.size === 0) return;
  const entries = [...seen.entries()];
  await tx.$executeRaw(Prisma.sql`
    UPDATE "Customer" c
       SET "firstSeenAt" = LEAST(c."firstSeenAt", v.first), "lastSeenAt" = GREATEST(c."lastSeenAt", v.last),
           "updatedAt" = now()
      FROM unnest(${entries.map(([id]) => id)}::uuid[],
                  ${entries.map(([, w]) => w.first.toISOString())}::timestamptz[],
                  ${entries.map(([, w]) => w.last.toISOString())}::timestamptz[]) AS v(id, first, last)
     WHERE c."id" = v.id
       AND (c."firstSeenAt" IS NULL OR c."firstSeenAt" > v.first OR c."lastSeenAt" IS NULL OR c."lastSeenAt" < v.last)`);
}

/** An identity's lastSeenAt only moves forward, so replaying old records changes nothing. */
async function markIdentitiesSeen(tx: Prisma.TransactionClient, seen: Map<string, Date>): Promise<void> {
  if (seen.size === 0) return;
  const entries = [...seen.entries()];
  await tx.$executeRaw(Prisma.sql`
    UPDATE "Identity" i SET "lastSeenAt" = v.seen
      FROM unnest(${entries.map(([id]) => id)}::uuid[],
                  ${entries.map(([, at]) => at.toISOString())}::timestamptz[]) AS v(id, seen)
     WHERE i."id" = v.id AND i."lastSeenAt" < v.seen`);
}
