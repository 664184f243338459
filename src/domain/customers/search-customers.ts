// The customer search as two indexed lookups combined by id: the display names that contain the text
// (their trigram index, Customer_displayName_trgm_idx) and the identities whose value contains it
// (Identity_value_trgm_idx). Written as one condition, `name ILIKE … OR EXISTS (identity …)`, the
// planner cannot use either index for the name half (a BitmapOr cannot take a subquery) and reads
// every customer; two statements, each with one index, read only the rows that match.
//
// A text that matches many customers (a common syllable, fewer than three characters, which a trigram
// index cannot serve) is answered by the single condition instead: reading every row is what the
// planner chooses for it anyway, and a list of ids that long would cost more than the scan.
import { directSql } from "../../db/direct-sql.ts";
import { likeLiteral } from "../../db/like-literal.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type { IdentityKind } from "../../generated/prisma/enums.ts";

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

/** The live customers whose display name contains the text, at most `limit` + 1 of them. */
export function displayNameLookup(search: CustomerSearch, limit: number): Prisma.Sql {
  const hidden = search.namesWithContactDetails
    ? Prisma.empty
    : Prisma.sql`AND ${Prisma.join(
        CONTACT_MARKS.map((mark) => Prisma.sql`"displayName" NOT LIKE ${contains(mark)}`),
        " AND ",
      )}`;
  return Prisma.sql`
    SELECT id FROM "Customer"
     WHERE "displayName" ILIKE ${contains(search.text)} AND "mergedIntoId" IS NULL ${hidden}
     LIMIT ${limit + 1}`;
}

/**
 * The customers with an identity of a searchable kind whose value contains the text, at most
 * `limit` + 1. Values are stored normalized (lower case), so the text is lowered, not the column.
 */
export function identityLookup(search: CustomerSearch, limit: number): Prisma.Sql {
  return Prisma.sql`
    SELECT DISTINCT "customerId" AS id FROM "Identity"
     WHERE "value" LIKE ${contains(search.text.toLowerCase())}
       AND "kind"::text = ANY(${search.identityKinds}::text[])
     LIMIT ${limit + 1}`;
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
