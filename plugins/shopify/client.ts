// The GraphQL Admin API client: the endpoint and its access-token header, the queries the connector
// sends (with the types of what they return), Shopify's error answers turned into clear errors, and the
// reading of Shopify's calculated-query-cost throttling for the context's fetch. README.md cites the docs.
import type { ConnectorContext, RateLimitDecision } from "cx-hub/sdk";
import { HttpError } from "cx-hub/sdk";

export interface ShopifyConfig {
  shopDomain: string;
  accessToken: string;
  apiVersion: string;
  clientSecret?: string | undefined;
}

type Ctx = ConnectorContext<ShopifyConfig>;

/** POST https://{shop}.myshopify.com/admin/api/{version}/graphql.json */
export function graphqlUrl(config: ShopifyConfig): string {
  return `https://${config.shopDomain}/admin/api/${config.apiVersion}/graphql.json`;
}

// ---- What the queries return ----

export interface MoneyV2 {
  amount: string;
  currencyCode: string;
}
export interface MoneyBag {
  shopMoney?: MoneyV2 | null;
}

export interface GqlCustomer {
  id: string;
  legacyResourceId: string;
  firstName: string | null;
  lastName: string | null;
  state: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  defaultEmailAddress: { emailAddress: string | null } | null;
  defaultPhoneNumber: { phoneNumber: string } | null;
}

export interface GqlRefund {
  id: string;
  createdAt: string | null;
  note: string | null;
  totalRefundedSet: MoneyBag | null;
}

export interface GqlOrder {
  id: string;
  name: string;
  email: string | null;
  createdAt: string;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  cancelReason: string | null;
  test: boolean;
  displayFinancialStatus: string | null;
  tags: string[];
  currencyCode: string;
  presentmentCurrencyCode: string;
  subtotalLineItemsQuantity: number;
  totalPriceSet: MoneyBag | null;
  customer: {
    id: string;
    legacyResourceId: string;
    defaultEmailAddress: { emailAddress: string | null } | null;
  } | null;
  refunds: GqlRefund[];
}

export interface Page<Node> {
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** A page request: `query` is Shopify's search syntax (`updated_at:>='…'`), `after` the previous endCursor. */
export interface PageRequest {
  query?: string | undefined;
  after?: string | undefined;
}

// ---- The queries ----

export const CUSTOMERS_PAGE_SIZE = 100;
export const ORDERS_PAGE_SIZE = 50;
/** Order.refunds is a list, not a connection: Shopify truncates it to `first`. */
export const REFUNDS_PER_ORDER = 50;

export const SHOP_QUERY = "query CxHubShop { shop { name } }";

export const CUSTOMERS_QUERY = `query CxHubCustomers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id legacyResourceId firstName lastName state tags createdAt updatedAt
      defaultEmailAddress { emailAddress }
      defaultPhoneNumber { phoneNumber }
    }
  }
}`;

const ORDER_FIELDS = `fragment CxHubOrder on Order {
  id name email createdAt processedAt updatedAt cancelledAt cancelReason test
  displayFinancialStatus tags currencyCode presentmentCurrencyCode subtotalLineItemsQuantity
  totalPriceSet { shopMoney { amount currencyCode } }
  customer { id legacyResourceId defaultEmailAddress { emailAddress } }
  refunds(first: ${REFUNDS_PER_ORDER}) {
    id createdAt note
    totalRefundedSet { shopMoney { amount currencyCode } }
  }
}`;

export const ORDERS_QUERY = `query CxHubOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ...CxHubOrder }
  }
}
${ORDER_FIELDS}`;

export const ORDER_QUERY = `query CxHubOrder($id: ID!) {
  order(id: $id) { ...CxHubOrder }
}
${ORDER_FIELDS}`;

// ---- Errors ----

export interface GraphqlError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

/** Shopify answered 200 with `errors`: the query was refused or failed (codes such as ACCESS_DENIED). */
export class ShopifyGraphqlError extends Error {
  override name = "ShopifyGraphqlError";
  readonly codes: string[];
  constructor(operation: string, errors: GraphqlError[]) {
    const listed = errors
      .map((error) =>
        error.extensions?.code ? `${error.message} (${error.extensions.code})` : error.message,
      )
      .join("; ");
    super(`Shopify refused the ${operation} query: ${listed}`);
    this.codes = errors.flatMap((error) => (error.extensions?.code ? [error.extensions.code] : []));
  }
}

/** What an HTTP status from the Admin API means for the person configuring the connector. */
export function explainStatus(status: number, config: ShopifyConfig): string {
  switch (status) {
    case 401:
      return "Shopify refused the Admin API access token (401): paste the app's current Admin API access token (shpat_…), not its API key or client secret.";
    case 402:
      return `The shop ${config.shopDomain} is frozen for non-payment (402): it answers again once its bill is paid.`;
    case 403:
      return "Shopify accepted the token but refused access (403): give the app the read_customers and read_orders scopes (and read_all_orders for orders older than 60 days), then reinstall it.";
    case 404:
      return `No Admin API at ${graphqlUrl(config)} (404): check the shop domain and that API version ${config.apiVersion} is still supported.`;
    case 423:
      return `The shop ${config.shopDomain} is locked (423): Shopify answers again once the shop is unlocked.`;
    default:
      return `Shopify answered ${status} to the GraphQL Admin API.`;
  }
}

interface GraphqlResponse<Data> {
  data?: Data | null;
  errors?: GraphqlError[] | string;
}

/**
 * Sends one query. Throttling, 429 and 5xx were already waited for and retried by ctx.fetch (the query
 * is a read, so it is sent as idempotent); what comes back here is final: a non-2xx answer or GraphQL
 * errors become an error that says what to do.
 */
export async function adminGraphql<Data>(
  ctx: Ctx,
  operation: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Data> {
  const url = graphqlUrl(ctx.config);
  const response = await ctx.fetch(url, {
    method: "POST",
    headers: {
      "X-Shopify-Access-Token": ctx.config.accessToken,
      "Content-Type": "application/json",
      Accept: "application/json",
    },
    body: JSON.stringify({ query, variables }),
    idempotent: true,
  });
  if (!response.ok) {
    const detail = (await response.text().catch(() => "")).slice(0, 200);
    throw new HttpError(
      `${explainStatus(response.status, ctx.config)}${detail ? ` Shopify said: ${detail}` : ""}`,
      {
        method: "POST",
        url,
        status: response.status,
        attempts: 1,
      },
    );
  }
  const body = (await answerBody(response)) as GraphqlResponse<Data>;
  if (typeof body.errors === "string") throw new ShopifyGraphqlError(operation, [{ message: body.errors }]);
  if (body.errors?.length) throw new ShopifyGraphqlError(operation, body.errors);
  if (!body.data) throw new ShopifyGraphqlError(operation, [{ message: "the answer has no data" }]);
  return body.data;
}

export async function listCustomers(ctx: Ctx, request: PageRequest): Promise<Page<GqlCustomer>> {
  const data = await adminGraphql<{ customers: Page<GqlCustomer> }>(ctx, "customers", CUSTOMERS_QUERY, {
    first: CUSTOMERS_PAGE_SIZE,
    after: request.after ?? null,
    query: request.query ?? null,
  });
  return data.customers;
}

export async function listOrders(ctx: Ctx, request: PageRequest): Promise<Page<GqlOrder>> {
  const data = await adminGraphql<{ orders: Page<GqlOrder> }>(ctx, "orders", ORDERS_QUERY, {
    first: ORDERS_PAGE_SIZE,
    after: request.after ?? null,
    query: request.query ?? null,
  });
  return data.orders;
}

export async function getOrder(ctx: Ctx, id: string): Promise<GqlOrder | null> {
  const data = await adminGraphql<{ order: GqlOrder | null }>(ctx, "order", ORDER_QUERY, { id });
  return data.order;
}

// ---- Throttling (calculated query cost) ----

/**
 * The answers whose JSON the rate-limit hook below parsed already (from a clone), for adminGraphql: a
 * sync's pages are tens of kilobytes each, and parsing every one twice (and teeing its stream) cost the
 * hub more than reading it.
 */
const parsedAnswers = new WeakMap<Response, unknown>();

/** The answer's JSON: as the rate-limit hook parsed it, or parsed now. */
async function answerBody(response: Response): Promise<unknown> {
  if (!parsedAnswers.has(response)) return response.json();
  // The clone was read to its end, so the connection is free; this branch of the body is left unread.
  const body = parsedAnswers.get(response);
  parsedAnswers.delete(response);
  return body;
}

interface CostExtension {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: { maximumAvailable?: number; currentlyAvailable?: number; restoreRate?: number };
}

/**
 * The context fetch's rate-limit hook. Shopify answers a throttled query with 200 and
 * `errors[].extensions.code: "THROTTLED"`, and every answer carries `extensions.cost`: the bucket refills
 * at `restoreRate` points a second, so a query of `requestedQueryCost` can run again after
 * (requestedQueryCost − currentlyAvailable) / restoreRate seconds. Throttled: retry after that wait.
 * Not throttled but the bucket holds less than this query costs: accept it and pause the next request
 * by the same reckoning, rather than be throttled.
 */
export async function shopifyRateLimit(response: Response): Promise<RateLimitDecision | undefined> {
  if (response.status !== 200 || !response.headers.get("content-type")?.includes("json")) return undefined;
  let body: { errors?: unknown; extensions?: { cost?: CostExtension } };
  try {
    body = (await response.clone().json()) as typeof body;
  } catch {
    return undefined;
  }
  parsedAnswers.set(response, body);
  const throttled =
    Array.isArray(body.errors) &&
    body.errors.some((error) => (error as GraphqlError | null)?.extensions?.code === "THROTTLED");
  const cost = body.extensions?.cost;
  const requested = cost?.requestedQueryCost;
  const available = cost?.throttleStatus?.currentlyAvailable;
  const restoreRate = cost?.throttleStatus?.restoreRate;
  if (typeof requested !== "number" || typeof available !== "number" || !restoreRate || restoreRate <= 0) {
    // Throttled without a cost report: wait a second, as the bucket refills continuously.
    return throttled ? { retry: true, waitMs: 1000, reason: "throttled by Shopify (THROTTLED)" } : undefined;
  }
  const deficit = requested - available;
  const waitMs = Math.ceil((Math.max(deficit, 0) / restoreRate) * 1000);
  const budget = `query cost ${requested}, ${available} of ${cost?.throttleStatus?.maximumAvailable ?? "?"} points available, restoring ${restoreRate}/s`;
  if (throttled) {
    return {
      retry: true,
      waitMs: Math.max(waitMs, Math.ceil(1000 / restoreRate)),
      reason: `throttled (${budget})`,
    };
  }
  return waitMs > 0 ? { retry: false, waitMs, reason: `query cost budget low (${budget})` } : undefined;
}
