// Sync requests: a webhook delivery that says "the provider has changes" (Gmail's push) without
// carrying them asks for a run. The request is a flag on the connector, set in the delivery's own
// transaction, so it survives a crash and any instance can answer it; a run clears it when it starts,
// before it reads the provider, so a request made while a run reads stays set and gets a run of its
// own after that one. No clocks are compared: instances' clocks may disagree. The engine of the
// instance that took the delivery answers at once (or when its run in progress ends); every
// scheduler tick answers the requests nobody answered yet (queueRequestedSync, in sync-runs.ts).
import type { Db } from "../../db/database.ts";

/** Sets the request (several before a run are answered by that one run). */
export async function recordSyncRequest(
  db: Db,
  connectorId: string,
  request: { reason: string; at: Date },
): Promise<void> {
  await db.connector.update({
    where: { id: connectorId },
    data: {
      syncRequested: true,
      syncRequestedAt: request.at,
      syncRequestReason: request.reason.slice(0, 500),
    },
  });
}

/** A run starting now answers the requests made so far: it reads the provider after this. */
export async function clearSyncRequest(db: Db, connectorId: string): Promise<void> {
  await db.connector.updateMany({
    where: { id: connectorId, syncRequested: true },
    data: { syncRequested: false },
  });
}
