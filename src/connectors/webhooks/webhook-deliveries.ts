// Replay protection for webhooks. A delivery is known by what its provider authenticated: the SHA-256
// of its raw body, which the signature covers. Not by a delivery-id header (X-Shopify-Webhook-Id, …):
// headers are outside the signature, so a captured body re-sent under a fresh id would pass as new.
// The key is remembered once the delivery's records are committed (or it is dead-lettered), in the same
// transaction, so a delivery repeated by the provider (or replayed by someone who captured it) is
// answered 200 and changes nothing, while one whose ingest failed is not marked seen and can be
// retried. The provider's own id is kept beside it, for tracing. An older body replayed after the keys
// are pruned is stopped by the facts' versions instead (src/domain/source-version.ts).
import { createHash } from "node:crypto";
import type { Db } from "../../db/database.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

/** Delivery keys are kept this long: longer than providers retry (Stripe: 3 days, Shopify: 48 hours). */
export const DEFAULT_DELIVERY_RETENTION_MS = 7 * 24 * 3600_000;

/** What makes two deliveries to one connector the same: their authenticated bytes. */
export function signedDeliveryKey(rawBody: Uint8Array): string {
  return `sha256:${createHash("sha256").update(rawBody).digest("hex")}`;
}

export async function isDeliverySeen(db: Db, connectorId: string, deliveryKey: string): Promise<boolean> {
  const row = await db.webhookDelivery.findUnique({
    where: { connectorId_deliveryId: { connectorId, deliveryId: deliveryKey } },
    select: { deliveryId: true },
  });
  return row !== null;
}

/** Records the delivery; false when it was recorded already (a concurrent duplicate won). */
export async function rememberDelivery(
  tx: Prisma.TransactionClient,
  delivery: {
    connectorId: string;
    deliveryKey: string;
    /** The provider's id of the delivery, as its unsigned header says: information only. */
    providerDeliveryId: string | undefined;
    receivedAt: Date;
  },
): Promise<boolean> {
  const { count } = await tx.webhookDelivery.createMany({
    data: [
      {
        connectorId: delivery.connectorId,
        deliveryId: delivery.deliveryKey,
        providerDeliveryId: delivery.providerDeliveryId ?? null,
        receivedAt: delivery.receivedAt,
      },
    ],
    skipDuplicates: true,
  });
  return count === 1;
}

/** Forgets deliveries received before `before`. */
export async function pruneWebhookDeliveries(db: Db, before: Date): Promise<number> {
  return (await db.webhookDelivery.deleteMany({ where: { receivedAt: { lt: before } } })).count;
}
