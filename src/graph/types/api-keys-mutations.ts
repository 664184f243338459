// Creating and revoking API keys over GraphQL, for admins: createApiKey returns the key once,
// revokeApiKey refuses it from the next request on. Each returns its payload or a typed error (see
// user-errors.ts); the rules are src/auth/manage-api-keys.ts.
import { encodeGlobalID } from "@pothos/plugin-relay";
import { EmailTakenError, issueApiKey, revokeApiKeyById } from "../../auth/manage-api-keys.ts";
import { ConflictError, ValidationError } from "../../domain/errors.ts";
import { builder } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { keyClock, ScopeEnum } from "./api-keys.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";
import { RoleEnum } from "./viewer.ts";

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
