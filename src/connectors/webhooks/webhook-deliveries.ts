// Replay protection for webhooks: the delivery ids a provider gives (X-Shopify-Webhook-Id, …) are
// remembered once their records are committed, in the same transaction, so a delivery repeated by the
// provider (or replayed by someone who captured it) is answered 200 and changes nothing, while one
// whose ingest failed is not marked seen and can be retried.
import type { Db } from "../../db/database.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

/** Delivery ids are kept this long: longer than providers retry (Stripe: 3 days, Shopify: 48 hours). */
export const DEFAULT_DELIVERY_RETENTION_MS = 7 * 24 * 3600_000;

export async function isDeliverySeen(db: Db, connectorId: string, deliveryId: string): Promise<boolean> {
  const row = await db.webhookDelivery.findUnique({
    where: { connectorId_deliveryId: { connectorId, deliveryId } },
    select: { deliveryId: true },
  });
  return row !== null;
}

/** Records the delivery id; false when it was recorded already (a concurrent duplicate won). */
export async function rememberDelivery(
  tx: Prisma.TransactionClient,
  connectorId: string,
  deliveryId: string,
  receivedAt: Date,
): Promise<boolean> {
  const { count } = await tx.webhookDelivery.createMany({
    data: [{ connectorId, deliveryId, receivedAt }],
    skipDuplicates: true,
  });
  return count === 1;
}

/** Forgets delivery ids received before `before`. */
export async function pruneWebhookDeliveries(db: Db, before: Date): Promise<number> {
  return (await db.webhookDelivery.deleteMany({ where: { receivedAt: { lt: before } } })).count;
}
