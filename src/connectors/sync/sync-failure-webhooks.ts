// A failed sync run as an outgoing webhook event (SYNC_FAILED), recorded in the transaction that
// marked the run FAILED: by its runner, or by the reaper when its process died. Nothing is read when
// no enabled endpoint subscribes.
import { hasWebhookSubscribers, recordWebhookEvents } from "../../domain/webhooks/webhook-events.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

/** Records SYNC_FAILED for each run given (runs that just ended FAILED). */
export async function recordSyncFailedWebhooks(
  tx: Prisma.TransactionClient,
  runIds: string[],
  now: Date,
): Promise<void> {
  if (runIds.length === 0 || !(await hasWebhookSubscribers(tx, ["SYNC_FAILED"]))) return;
  const runs = await tx.syncRun.findMany({
    where: { id: { in: runIds }, status: "FAILED" },
    include: { connector: { select: { name: true } } },
  });
  await recordWebhookEvents(
    tx,
    runs.map((run) => ({
      type: "SYNC_FAILED" as const,
      occurredAt: run.finishedAt ?? now,
      data: {
        runId: run.id,
        connectorId: run.connectorId,
        connectorName: run.connector.name,
        trigger: run.trigger,
        error: run.error,
      },
    })),
    now,
  );
}
