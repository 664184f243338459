// A Pothos plugin that answers a customer's identities, owner, score and pages of interactions and survey
// answers from the row the page statement read (customer-page-rows.ts), without the Prisma plugin's
// per-row work. For every relation field of every row that plugin looks up the loader mapping of the
// field's response path, records the mappings beneath it, and for a connection re-reads the selection
// and rebuilds the field's query: on a list page of 20 customers that was a tenth of the hub's CPU
// (issue 15), all to find what the page statement already knows, that it read these rows with this
// field's arguments.
//
// The plugin is registered just before the Prisma plugin, so scope-auth, errors, validation and
// complexity still wrap the field as before; only the Prisma plugin's wrapper (and its resolver) is
// skipped, and only when the row carries the relation as the field's own arguments would read it.
// Anything else (another plan, an alias with other arguments, a cursor, a filter, `totalCount`) goes
// through the Prisma plugin unchanged.
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from "@pothos/core";
import { formatPrismaCursor } from "@pothos/plugin-prisma";
import type { GraphQLFieldResolver, GraphQLResolveInfo } from "graphql";
import {
  type FeedbackPlan,
  type InteractionsPlan,
  pageRowPlan,
} from "../domain/customers/customer-page-rows.ts";
import { selectsField } from "./selected-fields.ts";

const pluginName = "pageRowRelations";

/** The relations of the Customer type this plugin may answer from a page row: its own, and its pages. */
export type PageRowRelation = "identities" | "owner" | "score" | "interactions" | "feedback";
const PAGES = new Set<PageRowRelation>(["interactions", "feedback"]);

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      pageRowRelations: PageRowRelationsPlugin<Types>;
    }
  }
}

type Resolver<Types extends SchemaTypes> = GraphQLFieldResolver<unknown, Types["Context"], object>;

/** The arguments of a connection field, as graphql-js passes them. */
interface PageArgs {
  first?: number | null;
  [argument: string]: unknown;
}

export class PageRowRelationsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: Resolver<Types>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): Resolver<Types> {
    const relation = fieldConfig.extensions?.pageRowRelation as PageRowRelation | undefined;
    if (!relation) return resolver;
    if (!PAGES.has(relation)) {
      return (parent, args, context, info) =>
        pageRowPlan(parent as object)?.[relation as "identities" | "owner" | "score"]
          ? (parent as Record<string, unknown>)[relation]
          : resolver(parent, args, context, info);
    }
    const page = relation as "interactions" | "feedback";
    const prisma = this.builder.options.prisma;
    const defaultSize = prisma.defaultConnectionSize ?? 20;
    const maxSize = prisma.maxConnectionSize ?? 100;
    return (parent, args, context, info) => {
      const plan = pageRowPlan(parent as object)?.[page];
      const take = plan ? loadedTake(plan, args as PageArgs, defaultSize, maxSize) : null;
      if (take === null || asksTotalCount(info)) return resolver(parent, args, context, info);
      return pageConnection(parent, (parent as Record<string, { id: string }[]>)[page] ?? [], args, take);
    };
  }
}

/**
 * The rows the plugin's connection query takes (first + 1, to know whether a next page follows) when
 * `args` ask for the page `plan` read: a first page, unfiltered, as the page statement read it; null
 * otherwise, and for a page size the field refuses (the Prisma plugin's resolver reports it).
 */
export function loadedTake(
  plan: InteractionsPlan | FeedbackPlan,
  args: PageArgs,
  defaultSize: number,
  maxSize: number,
) {
  // Any argument but `first` given (a cursor, `last`, a filter, or one added to the field later)
  // asks for rows the page statement may not have read: an allow-list, so a new argument falls back.
  for (const [name, value] of Object.entries(args)) {
    if (name !== "first" && value != null && !(Array.isArray(value) && value.length === 0)) return null;
  }
  if ("channels" in plan || "kinds" in plan || "from" in plan || "to" in plan || plan.skip !== 0) return null;
  const first = args.first ?? defaultSize;
  if (!Number.isSafeInteger(first) || first < 0 || first > maxSize) return null;
  const take = first + 1;
  return take === plan.take ? take : null;
}

/**
 * Whether the field's selection asks for `totalCount`, which the page statement does not read. Asked
 * once per request and field: graphql-js hands every row of a list the same field nodes.
 */
const totalCountAsked = new WeakMap<GraphQLResolveInfo["fieldNodes"], boolean>();
function asksTotalCount(info: GraphQLResolveInfo): boolean {
  let asked = totalCountAsked.get(info.fieldNodes);
  if (asked === undefined) {
    asked = selectsField(info, "totalCount");
    totalCountAsked.set(info.fieldNodes, asked);
  }
  return asked;
}

/**
 * The connection the Prisma plugin builds for a forward first page (its wrapConnectionResult): the
 * rows past the page size only tell that a next page follows, and each edge's cursor is the row's id
 * in the plugin's cursor format. Cursors are formatted when a query reads them, not for every edge:
 * a list page's interactions are seldom asked for theirs, and formatting (base64) every one was 1.4%
 * of a list request's CPU on Node 20 (issue 15).
 */
export function pageConnection(parent: unknown, rows: { id: string }[], args: object, take: number) {
  const full = rows.length === take;
  const nodes = full ? rows.slice(0, -1) : rows;
  const edges: PageEdge[] = [];
  const connection = { parent, args, totalCount: undefined, edges, pageInfo: new PageInfo(edges, full) };
  for (const node of nodes) edges.push(new PageEdge(connection, node));
  return connection;
}

/** An edge of pageConnection: its cursor formatted when read. */
class PageEdge {
  readonly connection: unknown;
  readonly node: { id: string };

  constructor(connection: unknown, node: { id: string }) {
    this.connection = connection;
    this.node = node;
  }

  get cursor(): string {
    return formatPrismaCursor(this.node, "id");
  }
}

/** The page info of pageConnection: a forward first page's, its cursors those of its first and last edges. */
class PageInfo {
  readonly hasPreviousPage = false;
  readonly hasNextPage: boolean;
  readonly #edges: PageEdge[];

  constructor(edges: PageEdge[], hasNextPage: boolean) {
    this.#edges = edges;
    this.hasNextPage = hasNextPage;
  }

  get startCursor(): string | null {
    return this.#edges[0]?.cursor ?? null;
  }

  get endCursor(): string | null {
    return this.#edges.at(-1)?.cursor ?? null;
  }
}

SchemaBuilder.registerPlugin(pluginName, PageRowRelationsPlugin);

export default pluginName;
