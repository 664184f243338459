// Keys and principals for admins, over GraphQL: give someone a key (shown once), list keys (never
// their secret), revoke one (refused at once), and list principals with how many customers each
// owns. This is how keys are managed while the hub runs, embedded database included (the CLI needs
// the data folder to itself). The rules are src/auth/manage-api-keys.ts.

import { encodeGlobalID } from "@pothos/plugin-relay";
import { SCOPES } from "../../auth/api-keys.ts";
import {
  activeApiKeys,
  apiKeyStatus,
  EmailTakenError,
  issueApiKey,
  revokeApiKeyById,
} from "../../auth/manage-api-keys.ts";
import { ConflictError, ValidationError } from "../../domain/errors.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { builder, pagedConnection } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { isAdminOrSelf } from "./principal.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";
import { RoleEnum } from "./viewer.ts";

// Keys are checked against the machine's clock (authenticateApiKey), so their lifecycle is read and
// stamped with it too: a revocation dated by a test's or a replay's clock could lie in the future.
const keyClock = () => new Date();

const ApiKeyStatusEnum = builder.enumType("ApiKeyStatus", {
  description: "Whether a key authenticates now.",
  values: {
    ACTIVE: { description: "The key works." },
    REVOKED: { description: "An admin revoked the key: requests with it get 401." },
    EXPIRED: { description: "The key passed its expiresAt: requests with it get 401." },
  },
});

const ScopeEnum = builder.enumType("ApiKeyScope", {
  description: "A permission a key carries beyond its role.",
  values: {
    PII: { value: SCOPES.pii, description: "Read personal data (emails, phones, message bodies) unmasked." },
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

const NewPrincipalInput = builder.inputType("NewPrincipalInput", {
  description: "A person or service the hub does not know yet.",
  fields: (t) => ({
    name: t.string({ required: true, description: 'Their name ("Ana Souza", "BI export").' }),
    email: t.string({
      description:
        "Their work email, for a person; must not belong to an existing principal (give principalId for them).",
    }),
  }),
});

const CreateApiKeyInput = builder.inputType("CreateApiKeyInput", {
  description:
    "Who gets a key and what it may do. Give exactly one of principalId (someone the hub knows: an account manager from the principals query) or newPrincipal.",
  fields: (t) => ({
    principalId: t.globalID({ description: "An existing principal: the key is theirs." }),
    newPrincipal: t.field({ type: NewPrincipalInput, description: "A new principal, created with the key." }),
    name: t.string({
      required: true,
      description: 'Where the key will be used ("alerts page", "shop sync"): it names the key in lists.',
    }),
    role: t.field({ type: RoleEnum, required: true, description: "What the key may do." }),
    scopes: t.field({ type: [ScopeEnum], description: "Permissions beyond the role; none when omitted." }),
    expiresAt: t.field({ type: "DateTime", description: "When the key stops working; never when omitted." }),
  }),
});

const CreateApiKeyPayload = builder
  .objectRef<{ key: string; apiKeyId: string }>("CreateApiKeyPayload")
  .implement({
    description: "The new key. Its secret is in `key`, shown this once: hand it to its holder now.",
    fields: (t) => ({
      key: t.exposeString("key", {
        description:
          "The whole key, to send as `Authorization: Bearer <key>`. It is stored only as a hash: nobody can read it again.",
      }),
      apiKey: t.prismaField({
        type: "ApiKey",
        description: "The key as listed from now on (without its secret).",
        resolve: (query, payload, _args, context) =>
          context.prisma.apiKey.findUniqueOrThrow({ ...query, where: { id: payload.apiKeyId } }),
      }),
    }),
  });

const RevokeApiKeyPayload = builder.objectRef<{ apiKeyId: string }>("RevokeApiKeyPayload").implement({
  description: "The revoked key: the next request that presents it gets 401.",
  fields: (t) => ({
    apiKey: t.prismaField({
      type: "ApiKey",
      description: "The key, now REVOKED.",
      resolve: (query, payload, _args, context) =>
        context.prisma.apiKey.findUniqueOrThrow({ ...query, where: { id: payload.apiKeyId } }),
    }),
  }),
});

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyPayload,
    authScopes: { admin: true },
    errors: { types: MUTATION_ERRORS },
    description:
      "Creates an API key for an existing principal (principalId) or a new one (newPrincipal) and returns it once. Admins only. A ValidationError names a missing or doubled principal or a past expiresAt; a ConflictError says when newPrincipal's email already belongs to someone (give their principalId).",
    args: { input: t.arg({ type: CreateApiKeyInput, required: true, description: "The key to create." }) },
    resolve: async (_parent, { input }, context) => {
      if ((input.principalId == null) === (input.newPrincipal == null)) {
        throw new ValidationError(
          "Give exactly one of principalId (someone the hub knows) or newPrincipal (someone new).",
          [{ path: ["input", "principalId"], message: "give either principalId or newPrincipal" }],
        );
      }
      const principal = input.principalId
        ? { id: expectGlobalId(input.principalId, "Principal", ["input", "principalId"]) }
        : { name: input.newPrincipal?.name ?? "", email: input.newPrincipal?.email };
      const created = await atInput(() =>
        issueApiKey(
          context.prisma,
          {
            principal,
            name: input.name,
            role: input.role,
            scopes: input.scopes ?? [],
            expiresAt: input.expiresAt,
          },
          keyClock(),
        ),
      );
      return { key: created.key, apiKeyId: created.apiKey.id };
    },
  }),

  revokeApiKey: t.field({
    type: RevokeApiKeyPayload,
    authScopes: { admin: true },
    errors: { types: MUTATION_ERRORS },
    description:
      "Revokes a key at once: the next request with it gets 401, and a WebSocket using it is closed at its next check. Admins only. Revoking a revoked key changes nothing; the last active admin key is refused with a ConflictError (create another first).",
    args: { id: t.arg.globalID({ required: true, description: "The key's global ID (from apiKeys)." }) },
    resolve: async (_parent, args, context) => {
      const key = await revokeApiKeyById(
        context.prisma,
        expectGlobalId(args.id, "ApiKey", ["id"]),
        keyClock(),
      );
      return { apiKeyId: key.id };
    },
  }),
}));

/** The domain's issue paths start at the input's fields; the API's start at the argument. */
async function atInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof EmailTakenError) {
      const id = encodeGlobalID("Principal", error.holder.id);
      throw new ConflictError(
        `${error.holder.name} already has the email ${error.holder.email}: to give them a key, pass principalId "${id}" instead of newPrincipal.`,
      );
    }
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      error.message,
      error.issues.map((issue) => ({
        ...issue,
        // The domain speaks of the principal as one value; the input splits it in two.
        path: ["input", ...issue.path.map((part) => (part === "principal" ? "newPrincipal" : part))],
      })),
    );
  }
}
