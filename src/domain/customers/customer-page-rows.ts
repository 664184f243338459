// One page of the customer list, read in one SQL statement with the relations its rows show: the
// owner, the identities and the newest interactions, as Prisma's `include` of the same shape returns
// them (Dates, Decimals, parsed JSON). Prisma reads those relations as JSONB of every column and maps
// it back field by field, and that mapping was the largest cost of a list request (issue 15); here
// PostgreSQL builds plain JSON, sent straight from the driver, and one pass turns it into the same
// objects. Each row carries the columns the request names (PageColumns; every column by default).
//
// Only the include shapes the list and the customer page ask for are read here (see `pageRowsPlan`);
// any other relation, count or nested include returns null, and the caller reads through Prisma.

import type { Db } from "../../db/database.ts";
import { directSql } from "../../db/direct-sql.ts";
import { PREPARED_REQUEST_SHAPED, rowCountLiteral } from "../../db/prepared-statements.ts";
import type {
  Customer,
  Feedback,
  Identity,
  Interaction,
  Principal,
  Score,
} from "../../generated/prisma/client.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import {
  type JourneyProgressView,
  journeyProgressJson,
  journeyProgressViews,
  type ProgressJson,
} from "../journeys/journey-progress.ts";
import {
  type TimelineEntry,
  type TimelinePageRequest,
  type TimelinePosition,
  timelineEntriesOf,
  timelinePageJson,
} from "./customer-timeline.ts";
import { hasOnly, isPlainObject, isStringList } from "./prisma-argument-shapes.ts";
import {
  type Columns,
  CUSTOMER_ROW,
  FEEDBACK_ROW,
  IDENTITY_ROW,
  INTERACTION_ROW,
  PRINCIPAL_ROW,
  readRow,
  rowJson,
  rowPairs,
  SCORE_ROW,
} from "./row-json-columns.ts";

/** A customer row with whichever of the relations its include asked for. */
export type CustomerPageRow = Customer & {
  owner?: Principal | null;
  identities?: Identity[];
  interactions?: Interaction[];
  feedback?: Feedback[];
  score?: Score | null;
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

/**
 * The columns each row of the page carries, by table: the customer's and each relation's. A table
 * not named carries every column; a named one its id and the columns listed, and nothing else, so a
 * resolver that reads another column of it reads undefined (src/graph/row-columns.ts names them).
 */
export interface PageColumns {
  customer?: Columns<Customer>;
  owner?: Columns<Principal>;
  identities?: Columns<Identity>;
  interactions?: Columns<Interaction>;
  feedback?: Columns<Feedback>;
  /** The entries of the timeline page the extras ask for: its interactions', and its survey answers'. */
  timelineInteractions?: Columns<Interaction>;
  timelineFeedback?: Columns<Feedback>;
}

export interface PagePlan {
  owner: boolean;
  identities: boolean;
  interactions: InteractionsPlan | null;
  feedback: FeedbackPlan | null;
  /** `_count: { select: { feedback: true } }`: how many survey answers the customer has in all. */
  feedbackCount: boolean;
  /** The customer's current score (every column), as the at-risk list shows it. */
  score: boolean;
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
    score: false,
  };
  if (include === undefined) return plan;
  for (const [relation, query] of Object.entries(include)) {
    if (query === undefined || query === false) continue;
    if (relation === "owner" && query === true) plan.owner = true;
    else if (relation === "score" && query === true) plan.score = true;
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
 * What the Customer360 page reads in the same statement as its customer, beside the relations of
 * `include`: their journeys, and a page of their timeline. Resolvers take them from the row
 * (pageRowJourneys, pageRowTimeline), and read them themselves when the row does not carry them.
 */
export interface PageRowExtras {
  journeys?: boolean;
  timeline?: TimelinePageRequest;
}

/**
 * The customers of `ids` with the relations `include` asks for (and the `extras`), in no particular
 * order; null when the include is not one this module reads (the caller reads through Prisma then).
 */
export async function readCustomerPageRows(
  db: Db,
  ids: string[],
  include: Prisma.CustomerInclude | undefined,
  columns: PageColumns = {},
  extras: PageRowExtras = {},
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
      ? Prisma.sql`${Prisma.raw(PREPARED_REQUEST_SHAPED)}
    SELECT ${pageRowJson(plan, columns)} AS "row"${extrasSql(extras, columns)} FROM "Customer" c WHERE c."id" = ${ids[0]}::uuid`
      : Prisma.sql`
    SELECT ${pageRowJson(plan, columns)} AS "row"${extrasSql(extras, columns)} FROM "Customer" c WHERE c."id" = ANY(${ids}::uuid[])`;
  const rows = await directSql(db).query<ExtrasRow & { row: string }>(statement.text, statement.values);
  return rows.map((row) => {
    const customer = customerOf(JSON.parse(row.row) as RawRow, plan);
    if (extras.journeys || extras.timeline) rowExtras.set(customer, readExtras(row, extras));
    return customer;
  });
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
  { prepared = false, columns = {} }: { prepared?: boolean; columns?: PageColumns } = {},
): Promise<CustomerPageRead | null> {
  const plan = pageRowsPlan(include);
  if (!plan) return null;
  const total = count ?? Prisma.sql`NULL::int`;
  // The count's one row is joined to the page's rows, so that an empty page still answers it.
  const statement = Prisma.sql`${Prisma.raw(prepared ? PREPARED_REQUEST_SHAPED : "")}
    WITH "page" AS (${page})
    SELECT ${total} AS "total", p."row" FROM (SELECT 1) "one" LEFT JOIN (
      SELECT "page"."pos", ${pageRowJson(plan, columns)} AS "row" FROM "page" JOIN "Customer" c ON c."id" = "page"."id"
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

/** The customer row `c` with the plan's relations, of the columns `columns` names, as one JSON text. */
function pageRowJson(plan: PagePlan, columns: PageColumns): Prisma.Sql {
  const fields = [rowPairs(CUSTOMER_ROW, columns.customer)];
  if (plan.owner) fields.push(ownerField(columns.owner));
  if (plan.identities) fields.push(identitiesField(columns.identities));
  if (plan.interactions) fields.push(interactionsField(plan.interactions, columns.interactions));
  if (plan.feedback) fields.push(feedbackField(plan.feedback, columns.feedback));
  if (plan.feedbackCount) fields.push(FEEDBACK_COUNT_FIELD);
  if (plan.score) fields.push(SCORE_FIELD);
  return Prisma.sql`json_build_object(${Prisma.join(fields, ", ")})::text`;
}

const ownerField = (
  columns?: Columns<Principal>,
) => Prisma.sql`'owner', (SELECT ${rowJson(PRINCIPAL_ROW, columns)}
    FROM "Principal" o WHERE o."id" = c."ownerId")`;

const SCORE_FIELD = Prisma.sql`'score', (SELECT ${rowJson(SCORE_ROW)} FROM "Score" s WHERE s."customerId" = c."id")`;

const identitiesField = (columns?: Columns<Identity>) => Prisma.sql`'identities', (SELECT coalesce(json_agg(
    ${rowJson(IDENTITY_ROW, columns)} ORDER BY i."kind", i."value"), '[]') FROM "Identity" i WHERE i."customerId" = c."id")`;

function interactionsField(plan: InteractionsPlan, columns?: Columns<Interaction>): Prisma.Sql {
  const conditions = [Prisma.sql`x."customerId" = c."id"`];
  if (plan.channels) conditions.push(Prisma.sql`x."channel"::text = ANY(${plan.channels}::text[])`);
  if (plan.kinds) conditions.push(Prisma.sql`x."kind" = ANY(${plan.kinds}::text[])`);
  if (plan.from) conditions.push(Prisma.sql`x."occurredAt" >= ${plan.from.toISOString()}::timestamptz`);
  if (plan.to) conditions.push(Prisma.sql`x."occurredAt" < ${plan.to.toISOString()}::timestamptz`);
  return Prisma.sql`'interactions', (SELECT coalesce(json_agg(${rowJson(INTERACTION_ROW, columns)}
      ORDER BY x."occurredAt" DESC, x."id" DESC), '[]')
    FROM (SELECT * FROM "Interaction" x WHERE ${Prisma.join(conditions, " AND ")}
          ORDER BY x."occurredAt" DESC, x."id" DESC LIMIT ${rowCountLiteral(plan.take)} OFFSET ${rowCountLiteral(plan.skip)}) x)`;
}

function feedbackField(plan: FeedbackPlan, columns?: Columns<Feedback>): Prisma.Sql {
  return Prisma.sql`'feedback', (SELECT coalesce(json_agg(${rowJson(FEEDBACK_ROW, columns)}
      ORDER BY f."respondedAt" DESC, f."id" DESC), '[]')
    FROM (SELECT * FROM "Feedback" f WHERE f."customerId" = c."id"
          ORDER BY f."respondedAt" DESC, f."id" DESC LIMIT ${rowCountLiteral(plan.take)} OFFSET ${rowCountLiteral(plan.skip)}) f)`;
}

const FEEDBACK_COUNT_FIELD = Prisma.sql`'_count', json_build_object('feedback',
    (SELECT count(*) FROM "Feedback" f WHERE f."customerId" = c."id"))`;

type Json = Record<string, unknown>;
type RawRow = Json & {
  owner?: Json | null;
  identities?: Json[];
  interactions?: Json[];
  feedback?: Json[];
  score?: Json | null;
};

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

/** The extras a row was read with, as read: the journeys unconverted (their times in stage run to a clock). */
interface ReadExtras {
  journeys?: ProgressJson[];
  timeline?: { request: TimelinePageRequest; entries: TimelineEntry[] };
}
const rowExtras = new WeakMap<object, ReadExtras>();

/** The customer's journeys when `row` was read with them (readCustomerPageRows's extras); else undefined. */
export function pageRowJourneys(row: object, now: Date): JourneyProgressView[] | undefined {
  const journeys = rowExtras.get(row)?.journeys;
  return journeys && journeyProgressViews(journeys, now);
}

/** The timeline page `request` asks for when `row` was read with that very page; else undefined. */
export function pageRowTimeline(row: object, request: TimelinePageRequest): TimelineEntry[] | undefined {
  const timeline = rowExtras.get(row)?.timeline;
  return timeline && sameTimelinePage(timeline.request, request) ? timeline.entries : undefined;
}

const samePosition = (a?: TimelinePosition, b?: TimelinePosition) =>
  a === undefined || b === undefined ? a === b : a.id === b.id && a.at.getTime() === b.at.getTime();

function sameTimelinePage(a: TimelinePageRequest, b: TimelinePageRequest): boolean {
  return (
    a.limit === b.limit &&
    (a.oldestFirst ?? false) === (b.oldestFirst ?? false) &&
    samePosition(a.olderThan, b.olderThan) &&
    samePosition(a.newerThan, b.newerThan)
  );
}

/** The extras as columns of their own beside the row's JSON (so that the row's shape stays the list's). */
function extrasSql(extras: PageRowExtras, pageColumns: PageColumns): Prisma.Sql {
  const columns: Prisma.Sql[] = [];
  if (extras.journeys)
    columns.push(Prisma.sql`, ${journeyProgressJson(Prisma.sql`c."id"`)}::text AS "journeys"`);
  if (extras.timeline) {
    // The owner beside the page: each entry carries it for the visibility check of the API layer.
    columns.push(Prisma.sql`, ${timelinePageJson(Prisma.sql`c."id"`, extras.timeline, {
      interactions: pageColumns.timelineInteractions,
      feedback: pageColumns.timelineFeedback,
    })}::text AS "timeline",
      c."ownerId" AS "ownerId"`);
  }
  return columns.length ? Prisma.join(columns, "") : Prisma.empty;
}

type ExtrasRow = { journeys?: string; timeline?: string; ownerId?: string | null };

function readExtras(row: ExtrasRow & { row: string }, extras: PageRowExtras): ReadExtras {
  const read: ReadExtras = {};
  if (extras.journeys && row.journeys !== undefined) read.journeys = JSON.parse(row.journeys);
  if (extras.timeline && row.timeline !== undefined) {
    const entries = timelineEntriesOf(JSON.parse(row.timeline), row.ownerId ?? null);
    read.timeline = { request: extras.timeline, entries };
  }
  return read;
}

function customerOf(row: RawRow, plan: PagePlan): CustomerPageRow {
  const result = readRow(CUSTOMER_ROW, row) as CustomerPageRow;
  rowPlans.set(result, plan);
  if (plan.owner) result.owner = row.owner ? readRow(PRINCIPAL_ROW, row.owner) : null;
  if (plan.identities) result.identities = (row.identities ?? []).map((json) => readRow(IDENTITY_ROW, json));
  if (plan.interactions) result.interactions = (row.interactions ?? []).map(interactionOf);
  if (plan.feedback) result.feedback = (row.feedback ?? []).map(feedbackOf);
  if (plan.score) result.score = row.score ? readRow(SCORE_ROW, row.score) : null;
  // With feedbackCount, `_count` is already as Prisma gives it: { feedback: <a JSON number> }.
  return result;
}

/** An interaction as rowJson wrote it, as Prisma would read it: `json` is converted in place. */
const interactionOf = (json: Json): Interaction => readRow(INTERACTION_ROW, json);

/** A survey answer as rowJson wrote it, as Prisma would read it: `json` is converted in place. */
const feedbackOf = (json: Json): Feedback => readRow(FEEDBACK_ROW, json);
