// The one Pothos schema builder: its plugins, scalars and context type. Type modules in
// src/graph/types/ add to it; src/graph/schema.ts imports them all and builds the schema.
import SchemaBuilder from "@pothos/core";
import ComplexityPlugin from "@pothos/plugin-complexity";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import { type AuthFailure, AuthScopeFailureType } from "@pothos/plugin-scope-auth";
import ValidationPlugin from "@pothos/plugin-validation";
import { GraphQLError } from "graphql";
import { JSONObjectResolver, JSONResolver } from "graphql-scalars";
import { CUSTOMERS_SCOPE_ADVICE, canReadCustomers } from "../auth/visibility.ts";
import type PrismaTypes from "../generated/pothos-types.ts";
import { getDatamodel } from "../generated/pothos-types.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { GraphContext } from "./context.ts";
import { DateTimeScalar } from "./date-time-scalar.ts";
import LeanScopeAuthPlugin from "./lean-scope-auth.ts";
import PageRowRelationsPlugin from "./page-row-relations.ts";
import SyncNodeIdsPlugin from "./sync-node-ids.ts";

/** The most items one page of any connection returns. */
export const MAX_PAGE_SIZE = 100;
/** Limits on the shape of one operation, checked before it runs. */
export const QUERY_LIMITS = { depth: 10, breadth: 150, complexity: 50_000 };
/** The page size when a query gives neither `first` nor `last`. */
export const DEFAULT_PAGE_SIZE = 20;

export const builder = new SchemaBuilder<{
  Context: GraphContext;
  PrismaTypes: PrismaTypes;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSONObject: { Input: Record<string, unknown>; Output: unknown };
    JSON: { Input: unknown; Output: unknown };
    Decimal: { Input: string; Output: Prisma.Decimal | string };
  };
  DefaultFieldNullability: false;
  AuthScopes: {
    admin: boolean;
    integrator: boolean;
    analyst: boolean;
    accountManager: boolean;
    /** May read personal data unmasked. */
    pii: boolean;
    /** May read customers and what hangs off them: every role but INTEGRATOR, and integrators with the `customers` scope. */
    customerReader: boolean;
  };
}>({
  // scope-auth first (as lean-scope-auth.ts runs it), so that authorization runs before the other plugins' wrappers.
  // syncNodeIds last, so that it replaces only the innermost resolver of a node's id (sync-node-ids.ts).
  plugins: [
    LeanScopeAuthPlugin,
    ErrorsPlugin,
    ValidationPlugin,
    ComplexityPlugin,
    // Before Prisma: it answers some relations from the page statement's rows without Prisma's wrapper.
    PageRowRelationsPlugin,
    PrismaPlugin,
    RelayPlugin,
    SyncNodeIdsPlugin,
  ],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: ({ viewer }) => ({
      admin: viewer.role === "ADMIN",
      integrator: viewer.role === "INTEGRATOR",
      analyst: viewer.role === "ANALYST",
      accountManager: viewer.role === "ACCOUNT_MANAGER",
      pii: viewer.scopes.has("pii"),
      customerReader: canReadCustomers(viewer),
    }),
    unauthorizedError: (_parent, _context, info, result) => {
      const refused = `Your API key may not ${ACCESS_VERB[info.parentType.name] ?? "read"} ${info.parentType.name}.${info.fieldName}`;
      return failedScopes(result.failure).includes("customerReader")
        ? new GraphQLError(`${refused}: ${CUSTOMERS_SCOPE_ADVICE}`, { extensions: { code: "FORBIDDEN" } })
        : new GraphQLError(
            `${refused} here: account managers see only the customers they own, and some fields need another role. Ask an admin for a key with the access you need.`,
            { extensions: { code: "FORBIDDEN" } },
          );
    },
  },
  errors: {
    defaultTypes: [],
    // A mutation's result is its payload type or a typed error: `UpsertCustomerResult = UpsertCustomerPayload | ValidationError | …`.
    directResult: true,
    defaultUnionOptions: {
      name: ({ fieldName }) => `${fieldName[0]?.toUpperCase()}${fieldName.slice(1)}Result`,
    },
  },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    // Checked once per operation before it runs, subscriptions included (src/graph/operation-cost.ts),
    // rather than by each root field's resolver: a subscription's runs only when its first event arrives.
    disabled: true,
  },
  prisma: {
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    // Descriptions come from the schema's /// comments unless a field sets its own.
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    maxConnectionSize: MAX_PAGE_SIZE,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "warn",
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    nodeTypeOptions: { description: "An object with a global ID, fetchable through `node` and `nodes`." },
    pageInfoTypeOptions: {
      description: "Where a page sits in its connection, and the cursors to move from it.",
    },
    idFieldOptions: { description: "The object's global ID: opaque, stable, and unique across every type." },
    hasNextPageFieldOptions: { description: "Whether more items follow this page (when paging forward)." },
    hasPreviousPageFieldOptions: { description: "Whether items precede this page (when paging backward)." },
    startCursorFieldOptions: { description: "The cursor of the first item of this page." },
    endCursorFieldOptions: { description: "The cursor of the last item of this page." },
    // The connection field already multiplies by its page size; the edges list must not multiply again.
    edgesFieldOptions: {
      description: "The items of this page, each with its cursor.",
      complexity: { field: 0, multiplier: 1 },
    },
    pageInfoFieldOptions: {
      description: "Where this page sits: whether there are more pages, and the cursors to fetch them.",
    },
    cursorFieldOptions: {
      description: "An opaque position: pass it as `after` or `before` to get the items after or before it.",
    },
    nodeFieldOptions: { description: "The item itself." },
    firstArgOptions: {
      description: `How many items to return from the start (or after \`after\`): 1 to ${MAX_PAGE_SIZE}.`,
    },
    lastArgOptions: {
      description: `How many items to return from the end (or before \`before\`): 1 to ${MAX_PAGE_SIZE}.`,
    },
    afterArgOptions: { description: "Return the items that follow this cursor." },
    beforeArgOptions: { description: "Return the items that precede this cursor." },
    // Defined in types/node-queries.ts: null for an ID that names nothing, and a bounded list.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

/** What a refused key tried to do with a field of each root type: "may not use Mutation.submitFeedback". */
const ACCESS_VERB: Record<string, string> = { Mutation: "use", Subscription: "subscribe to" };

/** The scopes an authorization failure found missing, however deep in $any/$all they were. */
function failedScopes(failure: AuthFailure): string[] {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope:
      return [failure.scope];
    case AuthScopeFailureType.AnyAuthScopes:
    case AuthScopeFailureType.AllAuthScopes:
      return failure.failures.flatMap(failedScopes);
    default:
      return [];
  }
}

/** The refusal of an operation over one of QUERY_LIMITS: the limit, the operation's figure, and what to do. */
export function complexityLimitError(
  limit: keyof typeof QUERY_LIMITS,
  measured: Record<keyof typeof QUERY_LIMITS, number>,
): GraphQLError {
  return new GraphQLError(
    `The operation exceeds the maximum ${limit}: it has a ${limit} of ${measured[limit]} and the limit is ${QUERY_LIMITS[limit]}. ${LIMIT_ADVICE[limit]}`,
    { extensions: { code: "QUERY_TOO_COMPLEX", limit, value: measured[limit], max: QUERY_LIMITS[limit] } },
  );
}

const LIMIT_ADVICE = {
  depth: "Nest fewer levels, or fetch deeper data in a second query.",
  breadth: "Select fewer fields, or split the operation.",
  complexity: "Ask for smaller pages (first/last) of nested lists, or split the operation.",
};

/**
 * The page size of every connection, checked rather than silently clamped: a client asking for 500
 * items and getting 100 would believe it has them all.
 */
export function checkedPageSize(args: { first?: number | null; last?: number | null }): number {
  for (const argument of ["first", "last"] as const) {
    const size = args[argument];
    if (size != null && (size < 0 || size > MAX_PAGE_SIZE)) {
      throw new GraphQLError(
        `${argument} may be at most ${MAX_PAGE_SIZE} (the maximum page size) and not negative: ask for up to ${MAX_PAGE_SIZE} and page on with the cursors.`,
        { extensions: { code: "PAGE_SIZE_EXCEEDED", argument, value: size, max: MAX_PAGE_SIZE } },
      );
    }
  }
  return MAX_PAGE_SIZE;
}

/**
 * The cost of a connection field for the complexity budget: its page size times its items' cost,
 * so that nested pages multiply as they do in the database.
 */
export function connectionComplexity(args: { first?: number | null; last?: number | null }) {
  return { field: 1, multiplier: args.first ?? args.last ?? DEFAULT_PAGE_SIZE };
}

/** Spread into every connection field: a checked page size and a cost that grows with it. */
export const pagedConnection = { maxSize: checkedPageSize, complexity: connectionComplexity };

builder.addScalarType("DateTime", DateTimeScalar, {
  description: "A moment in time, as an ISO 8601 string with a time zone offset (2026-11-23T09:30:00.000Z).",
});
builder.addScalarType("JSONObject", JSONObjectResolver, {
  description: "A JSON object of free-form attributes.",
});
builder.addScalarType("JSON", JSONResolver, {
  description: "Any JSON value: a string, number, boolean, null, array or object.",
});
builder.scalarType("Decimal", {
  description:
    'An exact decimal number, sent as a string so no precision is lost ("1234.50"). Never a float.',
  serialize: (value) => value.toString(),
  parseValue: (value) => {
    if (typeof value !== "string" || !/^-?\d+(\.\d+)?$/.test(value)) {
      throw new GraphQLError('A Decimal is a string of digits with an optional fraction, such as "19.99".', {
        extensions: { code: "BAD_USER_INPUT" },
      });
    }
    return value;
  },
});

builder.queryType({ description: "Everything you can read." });
