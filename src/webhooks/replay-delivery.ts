// Replaying a delivery: its event sent to its endpoint again as a new delivery, due at once, retried
// like any other. The same webhook-id goes out, so a receiver that already has the event can tell.
import type { PrismaClient } from "../db/database.ts";
import { ConflictError, NotFoundError } from "../domain/errors.ts";
import { WEBHOOKS_CHANNEL } from "../domain/webhooks/webhook-events.ts";
import type { OutgoingWebhookDelivery } from "../generated/prisma/client.ts";

/**
 * Sends an event to an endpoint again, as a new delivery of the same message (same webhook-id, so a
 * receiver that already has it can tell), due at once. A delivery still on its way is refused.
 */
export async function replayWebhookDelivery(
  db: PrismaClient,
  deliveryId: string,
  now: Date,
): Promise<OutgoingWebhookDelivery> {
  const original = await db.outgoingWebhookDelivery.findUnique({
    where: { id: deliveryId },
    include: { endpoint: { select: { enabled: true } } },
  });
  if (!original)
    throw new NotFoundError(`No webhook delivery has the id ${deliveryId}.`, "WebhookDelivery", deliveryId);
  if (original.status === "PENDING" || original.status === "SENDING")
    throw new ConflictError(
      `Webhook delivery ${deliveryId} is still on its way (${original.status.toLowerCase()}): it is retried on its own; replay it once it succeeded or was dead-lettered.`,
    );
  if (!original.endpoint.enabled)
    throw new ConflictError(
      "The delivery's endpoint is disabled: enable it (updateWebhookEndpoint with enabled: true), then replay.",
    );
  return db.$transaction(async (tx) => {
    const replay = await tx.outgoingWebhookDelivery.create({
      data: {
        eventId: original.eventId,
        endpointId: original.endpointId,
        replayOfId: original.id,
        createdAt: now,
      },
    });
    await tx.$executeRaw`SELECT pg_notify(${WEBHOOKS_CHANNEL}, '')`;
    return replay;
  });
}
