// The IDs of one page of the customer list, in any of its orders, read by keyset from an index so that
// a page costs about a page whichever page it is and however many customers there are. The caller
// then reads those customers with what the request selects (`where: { id: { in } }`): done in one
// query, PostgreSQL would join every customer's relations before sorting and cutting the page.
//
// An order is a column on the customer or on their score, then the customer's ID, both in the list's
// direction. Customers without a value (a null column, or no score at all) form a range of their own,
// sorted by ID: last in either direction, or, for churn risk, where PostgreSQL puts NULLs (first in
// DESC, last in ASC), so that every customer sorts where the list has always put them. Each range is
// read from an index on (column DESC [NULLS LAST], id DESC), forward for DESC and backward for ASC
// (prisma/migrations/*_customer_order_indexes); a cursor is the customer's own position in the order.
import type { Db } from "../../db/database.ts";
import { directSql } from "../../db/direct-sql.ts";
import { rowCountLiteral } from "../../db/prepared-statements.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { isEveryLiveCustomer, isLiveOfOneOwnerAtMost } from "./customer-count.ts";
import { customerWhereSql, scoreWhereSql } from "./customer-where-sql.ts";

/** Where customers without a value sort: last either way, first in DESC (as NULLs do), or never. */
type Missing = "last" | "greatest" | "none";

interface OrderColumn {
  /** The column's table: the customer's own row, or their score (which a customer may not have yet). */
  on: "customer" | "score";
  column: string;
  missing: Missing;
}

/** The list's orders, each by the column it sorts on; ties are broken by customer ID. */
export const CUSTOMER_ORDERS = {
  lastSeen: { on: "customer", column: "lastSeenAt", missing: "last" },
  created: { on: "customer", column: "createdAt", missing: "none" },
  name: { on: "customer", column: "displayName", missing: "last" },
  churnRisk: { on: "score", column: "churnRisk", missing: "greatest" },
  lifetimeValue: { on: "score", column: "clv", missing: "last" },
  valueAtRisk: { on: "score", column: "valueAtRisk", missing: "last" },
} as const satisfies Record<string, OrderColumn>;

export type CustomerOrderKey = keyof typeof CUSTOMER_ORDERS;

export interface CustomerPage {
  order: CustomerOrderKey;
  direction: Prisma.SortOrder;
  /** Conditions on the customer (live, visible, owner, search, …). */
  customerWhere: Prisma.CustomerWhereInput[];
  /** Conditions on the customer's score (churn risk level, thresholds): only scored customers pass. */
  scoreWhere: Prisma.ScoreWhereInput[];
  /** IDs to return: positive reads forward from the cursor, negative backward (as Prisma's take). */
  take: number;
  /** The customer ID the page starts after (forward) or ends before (backward); excluded. */
  cursorId?: string;
}

type Segment = "valued" | "missing";

interface Walk {
  order: OrderColumn;
  /** The direction the index is read in: the list's, or its reverse when paging backward. */
  sort: Prisma.SortOrder;
  page: CustomerPage;
}

interface Position {
  id: string;
  value: unknown;
}

const flip = (direction: Prisma.SortOrder): Prisma.SortOrder => (direction === "asc" ? "desc" : "asc");

export async function customerPageIds(db: Db, page: CustomerPage): Promise<string[]> {
  const order: OrderColumn = CUSTOMER_ORDERS[page.order];
  const backward = page.take < 0;
  const limit = Math.abs(page.take);
  if (limit === 0) return [];
  // Walking the list backward is walking the reversed order forward: the other direction, and the
  // ranges in the other order.
  const walk: Walk = { order, sort: backward ? flip(page.direction) : page.direction, page };
  const forward = segmentsOf(order, page.direction);
  const segments = backward ? [...forward].reverse() : forward;

  let cursor: (Position & { segment: Segment }) | undefined;
  if (page.cursorId !== undefined) {
    const position = await cursorPosition(db, order, page.cursorId);
    // As Prisma's cursor: a customer that does not exist starts no page.
    if (!position) return [];
    cursor = { ...position, segment: position.value === null ? "missing" : "valued" };
  }

  // A first page read in the index's own order (DESC, NULLS LAST) runs on from the values into the
  // customers without one in the same statement: the index holds them next, in the list's order.
  if (
    !cursor &&
    order.on === "customer" &&
    segments[0] === "valued" &&
    segments.length > 1 &&
    walk.sort === "desc"
  ) {
    const ids = await valued(db, walk, limit, undefined, { throughMissing: true });
    return backward ? ids.reverse() : ids;
  }

  const ids: string[] = [];
  let passedCursor = cursor === undefined;
  for (const segment of segments) {
    if (ids.length >= limit) break;
    const atCursor = cursor !== undefined && cursor.segment === segment;
    if (!passedCursor && !atCursor) continue; // The cursor lies further on.
    passedCursor = true;
    const from = atCursor ? cursor : undefined;
    const want = limit - ids.length;
    ids.push(
      ...(segment === "valued" ? await valued(db, walk, want, from) : await missing(db, walk, want, from)),
    );
  }
  return backward ? ids.reverse() : ids;
}

function segmentsOf(order: OrderColumn, direction: Prisma.SortOrder): Segment[] {
  if (order.missing === "none") return ["valued"];
  return order.missing === "greatest" && direction === "desc" ? ["missing", "valued"] : ["valued", "missing"];
}

/** The comparisons that mean "further on in the walk". */
function later(sort: Prisma.SortOrder) {
  return sort === "desc" ? { strictly: "lt", orSame: "lte" } : { strictly: "gt", orSame: "gte" };
}

/**
 * The column's ordering as its index holds it: a nullable column's index puts NULLs last, so it reads
 * NULLS LAST forward and NULLS FIRST backward; a NOT NULL column's index has PostgreSQL's default.
 */
function columnOrder(walk: Walk) {
  const { column, missing } = walk.order;
  // Only the columns whose missing values sort last hold NULLs: churn risk is missing only without a score.
  if (missing === "last") {
    return { [column]: { sort: walk.sort, nulls: walk.sort === "desc" ? "last" : "first" } };
  }
  return { [column]: walk.sort };
}

/** Customers with a value, after the cursor's (value, id) when the cursor is among them. */
async function valued(
  db: Db,
  walk: Walk,
  take: number,
  from: Position | undefined,
  { throughMissing = false } = {},
): Promise<string[]> {
  if (!from) {
    const fromSql = await rangeBySql(db, walk, take, throughMissing ? "all" : "valued");
    if (fromSql) return fromSql;
  }
  const { column, on } = walk.order;
  const key = on === "customer" ? "id" : "customerId";
  const { strictly, orSame } = later(walk.sort);
  const conditions: Record<string, unknown>[] = [];
  // Only the columns whose missing values sort last hold NULLs (see columnOrder).
  if (walk.order.missing === "last" && !throughMissing) conditions.push({ [column]: { not: null } });
  if (from) {
    conditions.push({
      [column]: { [orSame]: from.value },
      OR: [{ [column]: { [strictly]: from.value } }, { [key]: { [strictly]: from.id } }],
    });
  }
  if (on === "customer") {
    const rows = await db.customer.findMany({
      where: { AND: [...customerConditions(walk.page), ...(conditions as Prisma.CustomerWhereInput[])] },
      orderBy: [columnOrder(walk) as Prisma.CustomerOrderByWithRelationInput, { id: walk.sort }],
      take,
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }
  const rows = await db.score.findMany({
    where: { AND: [...scoreConditions(walk.page), ...(conditions as Prisma.ScoreWhereInput[])] },
    orderBy: [columnOrder(walk) as Prisma.ScoreOrderByWithRelationInput, { customerId: walk.sort }],
    take,
    select: { customerId: true },
  });
  return rows.map((row) => row.customerId);
}

/**
 * Customers without a value, by ID after the cursor's when the cursor is among them. For a score
 * column that is two ranges merged by ID: scores with a NULL there (from the score's index) and
 * customers not scored yet (only when no score condition is asked for, which they could not meet).
 */
async function missing(db: Db, walk: Walk, take: number, from: Position | undefined): Promise<string[]> {
  if (!from) {
    const fromSql = await rangeBySql(db, walk, take, "missing");
    if (fromSql) return fromSql;
  }
  const { column, on } = walk.order;
  const { strictly } = later(walk.sort);
  const afterId = (key: string) => (from ? [{ [key]: { [strictly]: from.id } }] : []);
  if (on === "customer") {
    const rows = await db.customer.findMany({
      where: {
        AND: [...customerConditions(walk.page), { [column]: null }, ...afterId("id")],
      },
      // Ordered by the (NULL) column too, so that PostgreSQL reads the index's NULL range in order.
      orderBy: [columnOrder(walk) as Prisma.CustomerOrderByWithRelationInput, { id: walk.sort }],
      take,
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }
  const ranges: Promise<string[]>[] = [];
  if (walk.order.missing === "last") {
    ranges.push(
      db.score
        .findMany({
          where: { AND: [...scoreConditions(walk.page), { [column]: null }, ...afterId("customerId")] },
          orderBy: [columnOrder(walk) as Prisma.ScoreOrderByWithRelationInput, { customerId: walk.sort }],
          take,
          select: { customerId: true },
        })
        .then((rows) => rows.map((row) => row.customerId)),
    );
  }
  if (walk.page.scoreWhere.length === 0) {
    ranges.push(
      db.customer
        .findMany({
          // The customers kept as unscored (CustomerUnscored), read from that table's few rows.
          where: { AND: [...walk.page.customerWhere, { unscored: { isNot: null } }, ...afterId("id")] },
          orderBy: { id: walk.sort },
          take,
          select: { id: true },
        })
        .then((rows) => rows.map((row) => row.id)),
    );
  }
  const merged = (await Promise.all(ranges)).flat();
  // UUIDs compare in PostgreSQL as their bytes, which is the order of their lower-case hex text.
  merged.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (walk.sort === "desc") merged.reverse();
  return merged.slice(0, take);
}

/**
 * A first page's range as one statement straight to the driver, the same rows in the same order as
 * the Prisma queries of `valued` and `missing` give; null when a condition is not one that
 * customer-where-sql.ts reads (the caller then asks Prisma).
 */
async function rangeBySql(db: Db, walk: Walk, take: number, range: RangeKind): Promise<string[] | null> {
  const statement = rangeSql(walk, take, range);
  if (statement === null) return null;
  if (statement === NO_ROWS) return [];
  return (await directSql(db).query<{ id: string }>(statement.text, statement.values)).map((row) => row.id);
}

type RangeKind = "valued" | "missing" | "all";

/** A range that cannot hold anyone (customers without a score under a score condition): not sent. */
const NO_ROWS = Prisma.sql`SELECT NULL::uuid AS "id", 0::bigint AS "pos" WHERE FALSE`;

/**
 * The SQL of one range of the walk: the customers' `id` in the walk's order, at most `take`, with
 * `pos`, their place in it (1, 2, …), so that a statement reading the range as a subquery can keep
 * the order. `all` runs on from the values into the customers without one, as the index holds them.
 * Null when a condition is not one that customer-where-sql.ts reads; NO_ROWS when the range is empty.
 */
function rangeSql(walk: Walk, take: number, range: RangeKind): Prisma.Sql | null {
  const { column, on, missing: missingSort } = walk.order;
  const customerWhere = customerWhereSql(customerConditions(walk.page), "c");
  const scoreWhere = scoreWhereSql(walk.page.scoreWhere, "s");
  if (customerWhere === null || scoreWhere === null) return null;
  const sort = Prisma.raw(walk.sort === "desc" ? "DESC" : "ASC");
  // As columnOrder: a column whose missing values sort last is read NULLS LAST forward.
  const nulls =
    missingSort === "last" ? Prisma.raw(walk.sort === "desc" ? "NULLS LAST" : "NULLS FIRST") : Prisma.empty;
  const col = Prisma.raw(`"${column}"`);
  // The window orders as the statement does, so PostgreSQL numbers the rows as it reads them: no sort.
  const ordered = (by: Prisma.Sql) => Prisma.sql`, row_number() OVER (ORDER BY ${by}) AS "pos"`;
  if (on === "customer") {
    const valueCondition =
      range === "valued" && missingSort === "last"
        ? Prisma.sql`AND c.${col} IS NOT NULL`
        : range === "missing"
          ? Prisma.sql`AND c.${col} IS NULL`
          : Prisma.empty;
    const by = Prisma.sql`c.${col} ${sort} ${nulls}, c."id" ${sort}`;
    return Prisma.sql`SELECT c."id" AS "id"${ordered(by)} FROM "Customer" c WHERE ${customerWhere} ${valueCondition}
      ORDER BY ${by} LIMIT ${rowCountLiteral(take)}`;
  }
  const liveCustomer = customerWhereSql(walk.page.customerWhere, "c");
  if (liveCustomer === null) return null;
  const scoredBy = Prisma.sql`s.${col} ${sort} ${nulls}, s."customerId" ${sort}`;
  const scored = (condition: Prisma.Sql) =>
    Prisma.sql`SELECT s."customerId" AS "id"${ordered(scoredBy)} FROM "Score" s JOIN "Customer" c ON c."id" = s."customerId"
      WHERE ${scoreWhere} AND ${liveCustomer} ${condition}
      ORDER BY ${scoredBy} LIMIT ${rowCountLiteral(take)}`;
  if (range !== "missing") {
    return scored(missingSort === "last" ? Prisma.sql`AND s.${col} IS NOT NULL` : Prisma.empty);
  }
  // As `missing`: scores without the value, and customers not scored yet, merged by ID (UUIDs
  // compare in PostgreSQL as their bytes, the order of their lower-case hex text that `missing` sorts).
  const ranges: Prisma.Sql[] = [];
  if (missingSort === "last") {
    ranges.push(Prisma.sql`(SELECT s."customerId" AS "id" FROM "Score" s JOIN "Customer" c ON c."id" = s."customerId"
      WHERE ${scoreWhere} AND ${liveCustomer} AND s.${col} IS NULL
      ORDER BY ${scoredBy} LIMIT ${rowCountLiteral(take)})`);
  }
  if (walk.page.scoreWhere.length === 0) {
    // From the customers kept as unscored (usually none), not from every customer without a score:
    // looking for those read every customer once everyone had a score.
    ranges.push(Prisma.sql`(SELECT c."id" AS "id" FROM "CustomerUnscored" u JOIN "Customer" c ON c."id" = u."customerId"
      WHERE ${liveCustomer}
      ORDER BY u."customerId" ${sort} LIMIT ${rowCountLiteral(take)})`);
  }
  if (ranges.length === 0) return NO_ROWS;
  const mergedBy = Prisma.sql`m."id" ${sort}`;
  return Prisma.sql`SELECT m."id" AS "id"${ordered(mergedBy)} FROM (${Prisma.join(ranges, " UNION ALL ")}) m
    ORDER BY ${mergedBy} LIMIT ${rowCountLiteral(take)}`;
}

/** A first page as one statement (see firstPageSql). */
export interface FirstPage {
  /** The page's `id` and `pos` (their place on the page), at most `take` rows. */
  statement: Prisma.Sql;
  /**
   * Whether the statement reads only the first of the page's ranges: then, should it come short of
   * the page, the page is not whole and must be read range by range.
   */
  firstRangeOnly: boolean;
  /**
   * Whether a statement reading this page may be prepared (prepared-statements.ts): the page is an
   * unfiltered list (every live customer, or one owner's by last seen), whose generic plan walks the
   * order's index as every custom plan does. A filter's plan depends on its values (a search's
   * selectivity above all), so a filtered page stays planned with them.
   */
  prepared: boolean;
}

/**
 * The statement of a first page (no cursor, read forward): the same IDs in the same order as
 * customerPageIds gives, with `pos`, for a caller that reads the page's customers in the same
 * statement. Null when the page has a cursor, reads backward, or has a condition customer-where-sql.ts
 * does not read.
 *
 * A page whose first range is the customers with a value reads that range alone: it nearly always
 * fills the page, and the statement stays as small to plan as one range (with the second range in
 * it, gated or not, PostgreSQL planned both on every request: 1 ms more CPU a request for
 * LIFETIME_VALUE). A page whose first range is the customers without one (churn risk, DESC: those
 * not scored yet, usually nobody) reads both ranges, the second only when the first came short: the
 * gate is a condition on the first range's size alone, which PostgreSQL checks once before it starts
 * the second (a one-time filter).
 */
export function firstPageSql(page: CustomerPage): FirstPage | null {
  if (page.cursorId !== undefined || page.take <= 0) return null;
  const order: OrderColumn = CUSTOMER_ORDERS[page.order];
  const walk: Walk = { order, sort: page.direction, page };
  const segments = segmentsOf(order, page.direction);
  // An owner's list has an index of its own for the last-seen order only: for any other order, a
  // generic plan (which costs an owner as an average one) would walk the whole order's index for an
  // owner of few customers, where a plan made for that owner reads theirs and sorts them.
  const prepared =
    page.scoreWhere.length === 0 &&
    (isEveryLiveCustomer(page.customerWhere) ||
      (page.order === "lastSeen" && isLiveOfOneOwnerAtMost(page.customerWhere)));
  const whole = (statement: Prisma.Sql | null) => statement && { statement, firstRangeOnly: false, prepared };
  // As customerPageIds: the index's own order runs on from the values into the customers without one.
  if (order.on === "customer" && segments[0] === "valued" && segments.length > 1 && walk.sort === "desc") {
    return whole(rangeSql(walk, page.take, "all"));
  }
  const ranges: Prisma.Sql[] = [];
  for (const segment of segments) {
    const statement = rangeSql(walk, page.take, segment);
    if (statement === null) return null;
    // Ranges that cannot hold anyone are passed over, as customerPageIds passes over them unsent.
    if (statement !== NO_ROWS) ranges.push(statement);
  }
  const [first = NO_ROWS, second] = ranges;
  if (!second) return whole(first);
  if (segments[0] === "valued") return { statement: first, firstRangeOnly: true, prepared };
  const take = rowCountLiteral(page.take);
  return whole(Prisma.sql`WITH "r1" AS MATERIALIZED (${first}),
    "r2" AS (SELECT r."id", r."pos" FROM (${second}) r WHERE (SELECT count(*) FROM "r1") < ${take})
    SELECT u."id", row_number() OVER (ORDER BY u."range", u."pos") AS "pos"
      FROM (SELECT "id", 1 AS "range", "pos" FROM "r1" UNION ALL SELECT "id", 2 AS "range", "pos" FROM "r2") u
     ORDER BY u."range", u."pos" LIMIT ${take}`);
}

function customerConditions(page: CustomerPage): Prisma.CustomerWhereInput[] {
  return [...page.customerWhere, ...page.scoreWhere.map((score) => ({ score }))];
}

function scoreConditions(page: CustomerPage): Prisma.ScoreWhereInput[] {
  return [...page.scoreWhere, { customer: { AND: page.customerWhere } }];
}

/** Where a customer sits in the order: their value (null without one); null when there is no such customer. */
async function cursorPosition(db: Db, order: OrderColumn, id: string): Promise<Position | null> {
  if (order.on === "customer") {
    const customer = await db.customer.findUnique({ where: { id }, select: { [order.column]: true } });
    return customer ? { id, value: (customer as Record<string, unknown>)[order.column] ?? null } : null;
  }
  const customer = await db.customer.findUnique({
    where: { id },
    select: { score: { select: { [order.column]: true } } },
  });
  if (!customer) return null;
  const score = customer.score as Record<string, unknown> | null;
  return { id, value: score?.[order.column] ?? null };
}
