// The Principal type: a person or service that calls the API and may own customers.
//
// Who may read what of a principal. A principal's name is shown wherever the principal stands next to
// something the viewer may see (the owner of a customer, who acknowledged an alert, who merged two
// customers): a list of customers or an alert is not understandable without it, and it is what the
// people involved call each other anyway. Everything else — the work email, the keys, how many
// customers they own — is the principal's own business and an admin's: an analyst reading every
// customer, or an account manager reading an alert that a colleague raised, gets the colleague's
// name, not their address. Looked up directly by global ID (node, nodes), a principal is readable
// only by admins and by the principal themself: knowing an ID is not a reason to see its owner.
import type { GraphQLResolveInfo } from "graphql";
import { GraphQLError } from "graphql";
import { builder } from "../builder.ts";
import type { GraphContext } from "../context.ts";

/** Admins, and the principal behind the key in use. */
export function isAdminOrSelf(principal: { id: string }, context: GraphContext): boolean {
  return context.viewer.role === "ADMIN" || context.viewer.principalId === principal.id;
}

/**
 * Whether this principal was reached straight from the root by global ID (node, nodes): its field is
 * then at depth 2 (node.name) or 3 (nodes.0.name). Anything deeper came through another object the
 * viewer was allowed to read. Response keys can be aliases, so the depth, not the names, decides.
 */
function lookedUpById(info: GraphQLResolveInfo): boolean {
  let depth = 0;
  for (let at: GraphQLResolveInfo["path"] | undefined = info.path; at; at = at.prev) depth++;
  return (
    info.operation.operation === "query" &&
    (depth === 2 || (depth === 3 && typeof info.path.prev?.key === "number"))
  );
}

const nameScopes = (
  principal: { id: string },
  _args: object,
  context: GraphContext,
  info: GraphQLResolveInfo,
) => isAdminOrSelf(principal, context) || !lookedUpById(info);

const privateField = (field: string) => ({
  authScopes: (principal: { id: string }, _args: object, context: GraphContext) =>
    isAdminOrSelf(principal, context),
  unauthorizedError: () =>
    new GraphQLError(
      `Only admins and the principal themself may read Principal.${field}: other principals show their name only. Ask an admin if you need to reach a colleague.`,
      { extensions: { code: "FORBIDDEN" } },
    ),
});

const lookupError = () =>
  new GraphQLError(
    "You may look up only your own principal by ID (viewer.principal is yours): other principals are shown by name where they own or worked on something you see, and in full to admins.",
    { extensions: { code: "FORBIDDEN" } },
  );

export const PrincipalNode = builder.prismaNode("Principal", {
  description:
    "A person or service that uses the hub; account managers own customers. Everyone who sees a customer or an alert sees the name of the principals involved; email, keys and customer counts are for admins and the principal themself.",
  id: {
    field: "id",
    description: "The principal's global ID.",
    authScopes: nameScopes,
    unauthorizedError: lookupError,
  },
  fields: (t) => ({
    name: t.exposeString("name", {
      description: "The principal's name.",
      authScopes: nameScopes,
      unauthorizedError: lookupError,
    }),
    email: t.exposeString("email", {
      nullable: true,
      description:
        "The principal's work email, when known; readable by admins and by the principal themself (FORBIDDEN for others).",
      ...privateField("email"),
    }),
    ownedCustomerCount: t.relationCount("ownedCustomers", {
      description:
        "How many customers this principal owns (merged-away profiles not counted); readable by admins and by the principal themself.",
      where: { mergedIntoId: null },
      ...privateField("ownedCustomerCount"),
    }),
    createdAt: t.expose("createdAt", {
      type: "DateTime",
      description: "When the principal was created; readable by admins and by the principal themself.",
      ...privateField("createdAt"),
    }),
  }),
});
