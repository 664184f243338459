// When customers and their identities were last (and first) seen, moved by the facts that name them.
// Times only widen: firstSeenAt moves back, lastSeenAt forward, so replaying old records changes
// nothing and concurrent writers keep the true minimum and maximum (each update is atomic per row).
//
// Both updates name their rows twice: joined to the batch's values, and by `id = ANY(ids)`. Joined
// only, PostgreSQL hashed the whole table for every batch (the array's rows look few beside it), so a
// batch cost what the table holds and a sync slowed down as it went. Planned with its values, `= ANY`
// still read the whole table once a batch's ids were a few percent of it (a sync's 1,000 identities
// of 47,000: 7 ms of scanning for 1 ms of index probes), so the statement is prepared: its generic
// plan, which PostgreSQL keeps once it costs less than the planned ones, probes the primary key.
import { PREPARED } from "../../db/prepared-statements.ts";
import { transactionSql } from "../../db/transaction-sql.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

/** The earliest and latest time a run of records saw a customer. */
export interface SeenWindow {
  first: Date;
  last: Date;
}

/** Widens each window by `at`, creating it when the customer has none yet. */
export function widen(windows: Map<string, SeenWindow>, customerId: string, at: Date): void {
  const window = windows.get(customerId);
  if (!window) windows.set(customerId, { first: at, last: at });
  else {
    if (at < window.first) window.first = at;
    if (at > window.last) window.last = at;
  }
}

/**
 * Widens the customers' seen windows and moves the identities' lastSeenAt forward, in one statement:
 * `customers` by customer id, `identities` by identity id (an identity's lastSeenAt only moves forward).
 */
export async function markSeen(
  tx: Prisma.TransactionClient,
  customers: Map<string, SeenWindow>,
  identities: Map<string, Date>,
): Promise<void> {
  if (customers.size === 0 && identities.size === 0) return;
  // In id order, so that writers updating overlapping customers take their rows in one order.
  const windows = [...customers.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const seen = [...identities.entries()];
  // Customers before identities, the order merges take them in. PostgreSQL promises no order between a
  // data-modifying WITH and the main statement, but runs a WITH that nothing reads after it: so the
  // Customer update is the main statement. The pipeline has locked these customers before anyway.
  await transactionSql(tx).execute(
    `${PREPARED}
     WITH identities AS (
       UPDATE "Identity" i SET "lastSeenAt" = v.seen
         FROM unnest($4::uuid[], $5::timestamptz[]) AS v(id, seen)
        WHERE i."id" = v.id AND i."id" = ANY($4::uuid[]) AND i."lastSeenAt" < v.seen
     )
     UPDATE "Customer" c
        SET "firstSeenAt" = LEAST(c."firstSeenAt", v.first), "lastSeenAt" = GREATEST(c."lastSeenAt", v.last),
            "updatedAt" = now()
       FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS v(id, first, last)
      WHERE c."id" = v.id AND c."id" = ANY($1::uuid[])
        AND (c."firstSeenAt" IS NULL OR c."firstSeenAt" > v.first OR c."lastSeenAt" IS NULL OR c."lastSeenAt" < v.last)`,
    [
      windows.map(([id]) => id),
      windows.map(([, w]) => w.first.toISOString()),
      windows.map(([, w]) => w.last.toISOString()),
      seen.map(([id]) => id),
      seen.map(([, at]) => at.toISOString()),
    ],
  );
}
