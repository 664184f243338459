// The baseline's customer list page in one statement: the page (keyset-friendly, see below), the total,
// and per customer its owner, identities and latest interaction, shaped like the CustomerList answer.
import type pg from "pg";
import { likeLiteral } from "../../src/db/like-literal.ts";
import type { CustomerListQuery } from "../generated/graphql/graphql.ts";
import {
  BadRequest,
  type BaselineViewer,
  freeTextFor,
  globalId,
  iso,
  maskIdentity,
  pageSize,
  refuseUnsupported,
  viewerOwner,
} from "./baseline-shared.ts";

/**
 * Every order of the list as the hub sorts it: NULLs last, but for churn risk, where PostgreSQL puts
 * them (a customer without a score first in DESC); ties by ID. `s` is the customer's score, if any.
 */
const ORDER_SQL = {
  LAST_SEEN: (d) => `c."lastSeenAt" ${d} NULLS LAST, c.id ${d}`,
  CREATED: (d) => `c."createdAt" ${d}, c.id ${d}`,
  NAME: (d) => `c."displayName" ${d} NULLS LAST, c.id ${d}`,
  CHURN_RISK: (d) => `s."churnRisk" ${d}, c.id ${d}`,
  LIFETIME_VALUE: (d) => `s.clv ${d} NULLS LAST, c.id ${d}`,
  VALUE_AT_RISK: (d) => `s."valueAtRisk" ${d} NULLS LAST, c.id ${d}`,
} satisfies Record<string, (direction: "ASC" | "DESC") => string>;

/** CustomerList's one latest interaction per customer. */
const LATEST_INTERACTION = `(SELECT json_build_object('channel', x.channel, 'kind', x.kind,
                                   'occurredAt', ${iso(`x."occurredAt"`)}, 'summary', x.summary)
            FROM "Interaction" x WHERE x."customerId" = p.id
           ORDER BY x."occurredAt" DESC, x.id DESC LIMIT 1) AS latest`;

/** PeerCustomerList's five newest interactions per customer, newest first. */
const FIVE_INTERACTIONS = `(SELECT json_agg(json_build_object('id', x.id, 'channel', x.channel, 'kind', x.kind,
                                   'occurredAt', ${iso(`x."occurredAt"`)}, 'summary', x.summary)
                          ORDER BY x."occurredAt" DESC, x.id DESC)
            FROM (SELECT * FROM "Interaction" x WHERE x."customerId" = p.id
                   ORDER BY x."occurredAt" DESC, x.id DESC LIMIT 5) x) AS interactions`;

/**
 * A search's matches ($3: the LIKE pattern; $4: the identity kinds the viewer may search by; $5: whether
 * names holding an email or a phone may match): the names by their trigram index and the identities by
 * theirs, united, rather than one OR that no index serves.
 */
const SEARCH_MATCHES = `
  matched AS (
    SELECT c.id FROM "Customer" c
     WHERE c."displayName" ILIKE $3 AND c."mergedIntoId" IS NULL
       AND ($5 OR (c."displayName" NOT LIKE '%@%' AND c."displayName" NOT LIKE '%+%'))
    UNION
    SELECT i."customerId" FROM "Identity" i WHERE i.value LIKE lower($3) AND i.kind::text = ANY($4::text[])
  ),`;

const customerListSql = (order: string, search: boolean, interactions: string) => `
  -- The page in the requested order; the last-seen order (the default) is served directly by the
  -- partial index on live customers ("lastSeenAt" DESC NULLS LAST, id DESC).
  WITH ${search ? SEARCH_MATCHES : ""}
  page AS (
    SELECT c.id, c."displayName", c."lifecycleStage", c."lastSeenAt", c."ownerId",
           row_number() OVER (ORDER BY ${order}) AS position
      FROM "Customer" c${order.includes("s.") ? ` LEFT JOIN "Score" s ON s."customerId" = c.id` : ""}
     WHERE c."mergedIntoId" IS NULL AND ($2::uuid IS NULL OR c."ownerId" = $2::uuid)
       ${search ? `AND c.id IN (SELECT id FROM matched)` : ""}
     ORDER BY ${order}
     LIMIT $1
  ),
  total AS (${
    search
      ? `
    SELECT count(*)::int AS total FROM "Customer" c
     WHERE c."mergedIntoId" IS NULL AND ($2::uuid IS NULL OR c."ownerId" = $2::uuid)
       AND c.id IN (SELECT id FROM matched)`
      : // Every live customer: the tally the schema keeps (CustomerTally), as the hub reads it.
        `
    SELECT CASE WHEN $2::uuid IS NULL
                THEN (SELECT COALESCE(sum(t.live), 0)::int FROM "CustomerTally" t)
                ELSE (SELECT count(*)::int FROM "Customer" c
                       WHERE c."mergedIntoId" IS NULL AND c."ownerId" = $2::uuid) END AS total`
  }
  )
  -- The count always gives a row, so an empty page still answers totalCount.
  SELECT total.total, p.id, p."displayName", p."lifecycleStage", ${iso(`p."lastSeenAt"`)} AS "lastSeenAt",
         o.id AS "ownerId", o.name AS "ownerName",
         (SELECT json_agg(json_build_object('kind', i.kind, 'namespace', i.namespace, 'value', i.value)
                          ORDER BY i.kind, i.value)
            FROM "Identity" i WHERE i."customerId" = p.id) AS identities,
         ${interactions}
    FROM total
    LEFT JOIN page p ON TRUE
    LEFT JOIN "Principal" o ON o.id = p."ownerId"
   ORDER BY p.position`;

/**
 * The statement for each order and direction, with and without a search, written once, for a given
 * interactions column.
 */
const statementsWith = (interactions: string) =>
  new Map(
    Object.entries(ORDER_SQL).flatMap(([field, order]) =>
      (["ASC", "DESC"] as const).flatMap((direction) =>
        [false, true].map((search) => [
          `${field} ${direction}${search ? " search" : ""}`,
          customerListSql(order(direction), search, interactions),
        ]),
      ),
    ),
  );
const STATEMENTS = statementsWith(LATEST_INTERACTION);

/** Identity kinds: emails and phones are searched only with the `pii` scope, as in the hub. */
const IDENTITY_KINDS = ["EMAIL", "PHONE", "SHOP_CUSTOMER_ID", "SOCIAL_HANDLE", "EXTERNAL_ID"];
const PERSONAL_KINDS = new Set(["EMAIL", "PHONE"]);

function statementFor(orderBy: unknown, search: boolean, statements = STATEMENTS): string {
  const { field = "LAST_SEEN", direction = "DESC" } = (orderBy ?? {}) as {
    field?: string;
    direction?: string;
  };
  const statement = statements.get(`${field} ${direction}${search ? " search" : ""}`);
  if (!statement) throw new BadRequest(`The baseline does not know the order ${field} ${direction}.`);
  return statement;
}

interface ListRow {
  total: number;
  /** Null only in the single row of an empty page. */
  id: string | null;
  displayName: string | null;
  lifecycleStage: string;
  lastSeenAt: string | null;
  ownerId: string | null;
  ownerName: string | null;
  identities: Array<{ kind: string; namespace: string; value: string }> | null;
  /** LATEST_INTERACTION's column (CustomerList). */
  latest?: { channel: string; kind: string; occurredAt: string; summary: string | null } | null;
  /** FIVE_INTERACTIONS' column (PeerCustomerList). */
  interactions?: Array<PeerInteraction> | null;
}

interface PeerInteraction {
  id: string;
  channel: string;
  kind: string;
  occurredAt: string;
  summary: string | null;
}

type ListNode = CustomerListQuery["customers"]["edges"][number]["node"];

/** SEARCH_MATCHES' parameters ($3 to $5) for a search text, or none without one. */
function searchParameters(viewer: BaselineViewer, text: string | null): unknown[] {
  if (text === null) return [];
  return [
    `%${likeLiteral(text)}%`,
    IDENTITY_KINDS.filter((kind) => viewer.pii || !PERSONAL_KINDS.has(kind)),
    viewer.pii,
  ];
}

/** One page of rows in the given statement, one row more than the page to tell whether another follows. */
async function listPage(
  pool: pg.Pool,
  viewer: BaselineViewer,
  statement: string,
  first: number,
  text: string | null = null,
) {
  const { rows } = await pool.query<ListRow>(statement, [
    first + 1,
    viewerOwner(viewer),
    ...searchParameters(viewer, text),
  ]);
  const found = rows.filter((row): row is ListRow & { id: string } => row.id !== null);
  return { total: rows[0]?.total ?? 0, page: found.slice(0, first), hasNextPage: found.length > first };
}

/** What both list shapes show of a customer: the profile, its owner and its identities. */
function customerFields(viewer: BaselineViewer, row: ListRow & { id: string }) {
  return {
    id: globalId("Customer", row.id),
    displayName: freeTextFor(viewer, row.displayName) as string,
    lifecycleStage: row.lifecycleStage as ListNode["lifecycleStage"],
    lastSeenAt: row.lastSeenAt,
    owner:
      row.ownerId && row.ownerName ? { id: globalId("Principal", row.ownerId), name: row.ownerName } : null,
    identities: (row.identities ?? []).map((identity) =>
      maskIdentity(viewer, identity),
    ) as ListNode["identities"],
  };
}

export async function customerList(
  pool: pg.Pool,
  viewer: BaselineViewer,
  variables: Record<string, unknown>,
): Promise<CustomerListQuery> {
  refuseUnsupported(variables, ["after"]);
  const { search, ...otherFilters } = (variables.filter ?? {}) as { search?: string | null };
  refuseUnsupported(otherFilters, Object.keys(otherFilters));
  const text = search?.trim() || null;
  const first = pageSize(variables.first, 20);
  const statement = statementFor(variables.orderBy, text !== null);
  const { total, page, hasNextPage } = await listPage(pool, viewer, statement, first, text);
  const edges = page.map((row) => ({
    cursor: Buffer.from(`GPC:S:${row.id}`).toString("base64"),
    node: {
      ...customerFields(viewer, row),
      latestInteraction: {
        edges: row.latest
          ? [
              {
                node: {
                  ...row.latest,
                  summary: freeTextFor(viewer, row.latest.summary),
                } as ListNode["latestInteraction"]["edges"][number]["node"],
              },
            ]
          : [],
      },
    },
  }));
  return {
    customers: {
      totalCount: total,
      pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      edges,
    },
  };
}

const PEER_LIST_STATEMENTS = statementsWith(FIVE_INTERACTIONS);

/**
 * The list as the PostGraphile peer comparison asks for it (peer-queries.ts): each customer's
 * identities and five newest interactions.
 */
export async function peerCustomerList(
  pool: pg.Pool,
  viewer: BaselineViewer,
  variables: Record<string, unknown>,
) {
  refuseUnsupported(variables, ["after", "filter"]);
  const first = pageSize(variables.first, 20);
  const statement = statementFor(variables.orderBy, false, PEER_LIST_STATEMENTS);
  const { total, page, hasNextPage } = await listPage(pool, viewer, statement, first);
  return {
    customers: {
      totalCount: total,
      pageInfo: { hasNextPage },
      edges: page.map((row) => ({
        node: {
          ...customerFields(viewer, row),
          interactions: {
            edges: (row.interactions ?? []).map((interaction) => ({
              node: {
                ...interaction,
                id: globalId("Interaction", interaction.id),
                summary: freeTextFor(viewer, interaction.summary),
              },
            })),
          },
        },
      })),
    },
  };
}
