// A customer record's profile fields (display name, lifecycle stage, traits) applied to the customers
// it names: read once, changed in memory record after record (traits shallow-merged: the keys a record
// gives replace those keys, the others stay), written once.
import type { z } from "zod";
import { Prisma } from "../../generated/prisma/client.ts";
import type { LifecycleStage } from "../../generated/prisma/enums.ts";
import { asJsonObject, jsonEqual } from "../json.ts";
import type { upsertCustomerInputSchema } from "./customer-input.ts";

/** A customer input after parsing. */
export type ParsedCustomer = z.output<typeof upsertCustomerInputSchema>;

export interface Profile {
  displayName: string | null;
  lifecycleStage: LifecycleStage;
  traits: Prisma.JsonObject;
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
    if (createdIds.has(id)) profiles.set(id, { displayName: null, lifecycleStage: "LEAD", traits: {} });
    else stored.add(id);
  }
  if (stored.size === 0) return profiles;
  const rows = await tx.customer.findMany({
    where: { id: { in: [...stored] } },
    select: { id: true, displayName: true, lifecycleStage: true, traits: true },
  });
  for (const row of rows) {
    profiles.set(row.id, {
      displayName: row.displayName,
      lifecycleStage: row.lifecycleStage,
      traits: asJsonObject(row.traits),
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
           "traits" = v."traits"::jsonb, "updatedAt" = now()
      FROM unnest(${rows.map(([id]) => id)}::uuid[], ${rows.map(([, p]) => p.displayName)}::text[],
                  ${rows.map(([, p]) => p.lifecycleStage)}::text[],
                  ${rows.map(([, p]) => JSON.stringify(p.traits))}::text[])
           AS v(id, "displayName", "lifecycleStage", "traits")
     WHERE c."id" = v.id`);
}
