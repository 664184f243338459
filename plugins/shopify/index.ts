// The Shopify connector (built-in, e-commerce): customers and orders from the GraphQL Admin API, synced
// incrementally by updated_at with a checkpoint after every page, and Shopify's HTTPS webhooks (orders,
// refunds, customers, deletions and the mandatory privacy topics) mapped to the same records.
// README.md beside this file says what it syncs and cites the Shopify documentation it follows.
import { defineConnector, secret } from "cx-hub/sdk";
import { z } from "zod";
import {
  adminGraphql,
  explainStatus,
  graphqlUrl,
  listCustomers,
  listOrders,
  SHOP_QUERY,
  ShopifyGraphqlError,
  shopifyRateLimit,
} from "./client.ts";
import { customerRecord, orderRecords } from "./mapping.ts";
import { customerFromGraphql, orderFromGraphql } from "./model.ts";
import { incrementalCursorSchema, readIncremental } from "./sync.ts";
import { parseShopifyWebhook, verifyShopifyWebhook } from "./webhooks.ts";

/** The latest stable version of Shopify's APIs when this plugin was written (released 2026-07-01). */
export const DEFAULT_API_VERSION = "2026-07";

export default defineConnector({
  id: "shopify",
  name: "Shopify",
  channel: "ecommerce",
  version: "1.0.0",
  description: "Customers, orders, refunds and cancellations from a Shopify shop, with its webhooks.",
  documentationUrl: "https://shopify.dev/docs/api/admin-graphql",
  config: z.object({
    shopDomain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(
        /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/,
        'Give the shop\'s permanent myshopify.com domain, such as "acme.myshopify.com" (not its custom domain).',
      )
      .describe("The shop's myshopify.com domain, such as acme.myshopify.com."),
    accessToken: secret(
      z.string().trim().min(10, "An Admin API access token is at least 10 characters."),
    ).describe("The app's Admin API access token (shpat_…), with the read_customers and read_orders scopes."),
    apiVersion: z
      .string()
      .regex(/^(\d{4}-(01|04|07|10)|unstable)$/, 'An API version is a quarter such as "2026-07".')
      .default(DEFAULT_API_VERSION)
      .describe("The GraphQL Admin API version; a stable version is supported for at least 12 months."),
    clientSecret: secret(z.string().trim().min(1, "The client secret cannot be empty; leave it out instead."))
      .optional()
      .describe(
        "The app's client secret, which Shopify signs webhooks with (for webhooks added in the Shopify admin, the signing key shown there). Needed to receive webhooks.",
      ),
  }),
  http: { timeoutMs: 30_000, maxAttempts: 6, rateLimit: shopifyRateLimit },

  async check(ctx) {
    try {
      const data = await adminGraphql<{ shop: { name: string } }>(ctx, "shop", SHOP_QUERY);
      return {
        ok: true,
        message: `Connected to the Shopify shop ${data.shop.name} (${ctx.config.shopDomain}).`,
      };
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status !== undefined && status !== 429 && status < 500) {
        return { ok: false, message: explainStatus(status, ctx.config) };
      }
      if (error instanceof ShopifyGraphqlError) return { ok: false, message: error.message };
      return {
        ok: false,
        message: `Shopify did not answer at ${graphqlUrl(ctx.config)}: ${(error as Error).message}`,
      };
    }
  },

  streams: {
    customers: {
      description: "Customers (email, phone, name, state, tags), by last update.",
      cursor: incrementalCursorSchema,
      async *read(ctx) {
        yield* readIncremental({
          cursor: ctx.cursor,
          signal: ctx.signal,
          fetchPage: (request) => listCustomers(ctx, request),
          toRecords: (node) => [customerRecord(ctx.config.shopDomain, customerFromGraphql(node))],
        });
      },
    },
    orders: {
      description: "Orders placed, cancelled and refunded, by last update of the order.",
      cursor: incrementalCursorSchema,
      async *read(ctx) {
        yield* readIncremental({
          cursor: ctx.cursor,
          signal: ctx.signal,
          fetchPage: (request) => listOrders(ctx, request),
          toRecords: (node) => orderRecords(ctx.config.shopDomain, orderFromGraphql(node)),
        });
      },
    },
  },

  webhooks: {
    verify: (request, ctx) => verifyShopifyWebhook(request, ctx),
    parse: (request, ctx) => parseShopifyWebhook(request, ctx),
  },
});
