// The columns a row of the page statements (customer-page-rows.ts, customer-timeline.ts) carries in
// its JSON, and reading them back as Prisma gives them. A request names the columns its selection
// reads (src/graph/row-columns.ts) and only those are built, sent and parsed: a list page's rows
// carried every column (the traits, the profile's versions, each interaction's body and metadata)
// for a selection of four or five of them; reading only those cut the hub's CPU per request by 11-30%
// on the list pages (issue 15; A/B medians against main, 2026-12-06). No list of columns means every
// column, as Prisma reads them.

import type {
  Customer,
  Feedback,
  Identity,
  Interaction,
  Principal,
  Score,
} from "../../generated/prisma/client.ts";
import { Prisma } from "../../generated/prisma/client.ts";

/**
 * How a column goes into the JSON: as it is; as its milliseconds since 1970 (a timestamp: a JSON
 * number that becomes a Date without parsing text, and the columns hold milliseconds, Timestamptz(3),
 * so it is exact); or as text (a Decimal keeps its exact digits, which a JSON number would pass through
 * a float).
 */
type Encoding = "value" | "epochMs" | "decimalText";

/** A table's columns, each with its encoding: every column of the model, checked by the compiler. */
export interface RowTable<Row> {
  alias: string;
  encodings: { readonly [Column in keyof Row & string]-?: Encoding };
  /**
   * A row as rowJson wrote it, as Prisma reads it: its Dates and Decimals converted in place (the
   * object is the reader's own, from JSON.parse); a column the JSON does not carry stays absent, never
   * a null that would read as a value. Written out column by column, each a property access of one
   * shape (a loop over the column names made the timeline's and the page's readers generic ones).
   */
  read: (json: Json) => Row;
  /** rowPairs's text for each list of columns, built once: a page asks for the same few every time. */
  pairs: Map<string, Prisma.Sql>;
}

/** Some columns of a table's row; undefined (where a list is optional) stands for every column. */
export type Columns<Row> = readonly (keyof Row & string)[];

type Json = Record<string, unknown>;

/** A timestamp as epochMs wrote it; null stays null. */
const dateOf = (value: unknown) => (value === null ? null : new Date(value as number));
/** A Decimal as its text; null stays null. */
const decimalOf = (value: unknown) => (value === null ? null : new Prisma.Decimal(value as string));

function table<Row>(
  alias: string,
  encodings: RowTable<Row>["encodings"],
  convert: (json: Json) => void,
): RowTable<Row> {
  const read = (json: Json) => {
    convert(json);
    return json as Row;
  };
  return {
    alias,
    encodings,
    pairs: new Map(),
    read,
  };
}

export const CUSTOMER_ROW = table<Customer>(
  "c",
  {
    id: "value",
    displayName: "value",
    traits: "value",
    lifecycleStage: "value",
    profileVersions: "value",
    ownerId: "value",
    firstSeenAt: "epochMs",
    lastSeenAt: "epochMs",
    mergedIntoId: "value",
    mergedAt: "epochMs",
    createdAt: "epochMs",
    updatedAt: "epochMs",
  },
  (json) => {
    if (json.firstSeenAt !== undefined) json.firstSeenAt = dateOf(json.firstSeenAt);
    if (json.lastSeenAt !== undefined) json.lastSeenAt = dateOf(json.lastSeenAt);
    if (json.mergedAt !== undefined) json.mergedAt = dateOf(json.mergedAt);
    if (json.createdAt !== undefined) json.createdAt = dateOf(json.createdAt);
    if (json.updatedAt !== undefined) json.updatedAt = dateOf(json.updatedAt);
  },
);

export const PRINCIPAL_ROW = table<Principal>(
  "o",
  {
    id: "value",
    name: "value",
    email: "value",
    createdAt: "epochMs",
  },
  (json) => {
    if (json.createdAt !== undefined) json.createdAt = dateOf(json.createdAt);
  },
);

export const IDENTITY_ROW = table<Identity>(
  "i",
  {
    id: "value",
    customerId: "value",
    kind: "value",
    namespace: "value",
    value: "value",
    source: "value",
    createdAt: "epochMs",
    lastSeenAt: "epochMs",
  },
  (json) => {
    if (json.createdAt !== undefined) json.createdAt = dateOf(json.createdAt);
    if (json.lastSeenAt !== undefined) json.lastSeenAt = dateOf(json.lastSeenAt);
  },
);

export const INTERACTION_ROW = table<Interaction>(
  "x",
  {
    id: "value",
    customerId: "value",
    source: "value",
    externalId: "value",
    channel: "value",
    kind: "value",
    direction: "value",
    occurredAt: "epochMs",
    summary: "value",
    body: "value",
    amount: "decimalText",
    currency: "value",
    sentiment: "value",
    conversationId: "value",
    metadata: "value",
    sourceUpdatedAt: "epochMs",
    recordedAt: "epochMs",
  },
  (json) => {
    if (json.occurredAt !== undefined) json.occurredAt = dateOf(json.occurredAt);
    if (json.sourceUpdatedAt !== undefined) json.sourceUpdatedAt = dateOf(json.sourceUpdatedAt);
    if (json.recordedAt !== undefined) json.recordedAt = dateOf(json.recordedAt);
    if (json.amount !== undefined) json.amount = decimalOf(json.amount);
  },
);

export const FEEDBACK_ROW = table<Feedback>(
  "f",
  {
    id: "value",
    customerId: "value",
    source: "value",
    externalId: "value",
    kind: "value",
    score: "value",
    comment: "value",
    channel: "value",
    touchpoint: "value",
    interactionId: "value",
    sentiment: "value",
    respondedAt: "epochMs",
    sourceUpdatedAt: "epochMs",
    recordedAt: "epochMs",
  },
  (json) => {
    if (json.respondedAt !== undefined) json.respondedAt = dateOf(json.respondedAt);
    if (json.sourceUpdatedAt !== undefined) json.sourceUpdatedAt = dateOf(json.sourceUpdatedAt);
    if (json.recordedAt !== undefined) json.recordedAt = dateOf(json.recordedAt);
  },
);

export const SCORE_ROW = table<Score>(
  "s",
  {
    customerId: "value",
    churnRisk: "value",
    churnRiskLevel: "value",
    reasons: "value",
    probabilityAlive: "value",
    expectedTransactions: "value",
    clv: "decimalText",
    currency: "value",
    health: "value",
    modelVersion: "value",
    modelId: "value",
    forecastMonths: "value",
    repeatTransactions: "value",
    firstPurchaseOn: "epochMs",
    lastPurchaseOn: "epochMs",
    averageRepeatSpend: "decimalText",
    computedAt: "epochMs",
    valueAtRisk: "decimalText",
  },
  (json) => {
    if (json.clv !== undefined) json.clv = decimalOf(json.clv);
    if (json.firstPurchaseOn !== undefined) json.firstPurchaseOn = dateOf(json.firstPurchaseOn);
    if (json.lastPurchaseOn !== undefined) json.lastPurchaseOn = dateOf(json.lastPurchaseOn);
    if (json.averageRepeatSpend !== undefined) json.averageRepeatSpend = decimalOf(json.averageRepeatSpend);
    if (json.computedAt !== undefined) json.computedAt = dateOf(json.computedAt);
    if (json.valueAtRisk !== undefined) json.valueAtRisk = decimalOf(json.valueAtRisk);
  },
);

/** How many lists of columns of one table keep their text. */
const MAX_KEPT_LISTS = 256;

function columnSql(alias: string, column: string, encoding: Encoding): string {
  const name = `${alias}."${column}"`;
  if (encoding === "epochMs") return `(extract(epoch from ${name}) * 1000)::int8`;
  if (encoding === "decimalText") return `${name}::text`;
  return name;
}

/**
 * The `'column', value` pairs of `json_build_object` for the row under the table's alias: of
 * `columns` and the id (every row is told apart by it), in the table's order whatever the list's (one
 * text, one prepared statement, per set), or of every column without a list.
 */
export function rowPairs<Row>(rowTable: RowTable<Row>, columns?: Columns<Row>): Prisma.Sql {
  // Kept by the set of columns: lists in another order build the same text, and keyed by the list as
  // given they would fill the bound with copies of it.
  const key = columns ? [...columns].sort().join(",") : "*";
  let sql = rowTable.pairs.get(key);
  if (!sql) {
    const wanted = columns && new Set<string>(["id", ...columns]);
    const encodings = Object.entries<Encoding>(rowTable.encodings);
    sql = Prisma.raw(
      encodings
        .filter(([column]) => !wanted || wanted.has(column))
        .map(([column, encoding]) => `'${column}', ${columnSql(rowTable.alias, column, encoding)}`)
        .join(", "),
    );
    // Lists past the bound (a client asking for ever other fields) are built each time, not kept.
    if (rowTable.pairs.size < MAX_KEPT_LISTS) rowTable.pairs.set(key, sql);
  }
  return sql;
}

/** The row under the table's alias as one JSON object, of `columns` (and the id) or of every column. */
export const rowJson = <Row>(rowTable: RowTable<Row>, columns?: Columns<Row>): Prisma.Sql =>
  Prisma.sql`json_build_object(${rowPairs(rowTable, columns)})`;

/** A row as rowJson wrote it, as Prisma reads it (the table's `read`). */
export const readRow = <Row>(rowTable: RowTable<Row>, json: Json): Row => rowTable.read(json);
