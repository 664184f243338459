// The CDNOW purchase logs (prisma/demo/cdnow) as a Shopify shop's orders, in the GraphQL Admin API's
// Order shape: each purchase an order of its customer, placed at noon UTC on its day, paid in USD
// for its dollars and CDs. For the fake Admin API (fake-shopify-admin-api.ts): the sync bench and
// the tests that sync a whole shop through the engine.
import type { GqlOrder } from "../../../plugins/shopify/client.ts";
import type { CdnowPurchase } from "../../../src/demo/cdnow.ts";

/** Shopify ids are 64-bit numbers; these keep CDNOW's ids readable inside them. */
const ORDER_ID_BASE = 5_000_000_000_000;
const CUSTOMER_ID_BASE = 7_000_000_000_000;

export const cdnowEmail = (customerId: string) => `cdnow-${customerId}@example.com`;
export const cdnowShopCustomerId = (customerId: string) => String(CUSTOMER_ID_BASE + Number(customerId));

export function cdnowOrder(purchase: CdnowPurchase): GqlOrder {
  const at = `${purchase.day}T12:00:00Z`;
  const customerId = cdnowShopCustomerId(purchase.customerId);
  return {
    id: `gid://shopify/Order/${ORDER_ID_BASE + purchase.line}`,
    name: `#${1000 + purchase.line}`,
    email: cdnowEmail(purchase.customerId),
    createdAt: at,
    processedAt: at,
    updatedAt: at,
    cancelledAt: null,
    cancelReason: null,
    test: false,
    displayFinancialStatus: "PAID",
    tags: [],
    currencyCode: "USD",
    presentmentCurrencyCode: "USD",
    subtotalLineItemsQuantity: purchase.cds,
    totalPriceSet: { shopMoney: { amount: purchase.dollars, currencyCode: "USD" } },
    customer: {
      id: `gid://shopify/Customer/${customerId}`,
      legacyResourceId: customerId,
      defaultEmailAddress: { emailAddress: cdnowEmail(purchase.customerId) },
    },
    refunds: [],
  };
}
