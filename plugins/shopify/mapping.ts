// From the Shopify model (model.ts) to the hub's normalized records. Pure functions, shared by the
// streams and the webhooks. Every externalId is a Shopify GID (or derived from one), which the GraphQL
// API returns as `id` and REST payloads as `admin_graphql_api_id`.
import { type ConnectorRecordInput, type IdentityInput, identity, type JsonValue, record } from "cx-hub/sdk";
import { normalizeAmount } from "./decimal.ts";
import type { Money, ShopCustomer, ShopOrder, ShopRefund } from "./model.ts";

/** The externalId of an order's cancellation: one per order, beside the order's own. */
export const cancellationId = (orderGid: string) => `${orderGid}:cancelled`;

function money(value: Money): { amount: string; currency: string } {
  return { amount: normalizeAmount(value.amount, value.currency), currency: value.currency };
}

function uniqueEmails(...emails: (string | null | undefined)[]): string[] {
  const seen = new Set<string>();
  const list: string[] = [];
  for (const email of emails) {
    const key = email?.trim().toLowerCase();
    if (!email || !key || seen.has(key)) continue;
    seen.add(key);
    list.push(email.trim());
  }
  return list;
}

/**
 * A phone in international form (+14155550123), or undefined. Shopify stores customers' phones in E.164,
 * but its payloads also carry local numbers ("555-625-1199"); those cannot name one person, so they are
 * left out rather than make the whole record invalid.
 */
export function internationalPhone(phone: string | null | undefined): string | undefined {
  const compact = phone?.replace(/[\s().-]/g, "");
  return compact && /^\+[1-9]\d{6,14}$/.test(compact) ? compact : undefined;
}

/** The shop's customer id first, then the order's email and the customer's (when they differ). */
export function orderIdentities(shop: string, order: ShopOrder): IdentityInput[] {
  const identities: IdentityInput[] = [];
  if (order.customer?.id) identities.push(identity.shopCustomer(shop, order.customer.id));
  for (const email of uniqueEmails(order.email, order.customer?.email))
    identities.push(identity.email(email));
  return identities;
}

export function customerIdentities(shop: string, customer: ShopCustomer): IdentityInput[] {
  const identities: IdentityInput[] = [identity.shopCustomer(shop, customer.id)];
  for (const email of uniqueEmails(customer.email)) identities.push(identity.email(email));
  const phone = internationalPhone(customer.phone);
  if (phone) identities.push(identity.phone(phone));
  return identities;
}

const items = (count: number) => `${count} ${count === 1 ? "item" : "items"}`;

/**
 * The order's version, on every record made from it (its placement, cancellation and refunds): a
 * webhook or a sync page carrying an older state of the order cannot overwrite a newer one.
 */
const orderVersion = (order: ShopOrder) => (order.updatedAt ? { sourceUpdatedAt: order.updatedAt } : {});

function refundRecord(
  order: ShopOrder,
  refund: ShopRefund,
  identities: IdentityInput[],
): ConnectorRecordInput {
  const metadata: Record<string, JsonValue> = { orderId: order.id, orderName: order.name, note: refund.note };
  if (refund.presentmentAmount) metadata.presentmentAmount = money(refund.presentmentAmount);
  return record.interaction({
    externalId: refund.id,
    identities,
    channel: "ecommerce",
    kind: "order.refunded",
    direction: "outbound",
    occurredAt: refund.createdAt ?? "",
    summary: `Refund on order ${order.name}`,
    ...(refund.amount ? { amount: money(refund.amount) } : {}),
    conversationId: order.id,
    metadata,
    ...orderVersion(order),
  });
}

/**
 * What an order says: it was placed (money in, from the customer), possibly cancelled, and possibly
 * refunded (money out, one interaction per refund). All of them name the customer the same way and
 * share the order's GID as their conversation.
 */
export function orderRecords(shop: string, order: ShopOrder): ConnectorRecordInput[] {
  const identities = orderIdentities(shop, order);
  const records: ConnectorRecordInput[] = [
    record.interaction({
      externalId: order.id,
      identities,
      channel: "ecommerce",
      kind: "order.placed",
      direction: "inbound",
      occurredAt: order.processedAt,
      summary: `Order ${order.name} — ${items(order.itemCount)}`,
      amount: money(order.total),
      conversationId: order.id,
      metadata: {
        orderName: order.name,
        financialStatus: order.financialStatus,
        test: order.test,
        tags: order.tags,
      },
      ...orderVersion(order),
    }),
  ];
  if (order.cancelledAt) {
    records.push(
      record.interaction({
        externalId: cancellationId(order.id),
        identities,
        channel: "ecommerce",
        kind: "order.cancelled",
        // A customer's request comes from them; any other reason is the shop's decision.
        direction: order.cancelReason === "customer" ? "inbound" : "outbound",
        occurredAt: order.cancelledAt,
        summary: `Order ${order.name} cancelled${order.cancelReason ? ` (${order.cancelReason})` : ""}`,
        conversationId: order.id,
        metadata: { orderId: order.id, orderName: order.name, cancelReason: order.cancelReason },
        ...orderVersion(order),
      }),
    );
  }
  for (const refund of order.refunds) records.push(refundRecord(order, refund, identities));
  return records;
}

/** Only the refund records of an order (refunds/create). */
export function refundRecords(shop: string, order: ShopOrder, refundGid: string): ConnectorRecordInput[] {
  const identities = orderIdentities(shop, order);
  return order.refunds
    .filter((refund) => refund.id === refundGid)
    .map((refund) => refundRecord(order, refund, identities));
}

/** Who a customer is. Traits are merged into the hub's profile: a key left out keeps its value. */
export function customerRecord(shop: string, customer: ShopCustomer): ConnectorRecordInput {
  const displayName = [customer.firstName, customer.lastName].filter(Boolean).join(" ").trim();
  const traits: Record<string, JsonValue> = { shopifyCustomerId: customer.id };
  if (customer.state) traits.shopifyState = customer.state;
  if (customer.tags) traits.shopifyTags = customer.tags;
  return record.customer({
    identities: customerIdentities(shop, customer),
    ...(displayName ? { displayName } : {}),
    traits,
    // A replayed customers/update (an older updated_at) is skipped, not a rollback of the name.
    ...(customer.updatedAt ? { sourceUpdatedAt: customer.updatedAt } : {}),
  });
}
