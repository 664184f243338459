// One page of the customer list, read in one SQL statement with the relations its rows show: the
// owner, the identities and the newest interactions, as Prisma's `include` of the same shape returns
// them (every column, Dates, Decimals, parsed JSON). Prisma reads those relations as JSONB of every
// column and maps it back field by field, and that mapping was the largest cost of a list request
// (issue 15); here PostgreSQL builds plain JSON, sent straight from the driver, and one pass turns it
// into the same objects.
//
// Only the include shapes the list and the customer page ask for are read here (see `pageRowsPlan`);
// any other relation, count or nested include returns null, and the caller reads through Prisma.

import type { Db } from "../../db/database.ts";
import { directSql } from "../../db/direct-sql.ts";
import { PREPARED, rowCountLiteral } from "../../db/prepared-statements.ts";
import type { Customer, Feedback, Identity, Interaction, Principal } from "../../generated/prisma/client.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { hasOnly, isPlainObject, isStringList } from "./prisma-argument-shapes.ts";

/** A customer row with whichever of the relations its include asked for. */
export type CustomerPageRow = Customer & {
  owner?: Principal | null;
  identities?: Identity[];
  interactions?: Interaction[];
  feedback?: Feedback[];
  _count?: { feedback: number };
};

export interface InteractionsPlan {
  channels?: string[];
  kinds?: string[];
  from?: Date;
  to?: Date;
  take: number;
  skip: number;
}

/** A page of the customer's survey answers, newest first (the Customer type's `feedback`). */
export interface FeedbackPlan {
  take: number;
  skip: number;
}

export interface PagePlan {
  owner: boolean;
  identities: boolean;
  interactions: InteractionsPlan | null;
  feedback: FeedbackPlan | null;
  /** `_count: { select: { feedback: true } }`: how many survey answers the customer has in all. */
  feedbackCount: boolean;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
/** A take or skip this module writes into its statement (rowCountLiteral); any other goes to Prisma. */
const isRowCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** The identities as the Customer type lists them. */
const IDENTITY_ORDER = [{ kind: "asc" }, { value: "asc" }];
/** The interactions as the Customer type pages them: newest first. */
const INTERACTION_ORDER = [{ occurredAt: "desc" }, { id: "desc" }];
/** The survey answers as the Customer type pages them: newest first. */
const FEEDBACK_ORDER = [{ respondedAt: "desc" }, { id: "desc" }];

/** What of `include` this module reads; null when the include asks for anything else. */
export function pageRowsPlan(include: Prisma.CustomerInclude | undefined): PagePlan | null {
  const plan: PagePlan = {
    owner: false,
    identities: false,
    interactions: null,
    feedback: null,
    feedbackCount: false,
  };
  if (include === undefined) return plan;
  for (const [relation, query] of Object.entries(include)) {
    if (query === undefined || query === false) continue;
    if (relation === "owner" && query === true) plan.owner = true;
    else if (relation === "identities" && identitiesKnown(query)) plan.identities = true;
    else if (relation === "interactions" && isPlainObject(query)) {
      plan.interactions = interactionsPlan(query);
      if (!plan.interactions) return null;
    } else if (relation === "feedback" && isPlainObject(query)) {
      plan.feedback = feedbackPlan(query);
      if (!plan.feedback) return null;
    } else if (relation === "_count" && countsFeedbackOnly(query)) plan.feedbackCount = true;
    else return null;
  }
  return plan;
}

function identitiesKnown(query: unknown): boolean {
  if (query === true) return false; // Prisma's order would be the table's: not the list's.
  return isPlainObject(query) && hasOnly(query, ["orderBy"]) && sameJson(query.orderBy, IDENTITY_ORDER);
}

function feedbackPlan(query: Record<string, unknown>): FeedbackPlan | null {
  if (!hasOnly(query, ["orderBy", "take", "skip"]) || !sameJson(query.orderBy, FEEDBACK_ORDER)) return null;
  const { take, skip = 0 } = query;
  if (!isRowCount(take) || !isRowCount(skip)) return null;
  return { take, skip };
}

/** The count of every survey answer, unfiltered: what `feedback { totalCount }` asks Prisma for. */
function countsFeedbackOnly(query: unknown): boolean {
  return (
    isPlainObject(query) &&
    hasOnly(query, ["select"]) &&
    isPlainObject(query.select) &&
    hasOnly(query.select, ["feedback"]) &&
    query.select.feedback === true
  );
}

function interactionsPlan(query: Record<string, unknown>): InteractionsPlan | null {
  if (!hasOnly(query, ["where", "orderBy", "take", "skip"])) return null;
  if (!sameJson(query.orderBy, INTERACTION_ORDER)) return null;
  const { take, skip = 0, where = {} } = query;
  if (!isRowCount(take) || !isRowCount(skip)) return null;
  if (!isPlainObject(where) || !hasOnly(where, ["channel", "kind", "occurredAt"])) return null;
  const plan: InteractionsPlan = { take, skip };
  for (const [field, key] of [
    ["channel", "channels"],
    ["kind", "kinds"],
  ] as const) {
    const condition = where[field];
    if (condition === undefined) continue;
    if (!isPlainObject(condition) || !hasOnly(condition, ["in"]) || !isStringList(condition.in)) return null;
    plan[key] = condition.in;
  }
  const occurred = where.occurredAt;
  if (occurred !== undefined) {
    if (!isPlainObject(occurred) || !hasOnly(occurred, ["gte", "lt"])) return null;
    for (const [bound, key] of [
      ["gte", "from"],
      ["lt", "to"],
    ] as const) {
      const value = occurred[bound];
      if (value === undefined) continue;
      if (!(value instanceof Date)) return null;
      plan[key] = value;
    }
  }
  return plan;
}

/**
 * The customers of `ids` with the relations `include` asks for, in no particular order; null when
 * the include is not one this module reads (the caller reads through Prisma then).
 */
export async function readCustomerPageRows(
  db: Db,
  ids: string[],
  include: Prisma.CustomerInclude | undefined,
): Promise<CustomerPageRow[] | null> {
  const plan = pageRowsPlan(include);
  if (!plan) return null;
  // Each row is one JSON text, parsed here in one pass: straight from the driver (directSql), which
  // returns json as text on both databases, and the same through Prisma's raw query. One customer
  // (the customer 360's, or a page's last) is a prepared statement (prepared-statements.ts): by primary key, with its
  // relations by foreign key, the generic plan is the one it needs, and planning it cost PostgreSQL
  // more than running it (0.5 ms a request). A generic plan costs an array as ten elements, more than
  // the one a custom plan sees, so PostgreSQL would never take it for `= ANY`: one id is compared as one.
  const statement =
    ids.length === 1
      ? Prisma.sql`${Prisma.raw(PREPARED)}
    SELECT ${rowJson(plan)} AS "row" FROM "Customer" c WHERE c."id" = ${ids[0]}::uuid`
      : Prisma.sql`
    SELECT ${rowJson(plan)} AS "row" FROM "Customer" c WHERE c."id" = ANY(${ids}::uuid[])`;
  const rows = await directSql(db).query<{ row: string }>(statement.text, statement.values);
  return rows.map((row) => customerOf(JSON.parse(row.row) as RawRow, plan));
}

/** A page read whole in one statement: its rows in order, and the count when one was asked for. */
export interface CustomerPageRead {
  rows: CustomerPageRow[];
  /** How many customers meet the count's condition; null when none was given. */
  total: number | null;
}

/**
 * A page in one statement: the customers of `page` (a statement of their `id` and `pos`, their place
 * on the page, as customer-page-ids.ts's firstPageSql writes it) with the relations `include` asks
 * for, in page order, and with `count` (an int expression, customer-count.ts's customerCountSql) the
 * number of customers the list holds, read in the same statement; one round trip where the IDs, the
 * rows and the count took three (issue 15). `prepared`: the page may be a prepared statement (its
 * FirstPage says so). Null when the include is not one this module reads.
 */
export async function readCustomerPage(
  db: Db,
  page: Prisma.Sql,
  include: Prisma.CustomerInclude | undefined,
  count: Prisma.Sql | null,
  { prepared = false }: { prepared?: boolean } = {},
): Promise<CustomerPageRead | null> {
  const plan = pageRowsPlan(include);
  if (!plan) return null;
  const total = count ?? Prisma.sql`NULL::int`;
  // The count's one row is joined to the page's rows, so that an empty page still answers it.
  const statement = Prisma.sql`${Prisma.raw(prepared ? PREPARED : "")}
    WITH "page" AS (${page})
    SELECT ${total} AS "total", p."row" FROM (SELECT 1) "one" LEFT JOIN (
      SELECT "page"."pos", ${rowJson(plan)} AS "row" FROM "page" JOIN "Customer" c ON c."id" = "page"."id"
    ) p ON TRUE
    ORDER BY p."pos"`;
  const rows = await directSql(db).query<{ total: number | null; row: string | null }>(
    statement.text,
    statement.values,
  );
  return {
    total: rows[0]?.total ?? null,
    rows: rows.flatMap((row) => (row.row === null ? [] : [customerOf(JSON.parse(row.row) as RawRow, plan)])),
  };
}

/** The customer row `c` with the plan's relations, as one JSON text. */
function rowJson(plan: PagePlan): Prisma.Sql {
  const fields = [CUSTOMER_FIELDS];
  if (plan.owner) fields.push(OWNER_FIELD);
  if (plan.identities) fields.push(IDENTITIES_FIELD);
  if (plan.interactions) fields.push(interactionsField(plan.interactions));
  if (plan.feedback) fields.push(feedbackField(plan.feedback));
  if (plan.feedbackCount) fields.push(FEEDBACK_COUNT_FIELD);
  return Prisma.sql`json_build_object(${Prisma.join(fields, ", ")})::text`;
}

/**
 * A timestamp column as its milliseconds since 1970, a JSON number that becomes a Date without parsing
 * text (issue 15: reading the ISO text back was a tenth of a list page's row reading, and the longest
 * part of its JSON). The columns hold milliseconds (Timestamptz(3)), so the number is exact.
 */
function epochMs(alias: string, column: string): Prisma.Sql {
  return Prisma.raw(`(extract(epoch from ${alias}."${column}") * 1000)::int8`);
}

/** Every column of the customer, as Prisma reads them (the enum as its name, timestamps by epochMs). */
const CUSTOMER_FIELDS = Prisma.sql`'id', c."id", 'displayName', c."displayName", 'traits', c."traits",
    'lifecycleStage', c."lifecycleStage", 'profileVersions', c."profileVersions", 'ownerId', c."ownerId",
    'firstSeenAt', ${epochMs("c", "firstSeenAt")}, 'lastSeenAt', ${epochMs("c", "lastSeenAt")}, 'mergedIntoId', c."mergedIntoId",
    'mergedAt', ${epochMs("c", "mergedAt")}, 'createdAt', ${epochMs("c", "createdAt")}, 'updatedAt', ${epochMs("c", "updatedAt")}`;

// Decimals go into JSON as text, so that an amount keeps its exact digits (a JSON number would pass
// through a float).
const OWNER_FIELD = Prisma.sql`'owner', (SELECT json_build_object('id', o."id", 'name', o."name", 'email', o."email",
    'createdAt', ${epochMs("o", "createdAt")}) FROM "Principal" o WHERE o."id" = c."ownerId")`;

const IDENTITIES_FIELD = Prisma.sql`'identities', (SELECT coalesce(json_agg(json_build_object('id', i."id",
    'customerId', i."customerId", 'kind', i."kind", 'namespace', i."namespace", 'value', i."value",
    'source', i."source", 'createdAt', ${epochMs("i", "createdAt")}, 'lastSeenAt', ${epochMs("i", "lastSeenAt")})
    ORDER BY i."kind", i."value"), '[]') FROM "Identity" i WHERE i."customerId" = c."id")`;

/** Every column of the interaction under the alias x, as JSON (interactionOf reads it back). */
export const INTERACTION_JSON = Prisma.sql`json_build_object('id', x."id", 'customerId', x."customerId",
      'source', x."source", 'externalId', x."externalId", 'channel', x."channel", 'kind', x."kind",
      'direction', x."direction", 'occurredAt', ${epochMs("x", "occurredAt")}, 'summary', x."summary", 'body', x."body",
      'amount', x."amount"::text, 'currency', x."currency", 'sentiment', x."sentiment",
      'conversationId', x."conversationId", 'metadata', x."metadata", 'sourceUpdatedAt', ${epochMs("x", "sourceUpdatedAt")},
      'recordedAt', ${epochMs("x", "recordedAt")})`;

function interactionsField(plan: InteractionsPlan): Prisma.Sql {
  const conditions = [Prisma.sql`x."customerId" = c."id"`];
  if (plan.channels) conditions.push(Prisma.sql`x."channel"::text = ANY(${plan.channels}::text[])`);
  if (plan.kinds) conditions.push(Prisma.sql`x."kind" = ANY(${plan.kinds}::text[])`);
  if (plan.from) conditions.push(Prisma.sql`x."occurredAt" >= ${plan.from.toISOString()}::timestamptz`);
  if (plan.to) conditions.push(Prisma.sql`x."occurredAt" < ${plan.to.toISOString()}::timestamptz`);
  return Prisma.sql`'interactions', (SELECT coalesce(json_agg(${INTERACTION_JSON}
      ORDER BY x."occurredAt" DESC, x."id" DESC), '[]')
    FROM (SELECT * FROM "Interaction" x WHERE ${Prisma.join(conditions, " AND ")}
          ORDER BY x."occurredAt" DESC, x."id" DESC LIMIT ${rowCountLiteral(plan.take)} OFFSET ${rowCountLiteral(plan.skip)}) x)`;
}

/** Every column of the survey answer under the alias f, as JSON (feedbackOf reads it back). */
export const FEEDBACK_JSON = Prisma.sql`json_build_object('id', f."id", 'customerId', f."customerId",
      'source', f."source", 'externalId', f."externalId", 'kind', f."kind", 'score', f."score",
      'comment', f."comment", 'channel', f."channel", 'touchpoint', f."touchpoint",
      'interactionId', f."interactionId", 'sentiment', f."sentiment", 'respondedAt', ${epochMs("f", "respondedAt")},
      'sourceUpdatedAt', ${epochMs("f", "sourceUpdatedAt")}, 'recordedAt', ${epochMs("f", "recordedAt")})`;

function feedbackField(plan: FeedbackPlan): Prisma.Sql {
  return Prisma.sql`'feedback', (SELECT coalesce(json_agg(${FEEDBACK_JSON}
      ORDER BY f."respondedAt" DESC, f."id" DESC), '[]')
    FROM (SELECT * FROM "Feedback" f WHERE f."customerId" = c."id"
          ORDER BY f."respondedAt" DESC, f."id" DESC LIMIT ${rowCountLiteral(plan.take)} OFFSET ${rowCountLiteral(plan.skip)}) f)`;
}

const FEEDBACK_COUNT_FIELD = Prisma.sql`'_count', json_build_object('feedback',
    (SELECT count(*) FROM "Feedback" f WHERE f."customerId" = c."id"))`;

type Json = Record<string, unknown>;
type RawRow = Json & { owner?: Json | null; identities?: Json[]; interactions?: Json[]; feedback?: Json[] };

// The objects JSON.parse made are this module's own: their text columns are already what Prisma
// gives, so the few typed columns are converted in place rather than copied into new objects (a
// list page's rows were allocated three times over, and collecting them was a fifth of its CPU).

/**
 * The plan each row this module read was read with, so that a resolver can answer a relation from the
 * row itself when its arguments are the plan's (the Customer type's, src/graph/page-row-relations.ts).
 * Held beside the rows rather than on them: a copy of a row (a spread) is not one this module read.
 */
const rowPlans = new WeakMap<object, PagePlan>();

/** The plan `row` was read with when this module read it; undefined for any other object. */
export const pageRowPlan = (row: object): PagePlan | undefined => rowPlans.get(row);

function customerOf(row: RawRow, plan: PagePlan): CustomerPageRow {
  const result = row as unknown as CustomerPageRow & Json;
  rowPlans.set(result, plan);
  result.firstSeenAt = dateOrNull(row.firstSeenAt);
  result.lastSeenAt = dateOrNull(row.lastSeenAt);
  result.mergedAt = dateOrNull(row.mergedAt);
  result.createdAt = dateOf(row.createdAt);
  result.updatedAt = dateOf(row.updatedAt);
  if (plan.owner) result.owner = row.owner ? principalOf(row.owner) : null;
  if (plan.identities) result.identities = (row.identities ?? []).map(identityOf);
  if (plan.interactions) result.interactions = (row.interactions ?? []).map(interactionOf);
  if (plan.feedback) result.feedback = (row.feedback ?? []).map(feedbackOf);
  // With feedbackCount, `_count` is already as Prisma gives it: { feedback: <a JSON number> }.
  return result;
}

/** A timestamp as epochMs wrote it. */
export const dateOf = (value: unknown) => new Date(value as number);
export const dateOrNull = (value: unknown) => (value === null || value === undefined ? null : dateOf(value));

function principalOf(json: Json): Principal {
  json.createdAt = dateOf(json.createdAt);
  return json as unknown as Principal;
}

function identityOf(json: Json): Identity {
  json.createdAt = dateOf(json.createdAt);
  json.lastSeenAt = dateOf(json.lastSeenAt);
  return json as unknown as Identity;
}

/** An interaction as INTERACTION_JSON wrote it, as Prisma would read it: `json` is converted in place. */
export function interactionOf(json: Json): Interaction {
  json.occurredAt = dateOf(json.occurredAt);
  json.amount = json.amount === null ? null : new Prisma.Decimal(json.amount as string);
  json.sourceUpdatedAt = dateOrNull(json.sourceUpdatedAt);
  json.recordedAt = dateOf(json.recordedAt);
  return json as unknown as Interaction;
}

/** A survey answer as FEEDBACK_JSON wrote it, as Prisma would read it: `json` is converted in place. */
export function feedbackOf(json: Json): Feedback {
  json.respondedAt = dateOf(json.respondedAt);
  json.sourceUpdatedAt = dateOrNull(json.sourceUpdatedAt);
  json.recordedAt = dateOf(json.recordedAt);
  return json as unknown as Feedback;
}
