// One model of Shopify's orders, refunds and customers, read from either of the shapes Shopify sends:
// the GraphQL Admin API (camelCase, GIDs, MoneyBag) that the streams page through, and the REST-shaped
// JSON (snake_case, 64-bit numeric ids) of webhook bodies. Mapping both to this model first is what
// makes a webhook and a sync of the same order give the same records (same externalId, same fields).
import type { GqlCustomer, GqlOrder, GqlRefund, MoneyBag } from "./client.ts";
import { sumDecimals } from "./decimal.ts";
import type { RestCustomer, RestOrder, RestRefund } from "./rest-payloads.ts";

export interface Money {
  amount: string;
  currency: string;
}

export interface ShopRefund {
  /** gid://shopify/Refund/… */
  id: string;
  createdAt: string | null;
  note: string | null;
  /** In the shop's currency; absent when a webhook's transactions are in another (presentment) currency. */
  amount?: Money;
  /** The refunded amount in the customer's currency, when it could not be given in the shop's. */
  presentmentAmount?: Money;
}

export interface ShopOrder {
  /** gid://shopify/Order/… */
  id: string;
  name: string;
  email: string | null;
  processedAt: string;
  /** The order's version at Shopify (updated_at): every record made from the order carries it. */
  updatedAt: string | null;
  cancelledAt: string | null;
  /** Lower-case, as REST writes it: customer, declined, fraud, inventory, other, staff. */
  cancelReason: string | null;
  test: boolean;
  /** Lower-case, as REST writes it: pending, authorized, paid, partially_refunded, refunded, voided, … */
  financialStatus: string | null;
  tags: string[];
  /** The quantities of the line items that make up the subtotal (gift cards and tips excluded). */
  itemCount: number;
  /** totalPriceSet.shopMoney: the total at creation, in the shop's currency. Empty strings when missing. */
  total: Money;
  /** The customer's numeric id (legacyResourceId) and email, or null for a guest checkout. */
  customer: { id: string; email: string | null } | null;
  refunds: ShopRefund[];
}

export interface ShopCustomer {
  /** The numeric id (legacyResourceId). */
  id: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  /** Lower-case: disabled, invited, enabled, declined. */
  state: string | null;
  /** Absent when the payload does not carry tags (REST customer webhooks do not). */
  tags?: string[];
  /** The customer's own version: every change to the customer moves it (and sends customers/update). */
  updatedAt: string | null;
}

/** The numeric tail of a GID: gid://shopify/Customer/115310627314723954 → "115310627314723954". */
export function numericId(gid: string): string {
  return gid.slice(gid.lastIndexOf("/") + 1);
}

/** The GID of a REST resource, from admin_graphql_api_id or else built from its numeric id. */
export function gidOf(
  kind: "Order" | "Refund" | "Customer",
  rest: { id?: unknown; admin_graphql_api_id?: unknown },
) {
  if (typeof rest.admin_graphql_api_id === "string" && rest.admin_graphql_api_id)
    return rest.admin_graphql_api_id;
  return `gid://shopify/${kind}/${String(rest.id)}`;
}

const lower = (value: string | null | undefined) => (value ? value.toLowerCase() : null);

/** REST writes tags as one comma-separated string ("tag1, tag2"); GraphQL as a list. */
export function splitTags(tags: string | null | undefined): string[] {
  return (tags ?? "")
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
}

function shopMoney(bag: MoneyBag | null | undefined): Money {
  return { amount: bag?.shopMoney?.amount ?? "", currency: bag?.shopMoney?.currencyCode ?? "" };
}

// ---- From the GraphQL Admin API ----

export function refundFromGraphql(refund: GqlRefund): ShopRefund {
  return {
    id: refund.id,
    createdAt: refund.createdAt,
    note: refund.note,
    amount: shopMoney(refund.totalRefundedSet),
  };
}

export function orderFromGraphql(order: GqlOrder): ShopOrder {
  return {
    id: order.id,
    name: order.name,
    email: order.email,
    processedAt: order.processedAt,
    updatedAt: order.updatedAt ?? null,
    cancelledAt: order.cancelledAt,
    cancelReason: lower(order.cancelReason),
    test: order.test,
    financialStatus: lower(order.displayFinancialStatus),
    tags: order.tags ?? [],
    itemCount: order.subtotalLineItemsQuantity,
    total: shopMoney(order.totalPriceSet),
    customer: order.customer
      ? {
          id: order.customer.legacyResourceId,
          email: order.customer.defaultEmailAddress?.emailAddress ?? null,
        }
      : null,
    refunds: (order.refunds ?? []).map(refundFromGraphql),
  };
}

export function customerFromGraphql(customer: GqlCustomer): ShopCustomer {
  return {
    id: customer.legacyResourceId,
    email: customer.defaultEmailAddress?.emailAddress ?? null,
    phone: customer.defaultPhoneNumber?.phoneNumber ?? null,
    firstName: customer.firstName,
    lastName: customer.lastName,
    state: lower(customer.state),
    tags: customer.tags ?? [],
    updatedAt: customer.updatedAt ?? null,
  };
}

// ---- From REST-shaped webhook bodies (ids already read exactly, see json.ts) ----

// The REST types are the validated shapes of rest-payloads.ts: a webhook body is checked there first.
export type { RestCustomer, RestOrder, RestRefund } from "./rest-payloads.ts";

type RestMoneySet = {
  shop_money?: { currency_code?: string | null } | null;
  presentment_money?: { currency_code?: string | null } | null;
};

/** The currencies a REST refund names in its money sets, for when its transactions do not say. */
function refundCurrency(refund: RestRefund, side: "shop_money" | "presentment_money"): string | undefined {
  const sets = [
    refund.total_duties_set,
    ...(refund.refund_line_items ?? []).map((line) => line.subtotal_set),
  ];
  return sets
    .map((set: RestMoneySet | null | undefined) => set?.[side]?.currency_code)
    .find((code): code is string => Boolean(code));
}

/**
 * A REST refund. Its money is in its transactions (Shopify's totalRefundedSet is their total): the
 * successful `refund` transactions, summed exactly. Transactions are in the customer's (presentment)
 * currency; when that is the shop's currency the sum is the shop amount the GraphQL API reports, and
 * otherwise the shop amount is unknown here and left for the next sync to fill in.
 */
export function refundFromRest(
  refund: RestRefund,
  context: { shopCurrency?: string | undefined; presentmentCurrency?: string | undefined } = {},
): ShopRefund {
  const transactions = (refund.transactions ?? []).filter(
    (t) => t.kind === "refund" && t.status === "success",
  );
  const raw = transactions.map((t) => String(t.amount ?? ""));
  const sum = sumDecimals(raw) ?? raw.join("+");
  const shopCurrency = context.shopCurrency ?? refundCurrency(refund, "shop_money");
  const paidIn =
    transactions.find((t) => t.currency)?.currency ??
    context.presentmentCurrency ??
    refundCurrency(refund, "presentment_money") ??
    shopCurrency;
  const base: ShopRefund = {
    id: gidOf("Refund", refund),
    createdAt: refund.created_at ?? null,
    note: refund.note ?? null,
  };
  if (shopCurrency && paidIn === shopCurrency)
    return { ...base, amount: { amount: sum, currency: shopCurrency } };
  return paidIn ? { ...base, presentmentAmount: { amount: sum, currency: paidIn } } : base;
}

export function orderFromRest(order: RestOrder): ShopOrder {
  const customer = order.customer;
  return {
    id: gidOf("Order", order),
    name: order.name ?? "",
    email: order.email ?? null,
    processedAt: order.processed_at ?? "",
    updatedAt: order.updated_at,
    cancelledAt: order.cancelled_at ?? null,
    cancelReason: lower(order.cancel_reason),
    test: order.test ?? false,
    financialStatus: lower(order.financial_status),
    tags: splitTags(order.tags),
    itemCount: (order.line_items ?? [])
      .filter((line) => line.gift_card !== true)
      .reduce((count, line) => count + (line.quantity ?? 0), 0),
    total: {
      amount: order.total_price_set?.shop_money?.amount ?? "",
      currency: order.total_price_set?.shop_money?.currency_code ?? "",
    },
    customer: customer ? { id: numericId(gidOf("Customer", customer)), email: customer.email ?? null } : null,
    refunds: (order.refunds ?? []).map((refund) =>
      refundFromRest(refund, {
        shopCurrency: order.currency ?? undefined,
        presentmentCurrency: order.presentment_currency ?? undefined,
      }),
    ),
  };
}

export function customerFromRest(customer: RestCustomer): ShopCustomer {
  const model: ShopCustomer = {
    id: numericId(gidOf("Customer", customer)),
    email: customer.email ?? null,
    phone: customer.phone ?? null,
    firstName: customer.first_name ?? null,
    lastName: customer.last_name ?? null,
    state: lower(customer.state),
    updatedAt: customer.updated_at ?? null,
  };
  return customer.tags === undefined ? model : { ...model, tags: splitTags(customer.tags) };
}
