// One page of the customer list, read in one SQL statement with the relations its rows show: the
// owner, the identities and the newest interactions, as Prisma's `include` of the same shape returns
// them (every column, Dates, Decimals, parsed JSON). Prisma reads those relations as JSONB of every
// column and maps it back field by field, and that mapping was the largest cost of a list request
// (issue 15); here PostgreSQL builds plain JSON and one pass turns it into the same objects.
//
// Only the include shapes the list asks for are read here (see `pageRowsPlan`); any other relation,
// count or nested include returns null, and the caller reads the page through Prisma as before.

import type { Db } from "../../db/database.ts";
import type { Customer, Identity, Interaction, Principal } from "../../generated/prisma/client.ts";
import { Prisma } from "../../generated/prisma/client.ts";

/** A customer row with whichever of the three relations its include asked for. */
export type CustomerPageRow = Customer & {
  owner?: Principal | null;
  identities?: Identity[];
  interactions?: Interaction[];
};

interface InteractionsPlan {
  channels?: string[];
  kinds?: string[];
  from?: Date;
  to?: Date;
  take: number;
  skip: number;
}

interface PagePlan {
  owner: boolean;
  identities: boolean;
  interactions: InteractionsPlan | null;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const hasOnly = (value: Record<string, unknown>, keys: string[]) =>
  Object.keys(value).every((key) => keys.includes(key) || value[key] === undefined);

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The identities as the Customer type lists them. */
const IDENTITY_ORDER = [{ kind: "asc" }, { value: "asc" }];
/** The interactions as the Customer type pages them: newest first. */
const INTERACTION_ORDER = [{ occurredAt: "desc" }, { id: "desc" }];

/** What of `include` this module reads; null when the include asks for anything else. */
export function pageRowsPlan(include: Prisma.CustomerInclude | undefined): PagePlan | null {
  const plan: PagePlan = { owner: false, identities: false, interactions: null };
  if (include === undefined) return plan;
  for (const [relation, query] of Object.entries(include)) {
    if (query === undefined || query === false) continue;
    if (relation === "owner" && query === true) plan.owner = true;
    else if (relation === "identities" && identitiesKnown(query)) plan.identities = true;
    else if (relation === "interactions" && isPlainObject(query)) {
      plan.interactions = interactionsPlan(query);
      if (!plan.interactions) return null;
    } else return null;
  }
  return plan;
}

function identitiesKnown(query: unknown): boolean {
  if (query === true) return false; // Prisma's order would be the table's: not the list's.
  return isPlainObject(query) && hasOnly(query, ["orderBy"]) && sameJson(query.orderBy, IDENTITY_ORDER);
}

function interactionsPlan(query: Record<string, unknown>): InteractionsPlan | null {
  if (!hasOnly(query, ["where", "orderBy", "take", "skip"])) return null;
  if (!sameJson(query.orderBy, INTERACTION_ORDER)) return null;
  const { take, skip = 0, where = {} } = query;
  if (typeof take !== "number" || take < 0 || typeof skip !== "number" || skip < 0) return null;
  if (!isPlainObject(where) || !hasOnly(where, ["channel", "kind", "occurredAt"])) return null;
  const plan: InteractionsPlan = { take, skip };
  for (const [field, key] of [
    ["channel", "channels"],
    ["kind", "kinds"],
  ] as const) {
    const condition = where[field];
    if (condition === undefined) continue;
    if (!isPlainObject(condition) || !hasOnly(condition, ["in"]) || !Array.isArray(condition.in)) return null;
    if (!condition.in.every((value) => typeof value === "string")) return null;
    plan[key] = condition.in as string[];
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
  const columns = [CUSTOMER_COLUMNS];
  if (plan.owner) columns.push(OWNER_COLUMN);
  if (plan.identities) columns.push(IDENTITIES_COLUMN);
  if (plan.interactions) columns.push(interactionsColumn(plan.interactions));
  const rows = await db.$queryRaw<RawRow[]>`
    SELECT ${Prisma.join(columns, ", ")} FROM "Customer" c WHERE c."id" = ANY(${ids}::uuid[])`;
  return rows.map((row) => customerOf(row, plan));
}

/** Every column of the customer, as Prisma reads them (the enum as its name). */
const CUSTOMER_COLUMNS = Prisma.sql`c."id", c."displayName", c."traits", c."lifecycleStage"::text AS "lifecycleStage",
    c."profileVersions", c."ownerId", c."firstSeenAt", c."lastSeenAt", c."mergedIntoId", c."mergedAt",
    c."createdAt", c."updatedAt"`;

// Timestamps and decimals go into JSON as text: a timestamp keeps its offset, and an amount its
// exact digits (a JSON number would pass through a float).
const OWNER_COLUMN = Prisma.sql`(SELECT json_build_object('id', o."id", 'name', o."name", 'email', o."email",
    'createdAt', o."createdAt") FROM "Principal" o WHERE o."id" = c."ownerId") AS "owner"`;

const IDENTITIES_COLUMN = Prisma.sql`(SELECT coalesce(json_agg(json_build_object('id', i."id",
    'customerId', i."customerId", 'kind', i."kind", 'namespace', i."namespace", 'value', i."value",
    'source', i."source", 'createdAt', i."createdAt", 'lastSeenAt', i."lastSeenAt")
    ORDER BY i."kind", i."value"), '[]') FROM "Identity" i WHERE i."customerId" = c."id") AS "identities"`;

function interactionsColumn(plan: InteractionsPlan): Prisma.Sql {
  const conditions = [Prisma.sql`x."customerId" = c."id"`];
  if (plan.channels) conditions.push(Prisma.sql`x."channel"::text = ANY(${plan.channels}::text[])`);
  if (plan.kinds) conditions.push(Prisma.sql`x."kind" = ANY(${plan.kinds}::text[])`);
  if (plan.from) conditions.push(Prisma.sql`x."occurredAt" >= ${plan.from.toISOString()}::timestamptz`);
  if (plan.to) conditions.push(Prisma.sql`x."occurredAt" < ${plan.to.toISOString()}::timestamptz`);
  return Prisma.sql`(SELECT coalesce(json_agg(json_build_object('id', x."id", 'customerId', x."customerId",
      'source', x."source", 'externalId', x."externalId", 'channel', x."channel", 'kind', x."kind",
      'direction', x."direction", 'occurredAt', x."occurredAt", 'summary', x."summary", 'body', x."body",
      'amount', x."amount"::text, 'currency', x."currency", 'sentiment', x."sentiment",
      'conversationId', x."conversationId", 'metadata', x."metadata", 'sourceUpdatedAt', x."sourceUpdatedAt",
      'recordedAt', x."recordedAt") ORDER BY x."occurredAt" DESC, x."id" DESC), '[]')
    FROM (SELECT * FROM "Interaction" x WHERE ${Prisma.join(conditions, " AND ")}
          ORDER BY x."occurredAt" DESC, x."id" DESC LIMIT ${plan.take} OFFSET ${plan.skip}) x) AS "interactions"`;
}

type Json = Record<string, unknown>;
type RawRow = Customer & { owner?: Json | null; identities?: Json[]; interactions?: Json[] };

function customerOf(row: RawRow, plan: PagePlan): CustomerPageRow {
  const { owner, identities, interactions, ...customer } = row;
  const result: CustomerPageRow = customer;
  if (plan.owner) result.owner = owner ? principalOf(owner) : null;
  if (plan.identities) result.identities = (identities ?? []).map(identityOf);
  if (plan.interactions) result.interactions = (interactions ?? []).map(interactionOf);
  return result;
}

const dateOf = (value: unknown) => new Date(value as string);
const dateOrNull = (value: unknown) => (value === null ? null : dateOf(value));

function principalOf(json: Json): Principal {
  return { ...(json as unknown as Principal), createdAt: dateOf(json.createdAt) };
}

function identityOf(json: Json): Identity {
  return {
    ...(json as unknown as Identity),
    createdAt: dateOf(json.createdAt),
    lastSeenAt: dateOf(json.lastSeenAt),
  };
}

function interactionOf(json: Json): Interaction {
  return {
    ...(json as unknown as Interaction),
    occurredAt: dateOf(json.occurredAt),
    amount: json.amount === null ? null : new Prisma.Decimal(json.amount as string),
    sourceUpdatedAt: dateOrNull(json.sourceUpdatedAt),
    recordedAt: dateOf(json.recordedAt),
  };
}
