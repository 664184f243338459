// A fake shop behind Shopify's GraphQL Admin API, as msw handlers: it holds orders and customers and
// answers the connector's queries the way the documented API does, for a whole sync rather than a
// fixed page or two: `orders`/`customers` connections sorted by UPDATED_AT (id as the tiebreak), `first`
// up to 250, opaque `after` cursors shaped like Shopify's (base64 of {"last_id","last_value"}), the
// `updated_at:>='…'` search filter, the X-Shopify-Access-Token check (401 with the REST-style error
// string), and the `extensions.cost` block with a leaky-bucket throttleStatus, throttling with
// errors[].extensions.code THROTTLED when a query costs more than the bucket holds.
// Docs: https://shopify.dev/docs/api/usage/pagination-graphql, https://shopify.dev/docs/api/usage/limits
// and https://shopify.dev/docs/api/usage/search-syntax.
import { HttpResponse, http } from "msw";
import type { GqlCustomer, GqlOrder } from "../../../plugins/shopify/client.ts";

/** What the shop holds. To change an order, replace the list (or add to it): the fake re-sorts then. */
export interface FakeShop {
  orders: GqlOrder[];
  customers: GqlCustomer[];
}

/** The bucket of calculated query cost points: Shopify's standard plan has 2,000 and refills 100 a second. */
export interface CostBucket {
  maximumAvailable: number;
  restoreRate: number;
}

export interface FakeAdminApiOptions {
  shopDomain: string;
  accessToken: string;
  apiVersion?: string;
  /** The leaky bucket; `false` reports costs with a full bucket and never throttles. */
  bucket?: CostBucket | false;
  /** Every query answered, for tests that check what was asked. */
  seen?: Array<{ operation: string; variables: Record<string, unknown> }>;
}

const MAX_PAGE_SIZE = 250;

/** Shopify's cursors are opaque; today they are base64 of the last id and sort value. */
const encodeCursor = (node: { id: string; updatedAt: string }) =>
  Buffer.from(JSON.stringify({ last_id: legacyId(node.id), last_value: node.updatedAt })).toString("base64");

function decodeCursor(cursor: string): { lastId: number; lastValue: string } | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as Record<string, unknown>;
    if (typeof parsed.last_id !== "number" || typeof parsed.last_value !== "string") return null;
    return { lastId: parsed.last_id, lastValue: parsed.last_value };
  } catch {
    return null;
  }
}

const legacyId = (gid: string) => Number(gid.slice(gid.lastIndexOf("/") + 1));

/** Oldest change first, then by id: the order of `sortKey: UPDATED_AT`. */
function compareByUpdate(a: { id: string; updatedAt: string }, b: { id: string; updatedAt: string }) {
  return Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || legacyId(a.id) - legacyId(b.id);
}

/** `updated_at:>='2026-01-01T00:00:00Z'`, the only search the connector sends. */
function parseSearch(query: unknown): ((node: { updatedAt: string }) => boolean) | string {
  if (query === null || query === undefined) return () => true;
  const match = /^updated_at:>='([^']+)'$/.exec(String(query));
  if (!match?.[1] || Number.isNaN(Date.parse(match[1])))
    return `unsupported search ${JSON.stringify(query)} in this fake`;
  const since = Date.parse(match[1]);
  return (node) => Date.parse(node.updatedAt) >= since;
}

export function fakeShopifyAdminApi(shop: FakeShop, options: FakeAdminApiOptions) {
  const endpoint = `https://${options.shopDomain}/admin/api/${options.apiVersion ?? "2026-07"}/graphql.json`;
  const bucket = options.bucket === undefined ? { maximumAvailable: 2000, restoreRate: 100 } : options.bucket;
  let available = bucket ? bucket.maximumAvailable : 0;
  let refilledAt = performance.now();
  // Sorted once per list, and again when a test adds to or replaces it.
  const sortedLists = new WeakMap<object, { length: number; nodes: Array<GqlOrder | GqlCustomer> }>();
  const sortedList = (list: Array<GqlOrder | GqlCustomer>) => {
    const cached = sortedLists.get(list);
    if (cached && cached.length === list.length) return cached.nodes;
    // Parsing each date once, not once per comparison: a 70,000-order shop sorts in milliseconds.
    const keyed = list.map((node) => ({ node, at: Date.parse(node.updatedAt), id: legacyId(node.id) }));
    keyed.sort((a, b) => a.at - b.at || a.id - b.id);
    const nodes = keyed.map((entry) => entry.node);
    sortedLists.set(list, { length: list.length, nodes });
    return nodes;
  };

  const costOf = (operation: string, first: number, returned: number) => {
    // A connection costs 2 plus its page of objects; an order also counts its nested objects.
    const perNode = operation === "CxHubOrders" ? 6 : 3;
    return { requested: 2 + first * perNode, actual: 2 + returned * perNode };
  };

  const answer = (data: unknown, requested: number, actual: number) => {
    if (!bucket) {
      return HttpResponse.json({ data, extensions: { cost: costBlock(requested, actual, 2000, 2000, 100) } });
    }
    const now = performance.now();
    available = Math.min(
      bucket.maximumAvailable,
      available + ((now - refilledAt) / 1000) * bucket.restoreRate,
    );
    refilledAt = now;
    if (requested > available) {
      return HttpResponse.json({
        errors: [
          {
            message: "Throttled",
            extensions: {
              code: "THROTTLED",
              documentation: "https://shopify.dev/api/usage/limits#rate-limits",
            },
          },
        ],
        extensions: {
          cost: costBlock(requested, null, bucket.maximumAvailable, available, bucket.restoreRate),
        },
      });
    }
    available -= actual;
    return HttpResponse.json({
      data,
      extensions: {
        cost: costBlock(requested, actual, bucket.maximumAvailable, available, bucket.restoreRate),
      },
    });
  };

  return http.post(endpoint, async ({ request }) => {
    if (request.headers.get("x-shopify-access-token") !== options.accessToken) {
      return HttpResponse.json(
        { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" },
        { status: 401 },
      );
    }
    const body = (await request.json()) as { query: string; variables?: Record<string, unknown> };
    const operation = /^query (\w+)/.exec(body.query)?.[1] ?? "?";
    const variables = body.variables ?? {};
    options.seen?.push({ operation, variables });
    if (operation === "CxHubShop") return answer({ shop: { name: "Fake Shop" } }, 1, 1);
    if (operation !== "CxHubOrders" && operation !== "CxHubCustomers") {
      return HttpResponse.json({ errors: [{ message: `The fake shop does not answer ${operation}.` }] });
    }
    const first = variables.first;
    if (typeof first !== "number" || first < 1 || first > MAX_PAGE_SIZE) {
      return HttpResponse.json({
        errors: [{ message: `The page size must be between 1 and ${MAX_PAGE_SIZE}; got ${String(first)}.` }],
      });
    }
    const matches = parseSearch(variables.query);
    if (typeof matches === "string") return HttpResponse.json({ errors: [{ message: matches }] });
    const key = operation === "CxHubOrders" ? "orders" : "customers";
    const list = sortedList(shop[key]);
    let start = 0;
    if (variables.after !== null && variables.after !== undefined) {
      const after = decodeCursor(String(variables.after));
      if (!after)
        return HttpResponse.json({ errors: [{ message: "Invalid cursor for current pagination." }] });
      start = firstAfter(list, after);
    }
    const nodes: Array<GqlOrder | GqlCustomer> = [];
    let index = start;
    for (; index < list.length && nodes.length < first; index++) {
      const node = list[index] as GqlOrder | GqlCustomer;
      if (matches(node)) nodes.push(node);
    }
    while (index < list.length && !matches(list[index] as GqlOrder)) index++;
    const last = nodes.at(-1);
    const { requested, actual } = costOf(operation, first, nodes.length);
    return answer(
      {
        [key]: {
          pageInfo: { hasNextPage: index < list.length, endCursor: last ? encodeCursor(last) : null },
          nodes,
        },
      },
      requested,
      actual,
    );
  });
}

/** The position of the first node sorted after the cursor's (binary search over the sorted list). */
function firstAfter(
  list: Array<{ id: string; updatedAt: string }>,
  after: { lastId: number; lastValue: string },
) {
  const cursorNode = { id: `gid://shopify/Node/${after.lastId}`, updatedAt: after.lastValue };
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareByUpdate(list[middle] as { id: string; updatedAt: string }, cursorNode) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function costBlock(
  requested: number,
  actual: number | null,
  maximumAvailable: number,
  currentlyAvailable: number,
  restoreRate: number,
) {
  return {
    requestedQueryCost: requested,
    actualQueryCost: actual,
    throttleStatus: { maximumAvailable, currentlyAvailable: Math.floor(currentlyAvailable), restoreRate },
  };
}
