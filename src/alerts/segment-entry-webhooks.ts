// Segment entries as outgoing webhook events (SEGMENT_ENTERED), recorded in the transaction that
// added the customers' SegmentMembership rows (a write's unit of work, or the daily check), so that
// an entry goes out exactly when it committed: once, and never for a rolled-back write. Nothing is
// read when no enabled endpoint subscribes.
import type { SegmentEntry } from "../domain/segments/segment-entries.ts";
import { hasWebhookSubscribers, recordWebhookEvents } from "../domain/webhooks/webhook-events.ts";
import type { Prisma } from "../generated/prisma/client.ts";

/** Records SEGMENT_ENTERED for each entry given (entries this transaction just recorded). */
export async function recordSegmentEntryWebhooks(
  tx: Prisma.TransactionClient,
  entries: SegmentEntry[],
  now: Date,
): Promise<void> {
  if (entries.length === 0 || !(await hasWebhookSubscribers(tx, ["SEGMENT_ENTERED"]))) return;
  const [segments, customers] = await Promise.all([
    tx.segment.findMany({
      where: { id: { in: [...new Set(entries.map((entry) => entry.segmentId))] } },
      select: { id: true, name: true },
    }),
    tx.customer.findMany({
      where: { id: { in: [...new Set(entries.map((entry) => entry.customerId))] } },
      select: { id: true, displayName: true },
    }),
  ]);
  const segmentById = new Map(segments.map((segment) => [segment.id, segment]));
  const nameById = new Map(customers.map((customer) => [customer.id, customer.displayName]));
  await recordWebhookEvents(
    tx,
    entries.flatMap((entry) => {
      const segment = segmentById.get(entry.segmentId);
      if (!segment) return [];
      return [
        {
          type: "SEGMENT_ENTERED" as const,
          occurredAt: entry.enteredAt,
          customerId: entry.customerId,
          data: {
            segment: { id: segment.id, name: segment.name },
            customer: {
              id: entry.customerId,
              displayName: nameById.get(entry.customerId) ?? null,
              ownerId: entry.ownerId,
            },
            enteredAt: entry.enteredAt.toISOString(),
          },
        },
      ];
    }),
    now,
  );
}
