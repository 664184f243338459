// Shopify's HTTPS webhooks: verifying X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body with the
// app's client secret), and turning each topic's REST-shaped body into the same records as the streams,
// plus deletions and the mandatory privacy topics. README.md, "Webhooks", lists the topics and why.
import {
  type ConnectorContext,
  type ConnectorRecordInput,
  type IdentityInput,
  identity,
  readWebhookPayload,
  record,
  verifyHmacSha256,
  WebhookPayloadError,
  type WebhookRequest,
  type WebhookVerification,
} from "cx-hub/sdk";
import { getOrder, type ShopifyConfig } from "./client.ts";
import { parseJsonKeepingLargeIntegers } from "./json.ts";
import { cancellationId, customerRecord, orderRecords, refundRecords } from "./mapping.ts";
import {
  customerFromRest,
  gidOf,
  numericId,
  orderFromGraphql,
  orderFromRest,
  refundFromRest,
} from "./model.ts";
import {
  customersDataRequestSchema,
  customersRedactSchema,
  type RestRefund,
  restCustomerSchema,
  restDeletedSchema,
  restOrderSchema,
  restRefundSchema,
} from "./rest-payloads.ts";

type Ctx = ConnectorContext<ShopifyConfig>;

/** Topics whose body is an Order: any change to an order sends orders/updated; the others are subsets. */
export const ORDER_TOPICS = new Set([
  "orders/create",
  "orders/updated",
  "orders/paid",
  "orders/cancelled",
  "orders/fulfilled",
  "orders/partially_fulfilled",
]);

export function verifyShopifyWebhook(request: WebhookRequest, ctx: Ctx): WebhookVerification {
  if (!ctx.config.clientSecret) {
    return {
      valid: false,
      reason:
        "no client secret is configured: add the app's client secret, which Shopify signs webhooks with",
    };
  }
  const valid = verifyHmacSha256({
    secret: ctx.config.clientSecret,
    body: request.rawBody,
    signature: request.headers.get("x-shopify-hmac-sha256"),
    encoding: "base64",
  });
  if (!valid) {
    return {
      valid: false,
      reason: "the X-Shopify-Hmac-Sha256 does not match the body signed with the client secret",
    };
  }
  // No sentAt: Shopify signs the body only, so X-Shopify-Triggered-At is not a signed time, and retries
  // (8 over 4 hours) carry the time the event was triggered: a replay window on it would refuse them.
  // X-Shopify-Webhook-Id lets the hub drop repeated deliveries.
  return { valid: true, deliveryId: request.headers.get("x-shopify-webhook-id") ?? undefined };
}

function timestamp(value: string | null | undefined): string | undefined {
  return value && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

function readBody(request: WebhookRequest, topic: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = parseJsonKeepingLargeIntegers(new TextDecoder("utf-8").decode(request.rawBody));
  } catch (error) {
    throw new WebhookPayloadError(`The ${topic} webhook body is not JSON: ${(error as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new WebhookPayloadError(`The ${topic} webhook body is not a JSON object.`);
  }
  return body as Record<string, unknown>;
}

/** The identities of a privacy request: the shop's customer id and the email. Local phones are left out. */
function privacyIdentities(
  shop: string,
  customer: { id?: unknown; email?: unknown } | null | undefined,
): IdentityInput[] {
  const identities: IdentityInput[] = [];
  if (customer?.id !== undefined && customer.id !== null)
    identities.push(identity.shopCustomer(shop, String(customer.id)));
  if (typeof customer?.email === "string" && customer.email.trim())
    identities.push(identity.email(customer.email));
  return identities;
}

const orderGids = (ids: readonly (string | number)[] | null | undefined) =>
  (ids ?? []).map((id) => `gid://shopify/Order/${String(id)}`);

export async function parseShopifyWebhook(
  request: WebhookRequest,
  ctx: Ctx,
): Promise<ConnectorRecordInput[]> {
  const shop = ctx.config.shopDomain;
  const topic = request.headers.get("x-shopify-topic")?.trim().toLowerCase();
  if (!topic) throw new WebhookPayloadError("The delivery has no X-Shopify-Topic header.");
  const from = request.headers.get("x-shopify-shop-domain")?.trim().toLowerCase();
  if (from && from !== shop) {
    throw new WebhookPayloadError(
      `This delivery is for the shop ${from}, but this connector syncs ${shop}: point ${from}'s webhooks at its own connector.`,
    );
  }
  const body = readBody(request, topic);
  const triggeredAt = timestamp(request.headers.get("x-shopify-triggered-at"));
  const deliveryId = request.headers.get("x-shopify-webhook-id") ?? undefined;

  // Every body is read with the schema of its topic before it is mapped (rest-payloads.ts).
  const read = <T extends Parameters<typeof readWebhookPayload>[0]>(schema: T) =>
    readWebhookPayload(schema, body, `The ${topic} webhook body`);

  if (ORDER_TOPICS.has(topic)) return orderRecords(shop, orderFromRest(read(restOrderSchema)));
  switch (topic) {
    case "refunds/create":
      return refundWebhookRecords(ctx, read(restRefundSchema));
    case "orders/delete": {
      const order = gidOf("Order", read(restDeletedSchema));
      return [order, cancellationId(order)].map((externalId) =>
        record.deletion({
          entity: "interaction",
          externalId,
          deletedAt: triggeredAt,
          reason: "orders/delete",
        }),
      );
    }
    case "customers/create":
    case "customers/update":
      return [customerRecord(shop, customerFromRest(read(restCustomerSchema)))];
    case "customers/delete":
      return [
        record.deletion({
          entity: "customer",
          identities: [identity.shopCustomer(shop, numericId(gidOf("Customer", read(restDeletedSchema))))],
          deletedAt: triggeredAt,
          reason: "customers/delete",
        }),
      ];
    case "customers/redact": {
      const redact = read(customersRedactSchema);
      return [
        record.privacyRequest({
          action: "erase",
          // The payload carries no request id: the delivery's id stands for it (retries keep it).
          requestId: deliveryId ?? `customers/redact:${String(redact.customer?.id)}`,
          identities: privacyIdentities(shop, redact.customer),
          externalIds: orderGids(redact.orders_to_redact),
          requestedAt: triggeredAt ?? new Date(),
        }),
      ];
    }
    case "customers/data_request": {
      const request = read(customersDataRequestSchema);
      const requestId = request.data_request?.id;
      return [
        record.privacyRequest({
          action: "export",
          requestId: requestId == null ? (deliveryId ?? "") : String(requestId),
          identities: privacyIdentities(shop, request.customer),
          externalIds: orderGids(request.orders_requested),
          requestedAt: triggeredAt ?? new Date(),
        }),
      ];
    }
    case "shop/redact":
      // No record says "erase everything this connector holds for a shop": refuse it where people see it
      // (the hub keeps the delivery as a dead letter) rather than acknowledge an erasure that never runs.
      throw new WebhookPayloadError(
        `shop/redact for ${shop}: Shopify asks to erase all data of this shop (48 hours after the app was uninstalled). The hub cannot do that from a webhook record: delete this connector's data, then remove the connector.`,
      );
    default:
      throw new WebhookPayloadError(
        `The topic ${topic} is not one this connector reads: unsubscribe it, or subscribe only to the topics listed in plugins/shopify/README.md.`,
      );
  }
}

/**
 * refunds/create names the order only by its id, not its customer: the order is read from the GraphQL
 * Admin API, and the refund's records are the ones a sync of that order gives. Should the order not list
 * the refund yet, the refund is read from the webhook body, in the order's currencies.
 */
async function refundWebhookRecords(ctx: Ctx, refund: RestRefund): Promise<ConnectorRecordInput[]> {
  if (refund.order_id === undefined)
    throw new WebhookPayloadError("The refunds/create webhook body has no order_id.");
  const found = await getOrder(ctx, `gid://shopify/Order/${String(refund.order_id)}`);
  if (!found) {
    throw new WebhookPayloadError(
      `refunds/create: the order ${String(refund.order_id)} is not in the shop (deleted?).`,
    );
  }
  const order = orderFromGraphql(found);
  const refundGid = gidOf("Refund", refund);
  const synced = refundRecords(ctx.config.shopDomain, order, refundGid);
  if (synced.length > 0) return synced;
  const fromBody = refundFromRest(refund, {
    shopCurrency: found.currencyCode,
    presentmentCurrency: found.presentmentCurrencyCode,
  });
  return refundRecords(ctx.config.shopDomain, { ...order, refunds: [fromBody] }, refundGid);
}
