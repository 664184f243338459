// Keys and principals for admins, over GraphQL: the ApiKey type, the apiKeys list (never a secret)
// and the principals list with how many customers each owns. The mutations that create and revoke
// keys are api-keys-mutations.ts. This is how keys are managed while the hub runs, embedded database
// included (the CLI needs the data folder to itself). The rules are src/auth/manage-api-keys.ts.

import { SCOPES } from "../../auth/api-keys.ts";
import { activeApiKeys, apiKeyStatus } from "../../auth/manage-api-keys.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { builder, pagedConnection } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { isAdminOrSelf } from "./principal.ts";
import { RoleEnum } from "./viewer.ts";

// Keys are checked against the machine's clock (authenticateApiKey), so their lifecycle is read and
// stamped with it too: a revocation dated by a test's or a replay's clock could lie in the future.
export const keyClock = () => new Date();

const ApiKeyStatusEnum = builder.enumType("ApiKeyStatus", {
  description: "Whether a key authenticates now.",
  values: {
    ACTIVE: { description: "The key works." },
    REVOKED: { description: "An admin revoked the key: requests with it get 401." },
    EXPIRED: { description: "The key passed its expiresAt: requests with it get 401." },
  },
});

export const ScopeEnum = builder.enumType("ApiKeyScope", {
  description: "A permission a key carries beyond its role.",
  values: {
    PII: { value: SCOPES.pii, description: "Read personal data (emails, phones, message bodies) unmasked." },
    CUSTOMERS: {
      value: SCOPES.customers,
      description:
        "An integrator key: read customers and everything about them (other roles read them by role).",
    },
  },
});

builder.prismaNode("ApiKey", {
  description:
    "An API key: who holds it, its role and scopes, and whether it works. Admins read every key, anyone their own (viewer.principal.apiKeys). The secret is never shown again after createApiKey; the prefix identifies the key in logs and lists.",
  id: { field: "id", description: "The key's global ID." },
  // Admins read every key; anyone reads their own (viewer.principal.apiKeys), secrets never.
  authScopes: (key, context) =>
    context.viewer.role === "ADMIN" || key.principalId === context.viewer.principalId,
  fields: (t) => ({
    name: t.exposeString("name", { description: 'Where the key is used ("alerts page", "shop sync").' }),
    prefix: t.exposeString("prefix", {
      description:
        "The public start of the key (cxh_ and 12 letters or digits): not a secret, enough to tell keys apart.",
    }),
    role: t.expose("role", { type: RoleEnum, description: "What the key may do." }),
    scopes: t.field({
      type: [ScopeEnum],
      description: "Permissions beyond the role.",
      resolve: (key) => key.scopes.filter((scope): scope is "pii" => scope === SCOPES.pii),
    }),
    status: t.field({
      type: ApiKeyStatusEnum,
      description: "Whether the key authenticates now.",
      resolve: (key) => apiKeyStatus(key, keyClock()),
    }),
    principal: t.relation("principal", { description: "Who holds the key." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the key was created." }),
    lastUsedAt: t.expose("lastUsedAt", {
      type: "DateTime",
      nullable: true,
      description: "When a request last used the key (recorded at most once a minute); null if never.",
    }),
    expiresAt: t.expose("expiresAt", {
      type: "DateTime",
      nullable: true,
      description: "When the key stops working; null if it does not expire.",
    }),
    revokedAt: t.expose("revokedAt", {
      type: "DateTime",
      nullable: true,
      description: "When an admin revoked the key; null while it is not revoked.",
    }),
  }),
});

builder.prismaObjectField("Principal", "apiKeys", (t) =>
  t.relation("apiKeys", {
    description:
      "The principal's keys, newest first, revoked and expired ones included (see status); readable by admins and by the principal themself.",
    query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] },
    authScopes: (principal, _args, context) => isAdminOrSelf(principal, context),
  }),
);

function apiKeyWhere(args: {
  principalId?: { typename: string; id: string } | null;
  includeInactive?: boolean | null;
}): Prisma.ApiKeyWhereInput {
  return {
    ...(args.principalId
      ? { principalId: expectGlobalId(args.principalId, "Principal", ["principalId"]) }
      : {}),
    ...(args.includeInactive ? {} : activeApiKeys(keyClock())),
  };
}

builder.queryFields((t) => ({
  apiKeys: t.prismaConnection(
    {
      type: "ApiKey",
      cursor: "id",
      ...pagedConnection,
      authScopes: { admin: true },
      description:
        "API keys, newest first: the ones that work, or every one with includeInactive. Admins only; secrets are never shown.",
      args: {
        principalId: t.arg.globalID({ description: "Only the keys of this principal." }),
        includeInactive: t.arg.boolean({
          defaultValue: false,
          description: "Include revoked and expired keys too.",
        }),
      },
      totalCount: (_parent, args, context) => context.prisma.apiKey.count({ where: apiKeyWhere(args) }),
      resolve: (query, _parent, args, context) =>
        context.prisma.apiKey.findMany({
          ...query,
          where: apiKeyWhere(args),
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        }),
    },
    { name: "ApiKeyConnection" },
    { name: "ApiKeyEdge" },
  ),
  principals: t.prismaConnection(
    {
      type: "Principal",
      cursor: "id",
      ...pagedConnection,
      authScopes: { admin: true },
      description:
        "People and services that use the hub, by name: account managers with how many customers they own (ownedCustomerCount), and their keys. Admins only. A principal's global ID is what setCustomerOwner and the ownerId filters take.",
      args: {
        search: t.arg.string({
          description: "Only principals whose name or email contains this text (any case).",
        }),
      },
      totalCount: (_parent, args, context) => context.prisma.principal.count({ where: principalWhere(args) }),
      resolve: (query, _parent, args, context) =>
        context.prisma.principal.findMany({
          ...query,
          where: principalWhere(args),
          orderBy: [{ name: "asc" }, { id: "asc" }],
        }),
    },
    { name: "PrincipalConnection" },
    { name: "PrincipalEdge" },
  ),
}));

function principalWhere(args: { search?: string | null }): Prisma.PrincipalWhereInput {
  const text = args.search?.trim();
  if (!text) return {};
  return {
    OR: [
      { name: { contains: text, mode: "insensitive" } },
      { email: { contains: text, mode: "insensitive" } },
    ],
  };
}
