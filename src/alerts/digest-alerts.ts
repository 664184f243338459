// Digests instead of floods: when one transaction raises more than `alerts.digestAbove` alerts for
// one owner (a scheduled rescore's slice, a refit), the owner hears one digest listing them rather
// than each alert pushed on its own. The alerts are stored as always, each pointing at its digest;
// only the digest enters the live stream, published by the dispatcher like an alert (it is its own
// outbox row), once, after commit.
//
// Counted per transaction, not per call: a transaction may rescore in several batches, each raising
// alerts. Every alert records the transaction that raised it (pg_current_xact_id, the top-level
// transaction even inside a savepoint), and alerts raised by the transaction still open are exactly
// the unpublished ones it can see with that id: no other transaction's uncommitted rows are visible,
// and committed ones carry another id. So each call recounts the transaction's alerts per owner,
// creates the owner's digest the first time the count passes the limit, and grows it on later calls;
// nothing is published until the transaction commits, so the alerts raised before the limit was
// passed join the digest too.
//
// Customers nobody owns count together, as one owner: their digest has no owner and reaches the
// subscribers who follow every alert (admins and analysts), who would otherwise get the flood.
import { uuidv7 } from "../db/uuid-v7.ts";
import { Prisma } from "../generated/prisma/client.ts";

/** A digest written or grown by this transaction. */
export interface RaisedDigest {
  id: string;
  ownerId: string | null;
  alertCount: number;
}

/** The alerts this transaction raised that are still waiting for the dispatcher (see above). */
export const RAISED_IN_THIS_TRANSACTION = `"publishedAt" IS NULL AND "raisedInTransaction" = pg_current_xact_id()::text::bigint`;

interface CrowdedOwner {
  ownerId: string | null;
  alertCount: number;
  highCount: number;
  criticalCount: number;
  digestId: string | null;
}

/**
 * Gathers the alerts this transaction raised into one digest per owner who has more than
 * `digestAbove` of them; returns the digests written or grown.
 */
export async function digestCrowdedOwners(
  tx: Prisma.TransactionClient,
  digestAbove: number,
): Promise<RaisedDigest[]> {
  const crowded = await tx.$queryRaw<CrowdedOwner[]>`
    SELECT "ownerId", count(*)::int AS "alertCount",
      count(*) FILTER (WHERE "level" = 'HIGH')::int AS "highCount",
      count(*) FILTER (WHERE "level" = 'CRITICAL')::int AS "criticalCount",
      min("digestId"::text) AS "digestId"
    FROM "Alert"
    WHERE ${Prisma.raw(RAISED_IN_THIS_TRANSACTION)}
    GROUP BY "ownerId"
    HAVING count(*) > ${digestAbove}`;
  if (crowded.length === 0) return [];
  const digests = crowded.map((owner) => ({ ...owner, id: owner.digestId ?? uuidv7() }));
  const column = <T>(pick: (digest: (typeof digests)[number]) => T) => digests.map(pick);
  await tx.$executeRaw`
    WITH input AS (
      SELECT * FROM unnest(
        ${column((d) => d.id)}::uuid[],
        ${column((d) => d.ownerId)}::uuid[],
        ${column((d) => d.alertCount)}::int[],
        ${column((d) => d.highCount)}::int[],
        ${column((d) => d.criticalCount)}::int[]
      ) AS t(id, "ownerId", "alertCount", "highCount", "criticalCount")
    ), written AS (
      INSERT INTO "AlertDigest" ("id", "ownerId", "alertCount", "highCount", "criticalCount", "createdAt")
      SELECT id, "ownerId", "alertCount", "highCount", "criticalCount", clock_timestamp() FROM input
      ON CONFLICT ("id") DO UPDATE SET "alertCount" = EXCLUDED."alertCount",
        "highCount" = EXCLUDED."highCount", "criticalCount" = EXCLUDED."criticalCount"
    )
    UPDATE "Alert" a SET "digestId" = input.id
    FROM input
    WHERE ${Prisma.raw(RAISED_IN_THIS_TRANSACTION)}
      AND a."digestId" IS NULL AND a."ownerId" IS NOT DISTINCT FROM input."ownerId"`;
  return digests.map(({ id, ownerId, alertCount }) => ({ id, ownerId, alertCount }));
}
