// A customer record's profile fields (display name, lifecycle stage, traits) applied to the customers
// it names: read once, changed in memory record after record (traits shallow-merged: the keys a record
// gives replace those keys, the others stay), written once.
//
// A source's profile carries that source's own version (Shopify's customer updated_at), kept per source
// on the customer (profileVersions): a copy older than the stored version of its source is stale and
// changes nothing, so a replayed customers/update cannot roll a name or a trait back. Versions are
// per source because two providers' clocks say nothing about each other.
import type { z } from "zod";
import { Prisma } from "../../generated/prisma/client.ts";
import type { LifecycleStage } from "../../generated/prisma/enums.ts";
import { asJsonObject, jsonEqual } from "../json.ts";
import { advancesVersion, isStaleVersion } from "../source-version.ts";
import type { upsertCustomerInputSchema } from "./customer-input.ts";

/** A customer input after parsing. */
export type ParsedCustomer = z.output<typeof upsertCustomerInputSchema>;

export interface Profile {
  displayName: string | null;
  lifecycleStage: LifecycleStage;
  traits: Prisma.JsonObject;
  /** Source name → the provider's version of the latest profile it reported (ISO 8601). */
  versions: ProfileVersions;
}

export type ProfileVersions = Record<string, string>;

/** The stored profileVersions column, read defensively: anything but an ISO time is no version. */
export function asProfileVersions(value: Prisma.JsonValue): ProfileVersions {
  const versions: ProfileVersions = {};
  for (const [source, at] of Object.entries(asJsonObject(value))) {
    if (typeof at === "string" && !Number.isNaN(Date.parse(at))) versions[source] = at;
  }
  return versions;
}

function storedVersion(profile: Profile, source: string): Date | null {
  const at = profile.versions[source];
  return at === undefined ? null : new Date(at);
}

/** Whether the record is an older version of its source's profile than the one stored: it is skipped. */
export function isStaleProfile(profile: Profile, customer: ParsedCustomer): boolean {
  return (
    customer.source !== undefined &&
    isStaleVersion(storedVersion(profile, customer.source), customer.sourceUpdatedAt)
  );
}

/** Records the record's version as its source's latest; true when that moved the stored version. */
export function advanceProfileVersion(profile: Profile, customer: ParsedCustomer): boolean {
  const { source, sourceUpdatedAt } = customer;
  if (source === undefined || !sourceUpdatedAt) return false;
  if (!advancesVersion(storedVersion(profile, source), sourceUpdatedAt)) return false;
  profile.versions = { ...profile.versions, [source]: sourceUpdatedAt.toISOString() };
  return true;
}

/** Two customers' versions as one (a merge): per source, the later one. */
export function latestProfileVersions(a: ProfileVersions, b: ProfileVersions): ProfileVersions {
  const versions = { ...a };
  for (const [source, at] of Object.entries(b)) {
    const ours = versions[source];
    if (ours === undefined || Date.parse(at) > Date.parse(ours)) versions[source] = at;
  }
  return versions;
}

/** The profiles of these customers as stored; customers created now start from the defaults. */
export async function readProfiles(
  tx: Prisma.TransactionClient,
  customerIds: string[],
  createdIds: Set<string>,
): Promise<Map<string, Profile>> {
  const profiles = new Map<string, Profile>();
  const stored = new Set<string>();
  for (const id of customerIds) {
    if (createdIds.has(id))
      profiles.set(id, { displayName: null, lifecycleStage: "LEAD", traits: {}, versions: {} });
    else stored.add(id);
  }
  if (stored.size === 0) return profiles;
  const rows = await tx.customer.findMany({
    where: { id: { in: [...stored] } },
    select: { id: true, displayName: true, lifecycleStage: true, traits: true, profileVersions: true },
  });
  for (const row of rows) {
    profiles.set(row.id, {
      displayName: row.displayName,
      lifecycleStage: row.lifecycleStage,
      traits: asJsonObject(row.traits),
      versions: asProfileVersions(row.profileVersions),
    });
  }
  return profiles;
}

/** Whether the record would change nothing of the profile. */
export function sameProfile(profile: Profile, customer: ParsedCustomer): boolean {
  return (
    (customer.displayName === undefined || customer.displayName === profile.displayName) &&
    (customer.lifecycleStage === undefined || customer.lifecycleStage === profile.lifecycleStage) &&
    Object.entries(customer.traits ?? {}).every(([key, value]) =>
      jsonEqual(profile.traits[key] ?? null, value),
    )
  );
}

/** Applies the fields the record gives to the profile; true when it gave any. */
export function applyProfile(profile: Profile, customer: ParsedCustomer): boolean {
  const { displayName, lifecycleStage, traits } = customer;
  if (displayName === undefined && traits === undefined && lifecycleStage === undefined) return false;
  if (displayName !== undefined) profile.displayName = displayName;
  if (lifecycleStage !== undefined) profile.lifecycleStage = lifecycleStage;
  if (traits !== undefined) profile.traits = { ...profile.traits, ...(traits as Prisma.JsonObject) };
  return true;
}

export async function writeProfiles(
  tx: Prisma.TransactionClient,
  rows: Array<[string, Profile]>,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw(Prisma.sql`
    UPDATE "Customer" c
       SET "displayName" = v."displayName", "lifecycleStage" = v."lifecycleStage"::"LifecycleStage",
           "traits" = v."traits"::jsonb, "profileVersions" = v."profileVersions"::jsonb,
           "updatedAt" = now()
      FROM unnest(${rows.map(([id]) => id)}::uuid[], ${rows.map(([, p]) => p.displayName)}::text[],
                  ${rows.map(([, p]) => p.lifecycleStage)}::text[],
                  ${rows.map(([, p]) => JSON.stringify(p.traits))}::text[],
                  ${rows.map(([, p]) => JSON.stringify(p.versions))}::text[])
           AS v(id, "displayName", "lifecycleStage", "traits", "profileVersions")
     WHERE c."id" = v.id`);
}
