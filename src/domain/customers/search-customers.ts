// The customer search as two indexed lookups combined by id: the display names that contain the text
// (their trigram index, Customer_displayName_trgm_idx) and the identities whose value contains it
// (Identity_value_trgm_idx). Written as one condition, `name ILIKE … OR EXISTS (identity …)`, the
// planner cannot use either index for the name half (a BitmapOr cannot take a subquery) and reads
// every customer; as a set of ids, each half reads its own index.
//
// A search is a condition on the customer (customerSearchCondition) that the list's statements write
// as `id IN (the matches)` (customerMatchesSql), once per statement however often they use it
// (SearchMatchesOnce): a page and its totalCount then share one lookup in one statement. Through
// Prisma, which cannot take a subquery, the condition becomes the matched ids first (withSearchIds).
// A text that matches many customers (a common syllable, fewer than three characters, which a trigram
// index cannot serve) stays the single condition there: reading every row is what the planner chooses
// for it anyway, and a list of ids that long would cost more than the scan.
import { directSql } from "../../db/direct-sql.ts";
import { likeLiteral } from "../../db/like-literal.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type { IdentityKind } from "../../generated/prisma/enums.ts";
import { isPlainObject } from "./prisma-argument-shapes.ts";

export interface CustomerSearch {
  /** What was typed, trimmed: matched literally (`%` and `_` are plain) and case-insensitively. */
  text: string;
  /** The identity kinds the caller may search by (not emails and phones without the `pii` scope). */
  identityKinds: IdentityKind[];
  /**
   * Whether a display name that holds an email or a phone may match. Without the `pii` scope such a
   * name reads masked, and a search that matched it would confirm the hidden address piece by piece.
   */
  namesWithContactDetails: boolean;
}

/** The most customers a search answers by id; past it, by the single condition (see the top). */
export const SEARCH_ID_LIMIT = 1000;

/** Characters that make a display name contact details: an email's @, an international phone's +. */
const CONTACT_MARKS = ["@", "+"];

const contains = (text: string) => `%${likeLiteral(text)}%`;

/** The live customers whose display name contains the text: at most `limit` + 1 of them, given a limit. */
export function displayNameLookup(search: CustomerSearch, limit?: number): Prisma.Sql {
  const hidden = search.namesWithContactDetails
    ? Prisma.empty
    : Prisma.sql`AND ${Prisma.join(
        CONTACT_MARKS.map((mark) => Prisma.sql`"displayName" NOT LIKE ${contains(mark)}`),
        " AND ",
      )}`;
  return Prisma.sql`
    SELECT id FROM "Customer"
     WHERE "displayName" ILIKE ${contains(search.text)} AND "mergedIntoId" IS NULL ${hidden}
     ${limitClause(limit)}`;
}

/**
 * The customers with an identity of a searchable kind whose value contains the text: at most
 * `limit` + 1 of them, given a limit (each once; without a limit, once per identity). Values are
 * stored normalized (lower case), so the text is lowered, not the column.
 */
export function identityLookup(search: CustomerSearch, limit?: number): Prisma.Sql {
  return Prisma.sql`
    SELECT ${limit === undefined ? Prisma.empty : Prisma.sql`DISTINCT`} "customerId" AS id FROM "Identity"
     WHERE "value" LIKE ${contains(search.text.toLowerCase())}
       AND "kind"::text = ANY(${search.identityKinds}::text[])
     ${limitClause(limit)}`;
}

const limitClause = (limit: number | undefined) =>
  limit === undefined ? Prisma.empty : Prisma.sql`LIMIT ${limit + 1}`;

/**
 * The ids of the customers the search matches, as an SQL set (`SELECT id …`): both lookups, each on
 * its index, for `id IN (…)`. A customer found both ways is listed twice, which IN does not mind.
 */
export function customerMatchesSql(search: CustomerSearch): Prisma.Sql {
  const lookups = [displayNameLookup(search)];
  if (search.identityKinds.length > 0) lookups.push(identityLookup(search));
  return Prisma.join(lookups, " UNION ALL ");
}

/** Which search each condition made by customerSearchCondition stands for. */
const searchOfCondition = new WeakMap<object, CustomerSearch>();

/**
 * The search as a condition on the customer: the single condition (customerSearchWhere), so that
 * Prisma answers it rightly as it is, known to customer-where-sql.ts and withSearchIds as this search
 * (searchOf), so that they answer it by its indexes instead.
 */
export function customerSearchCondition(search: CustomerSearch): Prisma.CustomerWhereInput {
  const condition = customerSearchWhere(search);
  searchOfCondition.set(condition, search);
  return condition;
}

/** The search a condition stands for, when customerSearchCondition made it. */
export function searchOf(condition: object): CustomerSearch | undefined {
  return searchOfCondition.get(condition);
}

/**
 * The searches one statement uses, each written once at its top as a WITH query of its matches and
 * read from there wherever the statement needs it: PostgreSQL runs a subquery again at every place
 * it appears, and the customer list's page and its count each need the search's matches.
 */
export class SearchMatchesOnce {
  readonly #tables = new Map<string, { name: Prisma.Sql; search: CustomerSearch }>();

  /** `SELECT id` of the search's matches, from the statement's WITH query of them. */
  matches(search: CustomerSearch): Prisma.Sql {
    const key = JSON.stringify([search.text, search.identityKinds, search.namesWithContactDetails]);
    let table = this.#tables.get(key);
    if (!table) {
      table = { name: Prisma.raw(`"search_matches_${this.#tables.size}"`), search };
      this.#tables.set(key, table);
    }
    return Prisma.sql`SELECT "id" FROM ${table.name}`;
  }

  /**
   * The WITH queries of the searches `matches` named, each followed by a comma, to start the
   * statement's WITH list with; empty when it named none. Read it once the statement is written.
   */
  withQueries(): Prisma.Sql {
    if (this.#tables.size === 0) return Prisma.empty;
    const queries = [...this.#tables.values()].map(
      ({ name, search }) => Prisma.sql`${name} AS (${customerMatchesSql(search)}), `,
    );
    return Prisma.join(queries, "");
  }
}

/**
 * The ids of the customers the search matches, or null when more than `limit` match either way (the
 * caller then filters with customerSearchWhere). Visibility and the other filters are the caller's:
 * it lists `id IN (these)` under its own conditions, so paging and counts stay those of one query.
 */
export async function customerIdsMatching(
  db: Prisma.TransactionClient,
  search: CustomerSearch,
  limit = SEARCH_ID_LIMIT,
): Promise<string[] | null> {
  // Both lookups in one statement, each still on its own index, straight to the driver: a search
  // request sent them as two statements through Prisma's client engine (issue 15).
  const lookups = [Prisma.sql`SELECT 'name' AS "by", n."id" FROM (${displayNameLookup(search, limit)}) n`];
  if (search.identityKinds.length > 0) {
    lookups.push(Prisma.sql`SELECT 'identity' AS "by", i."id" FROM (${identityLookup(search, limit)}) i`);
  }
  const statement = Prisma.join(lookups, " UNION ALL ");
  const rows = await directSql(db).query<{ by: string; id: string }>(statement.text, statement.values);
  const byName = rows.filter((row) => row.by === "name");
  if (byName.length > limit || rows.length - byName.length > limit) return null;
  return [...new Set(rows.map((row) => row.id))];
}

/**
 * `where` for a query through Prisma: each search condition in it (customerSearchCondition, at any
 * depth) replaced by the ids of the customers it matches, or left the single condition when more
 * than `limit` match. The same array when it holds no search.
 */
export async function withSearchIds(
  db: Prisma.TransactionClient,
  where: Prisma.CustomerWhereInput[],
  limit = SEARCH_ID_LIMIT,
): Promise<Prisma.CustomerWhereInput[]> {
  const searches = new Map<object, CustomerSearch>();
  findSearches(where, searches);
  if (searches.size === 0) return where;
  const byIds = new Map<object, Prisma.CustomerWhereInput>();
  for (const [condition, search] of searches) {
    const ids = await customerIdsMatching(db, search, limit);
    if (ids !== null) byIds.set(condition, { id: { in: ids } });
  }
  return replaceConditions(where, byIds) as Prisma.CustomerWhereInput[];
}

function findSearches(value: unknown, found: Map<object, CustomerSearch>): void {
  if (Array.isArray(value)) {
    for (const item of value) findSearches(item, found);
  } else if (isPlainObject(value)) {
    const search = searchOf(value);
    if (search) found.set(value, search);
    else for (const field of Object.values(value)) findSearches(field, found);
  }
}

/** `value` with the conditions `by` names replaced; what holds none of them is kept as it is. */
function replaceConditions(value: unknown, by: Map<object, Prisma.CustomerWhereInput>): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => replaceConditions(item, by));
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  if (!isPlainObject(value)) return value;
  const replacement = by.get(value);
  if (replacement) return replacement;
  if (searchOf(value)) return value;
  const fields = Object.entries(value).map(
    ([field, inner]) => [field, replaceConditions(inner, by)] as const,
  );
  return fields.some(([field, inner]) => inner !== value[field]) ? Object.fromEntries(fields) : value;
}

/** The same search as one condition on the customer, for a text that matches too many to list. */
export function customerSearchWhere(search: CustomerSearch): Prisma.CustomerWhereInput {
  const text = likeLiteral(search.text);
  const byName: Prisma.CustomerWhereInput = {
    AND: [
      { displayName: { contains: text, mode: "insensitive" } },
      ...(search.namesWithContactDetails
        ? []
        : CONTACT_MARKS.map((mark) => ({ NOT: { displayName: { contains: mark } } }))),
    ],
  };
  return {
    OR: [
      byName,
      {
        identities: {
          some: { value: { contains: text.toLowerCase() }, kind: { in: search.identityKinds } },
        },
      },
    ],
  };
}

/** The same search as an SQL predicate on the customer row under `alias`, for set-based analyses. */
export function customerSearchSql(search: CustomerSearch, alias: string): Prisma.Sql {
  const c = Prisma.raw(`"${alias}"`);
  const hidden = search.namesWithContactDetails
    ? Prisma.empty
    : Prisma.sql`AND ${Prisma.join(
        CONTACT_MARKS.map((mark) => Prisma.sql`${c}."displayName" NOT LIKE ${contains(mark)}`),
        " AND ",
      )}`;
  return Prisma.sql`((${c}."displayName" ILIKE ${contains(search.text)} ${hidden})
    OR EXISTS (SELECT 1 FROM "Identity" si WHERE si."customerId" = ${c}."id"
      AND si."value" LIKE ${contains(search.text.toLowerCase())}
      AND si."kind"::text = ANY(${search.identityKinds}::text[])))`;
}
