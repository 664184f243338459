// The queries that find customers: one by ID or by any identity, and the filtered, ordered list.
import { z } from "zod";
import type { Viewer } from "../../auth/api-keys.ts";
import {
  assertMayLookUpIdentity,
  canReadPersonalData,
  searchableIdentityKinds,
} from "../../auth/personal-data.ts";
import { canSeeCustomer, visibleCustomers } from "../../auth/visibility.ts";
import { countCustomers, customerCountSql } from "../../domain/customers/customer-count.ts";
import {
  type CustomerConditions,
  conditionsWhere,
  customerFilterConditions,
  customerFilterSchema,
  type CustomerFilter as StoredCustomerFilter,
} from "../../domain/customers/customer-filter.ts";
import {
  type CustomerOrderKey,
  type CustomerPage,
  customerPageIds,
  firstPageSql,
} from "../../domain/customers/customer-page-ids.ts";
import {
  type PageColumns,
  type PageRowExtras,
  readCustomerPage,
  readCustomerPageRows,
} from "../../domain/customers/customer-page-rows.ts";
import { findCustomerByIdentity, findLiveCustomer } from "../../domain/customers/find-customer.ts";
import { parseInput, ValidationError } from "../../domain/errors.ts";
import { identityInputSchema } from "../../domain/identities/identity-input.ts";
import { SEGMENT_SEARCH, segmentFilter } from "../../domain/segments/segment-definition.ts";
import { findSegment } from "../../domain/segments/segment-members.ts";
import type { Customer, Prisma, Segment } from "../../generated/prisma/client.ts";
import { builder, DEFAULT_PAGE_SIZE, pagedConnection } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { bounded } from "../input-bounds.ts";
import { knowCustomerOwners, type Loaders } from "../loaders.ts";
import { connectionColumns, customerColumns } from "../row-columns.ts";
import { selectsField } from "../selected-fields.ts";
import { LifecycleStageEnum } from "./customer.ts";
import { customerPageExtras } from "./customer-page-extras.ts";
import { CUSTOMER_READERS } from "./customer-scopes.ts";
import { DateTimeRange } from "./date-time-range.ts";
import { IdentityKindEnum } from "./identity.ts";
import { ChannelEnum } from "./interaction.ts";
import { ChurnRiskLevelEnum } from "./score.ts";

/** The longest customer search: longer text names no customer, and costs the trigram index more. */
export const MAX_SEARCH_LENGTH = 200;

export const OrderDirection = builder.enumType("OrderDirection", {
  description: "Which way to sort.",
  values: {
    ASC: { description: "Smallest, oldest or A first." },
    DESC: { description: "Largest, newest or Z first." },
  },
});

const CustomerOrderField = builder.enumType("CustomerOrderField", {
  description: "What to sort customers by.",
  values: {
    LAST_SEEN: { description: "When they were last seen (customers never seen sort last)." },
    CREATED: { description: "When the hub first learned of them." },
    NAME: { description: "Their display name (customers without one sort last)." },
    CHURN_RISK: {
      description:
        "Their churn risk. Every customer is scored when created and whenever facts arrive; one not scored yet (during a bulk load) sorts first in DESC order.",
    },
    LIFETIME_VALUE: {
      description: "Their lifetime value over the forecast horizon (customers without one sort last).",
    },
    VALUE_AT_RISK: {
      description:
        "Their value at risk: lifetime value × churn risk, the revenue the churn risk puts in doubt (`score.valueAtRisk`). DESC is whom to call first. Customers without a lifetime value (no purchases, or no fitted spend model) have none and sort last in either direction, by ID.",
    },
  },
});

export const CustomerOrder = builder.inputType("CustomerOrder", {
  description: "How to sort customers; ties are broken by ID so pages never overlap.",
  fields: (t) => ({
    field: t.field({ type: CustomerOrderField, required: true, description: "What to sort by." }),
    direction: t.field({
      type: OrderDirection,
      required: true,
      defaultValue: "DESC",
      description: "Which way: DESC (newest or Z first) by default.",
    }),
  }),
});

export const JourneyStageRefInput = builder.inputType("JourneyStageRefInput", {
  description: "A stage of a journey, by the journey's key and the stage's key.",
  fields: (t) => ({
    journeyKey: t.string({ required: true, description: "The journey's key (onboarding)." }),
    stageKey: t.string({ required: true, description: "The stage's key within that journey (activated)." }),
  }),
});

export const CustomerFilter = builder.inputType("CustomerFilter", {
  description:
    "Narrows the customer list; every given condition must hold. A segment saves one of these (without segmentId) under a name.",
  fields: (t) => ({
    search: t.string({
      description: `Text found (case-insensitively, literally: \`%\` and \`_\` are plain characters) in the display name, a social handle or a shop id — and, with the \`pii\` scope, an email or phone (and a display name that is one). At most ${MAX_SEARCH_LENGTH} characters. Saved in a segment, it matches as without the \`pii\` scope for every reader.`,
      ...bounded({ maxLength: MAX_SEARCH_LENGTH }),
    }),
    segmentId: t.globalID({
      description:
        "Customers in this segment (a Segment ID), as its definition selects them now; the other conditions narrow it further. Not allowed inside a segment's own definition.",
    }),
    channel: t.field({
      type: ChannelEnum,
      description: "Customers with at least one interaction on this channel.",
    }),
    channels: t.field({
      type: [ChannelEnum],
      description:
        "Customers reachable on any of these channels: an interaction there, or an identity that reaches it (an email address: EMAIL; a phone: PHONE; a social handle: SOCIAL; a shop customer id: ECOMMERCE).",
    }),
    lifecycleStages: t.field({
      type: [LifecycleStageEnum],
      description: "Customers in any of these lifecycle stages.",
    }),
    ownerId: t.globalID({ description: "Customers owned by this account manager (a Principal ID)." }),
    unowned: t.boolean({ description: "true: only customers nobody owns; false: only owned ones." }),
    firstSeen: t.field({ type: DateTimeRange, description: "When they were first seen." }),
    lastSeen: t.field({ type: DateTimeRange, description: "When they were last seen." }),
    churnRiskLevels: t.field({
      type: [ChurnRiskLevelEnum],
      description:
        "Customers whose churn risk is in any of these levels (an at-risk list: HIGH and CRITICAL).",
    }),
    minChurnRisk: t.float({
      description: "Customers whose churn risk is at least this (0 to 1).",
      validate: z
        .number()
        .min(0, "a churn risk lies between 0 and 1")
        .max(1, "a churn risk lies between 0 and 1"),
    }),
    maxChurnRisk: t.float({
      description: "Customers whose churn risk is at most this (0 to 1).",
      validate: z
        .number()
        .min(0, "a churn risk lies between 0 and 1")
        .max(1, "a churn risk lies between 0 and 1"),
    }),
    minLifetimeValue: t.float({
      description: "Customers whose lifetime value over the forecast horizon is at least this amount.",
      validate: z.number().min(0, "a lifetime value is 0 or more"),
    }),
    maxLifetimeValue: t.float({
      description:
        "Customers whose lifetime value over the forecast horizon is at most this amount (customers without one do not match).",
      validate: z.number().min(0, "a lifetime value is 0 or more"),
    }),
    journeyStages: t.field({
      type: [JourneyStageRefInput],
      description: "Customers whose current stage in a journey is any of these.",
    }),
  }),
});

export const IdentityInput = builder.inputType("IdentityInput", {
  description: "An identity to find a customer by; it is normalized the way identities are stored.",
  fields: (t) => ({
    kind: t.field({ type: IdentityKindEnum, required: true, description: "The kind of identifier." }),
    namespace: t.string({
      description: "The shop, network or system, for SHOP_CUSTOMER_ID, SOCIAL_HANDLE and EXTERNAL_ID.",
    }),
    value: t.string({
      required: true,
      description: "The identifier, as written anywhere (it is normalized).",
    }),
  }),
});

/** What the customer list reads with: the request's context. */
export interface RequestScope {
  viewer: Viewer;
  loaders: Loaders;
  prisma: Prisma.TransactionClient;
}

/** The customers a search matches, for what this viewer may search by. */
function searchCondition(
  { viewer, loaders }: RequestScope,
  text: string,
): Promise<Prisma.CustomerWhereInput> {
  return loaders.customerSearch.load({
    text,
    identityKinds: searchableIdentityKinds(viewer),
    namesWithContactDetails: canReadPersonalData(viewer),
  });
}

export type CustomerFilterShape = typeof CustomerFilter.$inferInput;

/**
 * The GraphQL filter as the domain's (raw ids, no nulls), validated; its segment is the caller's.
 * Problems are reported at `path` (["filter", …], or ["input", "definition", …] for a segment).
 */
export function domainCustomerFilter(
  filter: Omit<CustomerFilterShape, "segmentId"> | null | undefined,
  path: string[] = ["filter"],
): StoredCustomerFilter {
  const range = (r: { from?: Date | null; to?: Date | null } | null | undefined) =>
    r ? { from: r.from ?? undefined, to: r.to ?? undefined } : undefined;
  const given = Object.fromEntries(Object.entries(filter ?? {}).filter(([, value]) => value != null));
  // No condition given (the list as most pages ask for it): nothing to check. zod's pass over the
  // schema's fields was 0.7% of a list request's CPU samples on Node 24.
  if (Object.keys(given).length === 0) return {};
  const parsed = customerFilterSchema.safeParse({
    ...given,
    ...(filter?.ownerId && { ownerId: expectGlobalId(filter.ownerId, "Principal", [...path, "ownerId"]) }),
    ...(filter?.firstSeen && { firstSeen: range(filter.firstSeen) }),
    ...(filter?.lastSeen && { lastSeen: range(filter.lastSeen) }),
  });
  if (parsed.success) return parsed.data;
  const refused = ValidationError.fromZod(parsed.error, `The ${path.join(".")} argument`);
  throw new ValidationError(
    refused.message,
    refused.issues.map((issue) => ({ ...issue, path: [...path, ...issue.path] })),
  );
}

/**
 * A filter as conditions on the customer and on their score. Split, so that a list ordered by a
 * score column can read from the score's index and apply the score conditions on its own rows. A
 * segment adds its own definition's conditions, its search matched as segment-definition.ts says.
 */
export async function customerConditions(
  request: RequestScope,
  filter: CustomerFilterShape | null | undefined,
): Promise<CustomerConditions> {
  const { segmentId, ...own } = filter ?? {};
  const given = await customerFilterConditions(domainCustomerFilter(own), (text) =>
    searchCondition(request, text),
  );
  const segment = segmentId
    ? await segmentConditions(
        request,
        await findSegment(request.prisma, expectGlobalId(segmentId, "Segment", ["filter", "segmentId"])),
      )
    : { customer: [], score: [] };
  return {
    customer: [...visibleLive(request), ...given.customer, ...segment.customer],
    score: [...given.score, ...segment.score],
  };
}

/** A segment's definition as conditions; with `members`, narrowed to the live customers the viewer may see. */
export async function segmentConditions(
  request: RequestScope,
  segment: Segment,
  { members = false } = {},
): Promise<CustomerConditions> {
  const conditions = await customerFilterConditions(segmentFilter(segment), (text) =>
    request.loaders.customerSearch.load({ text, ...SEGMENT_SEARCH }),
  );
  if (!members) return conditions;
  return { customer: [...visibleLive(request), ...conditions.customer], score: conditions.score };
}

/** Every list of customers: live ones (not merged away) that the viewer may see. */
function visibleLive(request: RequestScope): Prisma.CustomerWhereInput[] {
  return [{ mergedIntoId: null }, visibleCustomers(request.viewer)];
}

export type CustomerOrderShape = typeof CustomerOrder.$inferInput;

const ORDER_KEYS = {
  LAST_SEEN: "lastSeen",
  CREATED: "created",
  NAME: "name",
  CHURN_RISK: "churnRisk",
  LIFETIME_VALUE: "lifetimeValue",
  VALUE_AT_RISK: "valueAtRisk",
} as const satisfies Record<CustomerOrderShape["field"], CustomerOrderKey>;

/** What Pothos asks of a page of customers: the selection, and take/skip/cursor for the page. */
export interface CustomerPageQuery {
  include?: Prisma.CustomerInclude;
  select?: Prisma.CustomerSelect;
  take?: number;
  cursor?: { id?: string };
}

/**
 * A page in two steps: its customers' IDs by keyset from the order's index, then those customers with
 * the request's selection, put back in page order. Same rows, order and cursors as one findMany
 * would give, without joining every customer's relations before the sort. A first page of the list's
 * own shapes is read in one statement (see firstPage). With `onTotal`, the count of every customer
 * the conditions select is taken in that statement too and handed to it; it is not called when the
 * page was read another way (the caller counts on its own then).
 */
export async function customerPage(
  prisma: Prisma.TransactionClient,
  query: CustomerPageQuery,
  conditions: CustomerConditions,
  order: CustomerOrderShape | null | undefined,
  { onTotal, columns = {} }: { onTotal?: (total: number) => void; columns?: PageColumns } = {},
) {
  const { take = DEFAULT_PAGE_SIZE + 1, cursor, include, select } = query;
  const page: CustomerPage = {
    order: ORDER_KEYS[order?.field ?? "LAST_SEEN"],
    direction: order?.direction === "ASC" ? "asc" : "desc",
    customerWhere: conditions.customer,
    scoreWhere: conditions.score,
    take,
    ...(cursor?.id !== undefined && { cursorId: cursor.id }),
  };
  if (!select) {
    const read = await firstPage(prisma, page, include, onTotal ? conditions : null, columns);
    if (read) {
      if (onTotal && read.total !== null) onTotal(read.total);
      return read.rows;
    }
  }
  const ids = await customerPageIds(prisma, page);
  if (ids.length === 0) return [];
  // The list's own shapes (owner, identities, newest interactions) in one plain statement; any
  // other selection through Prisma. Pothos reads the rows as its selection made them: typed as the
  // model, as Pothos types the page.
  const read = !select && (await readCustomerPageRows(prisma, ids, include, columns));
  // The cursor is the ID, so Pothos always selects it; named anyway, as the page is put in order by it.
  const selection: Prisma.CustomerDefaultArgs = select ? { select: { ...select, id: true } } : { include };
  const rows: Customer[] =
    read || ((await prisma.customer.findMany({ ...selection, where: { id: { in: ids } } })) as Customer[]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  // A customer deleted between the two reads is left out rather than shown as a hole.
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * A first page of the list's own shapes in one statement: its IDs, its rows and, given the
 * conditions to count, the total. Null when the page is not one firstPageSql and
 * readCustomerPageRows read, or when the statement read only a first range that came short of the
 * page (the caller then reads it range by range).
 */
async function firstPage(
  prisma: Prisma.TransactionClient,
  page: CustomerPage,
  include: Prisma.CustomerInclude | undefined,
  counted: CustomerConditions | null,
  columns: PageColumns,
) {
  const first = firstPageSql(page);
  if (!first) return null;
  const count = counted && customerCountSql([conditionsWhere(counted)]);
  const read = await readCustomerPage(prisma, first.statement, include, count, {
    prepared: first.prepared,
    columns,
  });
  if (!read || (first.firstRangeOnly && read.rows.length < page.take)) return null;
  return read;
}

/**
 * The customer `id` with the selection Pothos asks for, or null when the viewer may not see them.
 * The customer page's own shapes (owner, identities, a page of survey answers and their count) are
 * read in one plain statement, as the list's are (customer-page-rows.ts): through Prisma, the
 * relations came back as JSONB mapped field by field, and Prisma's own processing of that one
 * query was the largest part of a Customer360 request's CPU (issue 15). The same statement reads the
 * journeys and the timeline page the selection asks for (`extras`, customer-page-extras.ts). Any
 * other selection goes through Prisma as before.
 */
async function visibleCustomer(
  { prisma, viewer, loaders }: RequestScope,
  query: Pick<CustomerPageQuery, "include" | "select">,
  id: string,
  columns: PageColumns,
  extras: PageRowExtras,
): Promise<Customer | null> {
  const rows = !query.select && (await readCustomerPageRows(prisma, [id], query.include, columns, extras));
  if (!rows) return prisma.customer.findFirst({ ...query, where: { id, ...visibleCustomers(viewer) } });
  const [row] = rows;
  if (!row || !canSeeCustomer(viewer, row)) return null;
  knowCustomerOwners(loaders, [row]);
  return row;
}

/**
 * The totals counted with their page, by the field arguments they were counted for: Pothos hands the
 * resolver and the totalCount callback the same arguments object, one per field of one request.
 */
const countedTotals = new WeakMap<object, number>();

builder.queryFields((t) => ({
  customers: t.prismaConnection(
    {
      type: "Customer",
      cursor: "id",
      ...pagedConnection,
      authScopes: CUSTOMER_READERS,
      description:
        "The customers you may see (an account manager sees the customers they own; an integrator needs the `customers` scope; other roles see all), filtered and sorted; most recently seen first by default. Merged-away customers are left out; their IDs still resolve through `customer` and `node`.",
      args: {
        filter: t.arg({ type: CustomerFilter, description: "Conditions every listed customer meets." }),
        orderBy: t.arg({
          type: CustomerOrder,
          description: "How to sort; by last seen, newest first, by default.",
        }),
      },
      // The total counted with the page is answered without a promise: an asynchronous totalCount made
      // graphql-js gather every field of the connection through Promise.all (issue 15).
      totalCount: (_parent, args, context) =>
        countedTotals.get(args) ??
        customerConditions(context, args.filter).then((conditions) =>
          countCustomers(context.prisma, [conditionsWhere(conditions)]),
        ),
      resolve: async (query, _parent, args, context, info) => {
        const conditions = await customerConditions(context, args.filter);
        const rows = await customerPage(context.prisma, query, conditions, args.orderBy, {
          columns: connectionColumns(info),
          ...(selectsField(info, "totalCount") && { onTotal: (total) => countedTotals.set(args, total) }),
        });
        knowCustomerOwners(context.loaders, rows);
        return rows;
      },
    },
    { name: "CustomerConnection" },
    { name: "CustomerEdge" },
  ),

  customer: t.prismaField({
    type: "Customer",
    nullable: true,
    authScopes: CUSTOMER_READERS,
    description:
      "One customer, by global ID or by any of their identities (give exactly one). A merged-away customer's ID resolves to the surviving profile. Null when there is no such customer or you may not see it.",
    args: {
      id: t.arg.globalID({ description: "The customer's global ID." }),
      identity: t.arg({
        type: IdentityInput,
        description:
          "An email, phone, shop id, handle or external id. By email or phone only with the `pii` scope, as in search.",
      }),
    },
    resolve: async (query, _parent, args, context, info) => {
      if ((args.id == null) === (args.identity == null)) {
        throw new ValidationError("Give exactly one of id or identity to find a customer.", [
          { path: ["id"], message: "give either id or identity" },
        ]);
      }
      const visible = visibleCustomers(context.viewer);
      const id = args.id ? expectGlobalId(args.id, "Customer", ["id"]) : null;
      const columns = customerColumns(info);
      const extras = customerPageExtras(info);
      if (id) {
        // One statement in the common case; a merged-away ID takes a second to reach its survivor.
        const direct = await visibleCustomer(context, query, id, columns, extras);
        if (direct && !direct.mergedIntoId) return direct;
        // Not visible as itself: an account manager may still own the survivor it was merged into.
        if (!direct && !visible.ownerId) return null;
      }
      // An exact lookup is a search for one value: by email or phone only with the `pii` scope.
      if (args.identity) assertMayLookUpIdentity(context.viewer, args.identity.kind);
      const found = id
        ? await findLiveCustomer(context.prisma, id)
        : await findCustomerByIdentity(
            context.prisma,
            parseInput(identityInputSchema, args.identity, "The identity"),
          );
      if (!found) return null;
      return visibleCustomer(context, query, found.id, columns, extras);
    },
  }),
}));
