// The columns a request's selection reads of the customers the page statements read
// (customer-page-rows.ts), and of the relations those rows carry: so that the statement builds,
// sends and parses only those (issue 15: the rest was a tenth of a list page's CPU).
//
// A closed mapping: each field of the five row types names the columns its resolver (and the type's
// own checks) read. Whatever the mapping is not sure of reads every column: a field it does not list
// (one added to a type later, before it is listed here), a spread or inline fragment on another type
// (an interface), a fragment it cannot find, a connection field it does not know. A directive
// @skip/@include leaves a field out only when graphql-js would (its `if`, from the variables).
import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLIncludeDirective,
  type GraphQLResolveInfo,
  GraphQLSkipDirective,
  getDirectiveValues,
  type InlineFragmentNode,
  Kind,
  type SelectionSetNode,
} from "graphql";
import type { PageColumns } from "../domain/customers/customer-page-rows.ts";
import type { TimelineColumns } from "../domain/customers/customer-timeline.ts";
import type { Customer, Feedback, Identity, Interaction, Principal } from "../generated/prisma/client.ts";

/**
 * A field of a row type: the columns it reads, a relation whose rows the page statement carries, or
 * the customer's timeline, whose entries are rows of two tables told apart by their fragments.
 */
type FieldColumns<Row> = readonly (keyof Row & string)[] | { relation: keyof PageColumns } | typeof TIMELINE;

/** Customer.timeline: a connection of TimelineEntry, a union of Interaction and Feedback. */
const TIMELINE = { timeline: true } as const;

/** Every field of a row type, by its GraphQL name (a test holds these lists to the schema's types). */
type RowFields<Row> = Readonly<Record<string, FieldColumns<Row>>>;

/** The columns every row keeps whatever its selection: its key, and what the type's own checks read. */
export const ALWAYS = {
  // canSeeCustomer (the type's authScopes, the customer query) reads ownerId; the customer query
  // follows mergedIntoId to the survivor.
  customer: ["ownerId", "mergedIntoId"],
  owner: [],
  identities: ["customerId"],
  // canSeeRecordOf (the types' authScopes) reads customerId.
  interactions: ["customerId"],
  feedback: ["customerId"],
  // An entry's cursor and its place on the page are its time and id.
  timelineInteractions: ["customerId", "occurredAt"],
  timelineFeedback: ["customerId", "respondedAt"],
} as const satisfies { [Table in keyof PageColumns]-?: NonNullable<PageColumns[Table]> };

/** Read through the row's id (the Prisma plugin's own query, or a resolver of their own). */
const BY_ID = [] as const;

export const CUSTOMER_FIELDS: RowFields<Customer> = {
  __typename: BY_ID,
  id: BY_ID,
  displayName: ["displayName"],
  lifecycleStage: ["lifecycleStage"],
  traits: ["traits"],
  firstSeenAt: ["firstSeenAt"],
  lastSeenAt: ["lastSeenAt"],
  createdAt: ["createdAt"],
  identities: { relation: "identities" },
  owner: { relation: "owner" },
  interactions: { relation: "interactions" },
  feedback: { relation: "feedback" },
  mergedInto: BY_ID,
  score: BY_ID,
  scoreHistory: BY_ID,
  journeys: BY_ID,
  timeline: TIMELINE,
};

export const PRINCIPAL_FIELDS: RowFields<Principal> = {
  __typename: BY_ID,
  id: BY_ID,
  name: ["name"],
  email: ["email"],
  createdAt: ["createdAt"],
  apiKeys: BY_ID,
  ownedCustomerCount: BY_ID,
};

export const IDENTITY_FIELDS: RowFields<Identity> = {
  __typename: BY_ID,
  kind: ["kind"],
  namespace: ["namespace"],
  // Masked by its kind.
  value: ["value", "kind"],
  source: ["source"],
  lastSeenAt: ["lastSeenAt"],
};

export const INTERACTION_FIELDS: RowFields<Interaction> = {
  __typename: BY_ID,
  id: BY_ID,
  channel: ["channel"],
  kind: ["kind"],
  direction: ["direction"],
  occurredAt: ["occurredAt"],
  summary: ["summary"],
  body: ["body"],
  amount: ["amount", "currency"],
  sentiment: ["sentiment"],
  conversationId: ["conversationId"],
  metadata: ["metadata"],
  source: ["source"],
  externalId: ["externalId"],
  customer: BY_ID,
};

export const FEEDBACK_FIELDS: RowFields<Feedback> = {
  __typename: BY_ID,
  id: BY_ID,
  measure: ["kind"],
  kind: ["kind"],
  score: ["score"],
  comment: ["comment"],
  answeredOn: ["channel"],
  channel: ["channel"],
  touchpoint: ["touchpoint"],
  respondedAt: ["respondedAt"],
  source: ["source"],
  externalId: ["externalId"],
  customer: BY_ID,
};

/** The GraphQL type of each table's rows, and its fields. */
export const ROW_TYPES = {
  customer: { type: "Customer", fields: CUSTOMER_FIELDS },
  owner: { type: "Principal", fields: PRINCIPAL_FIELDS },
  identities: { type: "Identity", fields: IDENTITY_FIELDS },
  interactions: { type: "Interaction", fields: INTERACTION_FIELDS },
  feedback: { type: "Feedback", fields: FEEDBACK_FIELDS },
  timelineInteractions: { type: "Interaction", fields: INTERACTION_FIELDS },
  timelineFeedback: { type: "Feedback", fields: FEEDBACK_FIELDS },
} as const satisfies { [Table in keyof PageColumns]-?: { type: string; fields: RowFields<never> } };

type Table = keyof PageColumns;

/** The fields of a connection (and of its edges) that read nothing of the rows but their id. */
const CONNECTION_FIELDS = new Set(["__typename", "totalCount", "pageInfo"]);
const EDGE_FIELDS = new Set(["__typename", "cursor"]);

/** Thrown inside the walk when the mapping is not sure: the table then reads every column. */
class NotSure extends Error {}

interface Walk {
  info: Pick<GraphQLResolveInfo, "fragments" | "variableValues">;
  columns: { [T in Table]?: Set<string> | "all" };
}

/** The columns of the customers `info`'s field answers (the customer query's `Customer`). */
export function customerColumns(info: GraphQLResolveInfo): PageColumns {
  return collect(info, (walk) => {
    for (const node of info.fieldNodes) rows(walk, "customer", node.selectionSet);
  });
}

/** The columns of the entries of the timeline connection `info`'s field answers (Customer.timeline). */
export function timelineColumns(info: GraphQLResolveInfo): TimelineColumns {
  const columns = collect(info, (walk) => {
    for (const node of info.fieldNodes) timeline(walk, node.selectionSet);
  });
  return { interactions: columns.timelineInteractions, feedback: columns.timelineFeedback };
}

/** The columns of the customers of a connection (the customer list's `CustomerConnection`). */
export function connectionColumns(info: GraphQLResolveInfo): PageColumns {
  return collect(info, (walk) => {
    for (const node of info.fieldNodes) connection(walk, "customer", node.selectionSet);
  });
}

function collect(info: GraphQLResolveInfo, walkAll: (walk: Walk) => void): PageColumns {
  const walk: Walk = { info, columns: {} };
  try {
    walkAll(walk);
  } catch (error) {
    if (!(error instanceof NotSure)) throw error;
    return {};
  }
  const result: PageColumns = {};
  for (const table of Object.keys(ROW_TYPES) as Table[]) {
    const found = walk.columns[table];
    // A table the selection never reached is not read (its relation is not in the plan) or is read
    // whole; a table reached but not sure is read whole.
    if (found === undefined || found === "all") continue;
    (result as Record<Table, string[]>)[table] = [...ALWAYS[table], ...found];
  }
  return result;
}

/** A connection of `table`'s rows: its edges' nodes, through its cursors, page info and count. */
function connection(walk: Walk, table: Table, set: SelectionSetNode | undefined) {
  eachField(walk, set, null, (field) => {
    if (field.name.value === "edges") {
      eachField(walk, field.selectionSet, null, (edgeField) => {
        if (edgeField.name.value === "node") rows(walk, table, edgeField.selectionSet);
        else if (!EDGE_FIELDS.has(edgeField.name.value)) throw new NotSure();
      });
    } else if (!CONNECTION_FIELDS.has(field.name.value)) throw new NotSure();
  });
}

/** A selection of `table`'s rows: each field's columns, and the relations' own rows. */
function rows(walk: Walk, table: Table, set: SelectionSetNode | undefined) {
  const { type, fields } = ROW_TYPES[table];
  const known = walk.columns[table];
  // A table already read whole (rowsOrAll, connectionOrAll) stays whole.
  if (known === "all") return;
  const columns = known ?? new Set<string>();
  walk.columns[table] = columns;
  const fieldsOf = fields as RowFields<unknown>;
  eachField(walk, set, type, (field) => {
    const name = field.name.value;
    const read = Object.hasOwn(fieldsOf, name) ? fieldsOf[name] : undefined;
    if (read === undefined) throw new NotSure();
    if ("timeline" in read) timeline(walk, field.selectionSet);
    else if ("relation" in read) {
      const { relation } = read;
      const pages = relation === "interactions" || relation === "feedback";
      orAll(walk, relation, () => (pages ? connection : rows)(walk, relation, field.selectionSet));
    } else for (const column of read) columns.add(column);
  });
}

/** The table of each of the timeline's entry types. */
const TIMELINE_SIDES = { Interaction: "timelineInteractions", Feedback: "timelineFeedback" } as const;

/**
 * The timeline connection's entries: what the fragments on Interaction and on Feedback select of
 * each side. Anything else under an entry (a fragment on the union, on Node, without a type) leaves
 * both sides read whole.
 */
function timeline(walk: Walk, set: SelectionSetNode | undefined) {
  try {
    eachField(walk, set, null, (field) => {
      if (field.name.value !== "edges") {
        if (!CONNECTION_FIELDS.has(field.name.value)) throw new NotSure();
        return;
      }
      eachField(walk, field.selectionSet, null, (edgeField) => {
        if (edgeField.name.value !== "node") {
          if (!EDGE_FIELDS.has(edgeField.name.value)) throw new NotSure();
          return;
        }
        for (const selection of edgeField.selectionSet?.selections ?? []) {
          if (!included(walk, selection)) continue;
          if (selection.kind === Kind.FIELD) {
            if (selection.name.value !== "__typename") throw new NotSure();
            continue;
          }
          const fragment =
            selection.kind === Kind.INLINE_FRAGMENT ? selection : walk.info.fragments[selection.name.value];
          const on = fragment?.typeCondition?.name.value;
          if (on !== "Interaction" && on !== "Feedback") throw new NotSure();
          const side = TIMELINE_SIDES[on];
          orAll(walk, side, () => rows(walk, side, fragment?.selectionSet));
        }
      });
    });
  } catch (error) {
    if (!(error instanceof NotSure)) throw error;
    walk.columns.timelineInteractions = "all";
    walk.columns.timelineFeedback = "all";
  }
}

/** A relation's rows, read by `walkRows`: every column of its table when the mapping is not sure of them. */
function orAll(walk: Walk, table: Table, walkRows: () => void) {
  if (walk.columns[table] === "all") return;
  try {
    walkRows();
  } catch (error) {
    if (!(error instanceof NotSure)) throw error;
    walk.columns[table] = "all";
  }
}

/**
 * Each field `set` selects, as graphql-js collects them: through inline fragments and named ones,
 * without those @skip or @include leave out. A fragment on another type than `type` (an interface,
 * or with `type` null, on anything at all) is not sure.
 */
function eachField(
  walk: Walk,
  set: SelectionSetNode | undefined,
  type: string | null,
  visit: (field: FieldNode) => void,
) {
  if (!set) return;
  for (const selection of set.selections) {
    if (!included(walk, selection)) continue;
    if (selection.kind === Kind.FIELD) visit(selection);
    else {
      const fragment: FragmentDefinitionNode | InlineFragmentNode | undefined =
        selection.kind === Kind.INLINE_FRAGMENT ? selection : walk.info.fragments[selection.name.value];
      if (!fragment) throw new NotSure();
      const on = fragment.typeCondition?.name.value;
      if (on !== undefined && on !== type) throw new NotSure();
      eachField(walk, fragment.selectionSet, type, visit);
    }
  }
}

function included(walk: Walk, node: SelectionSetNode["selections"][number]): boolean {
  if (!node.directives?.length) return true;
  const variables = walk.info.variableValues;
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}
