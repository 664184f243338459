// Keys and principals over GraphQL: an admin gives a key (shown once) to someone new or to an account
// manager the hub knows, lists keys without their secrets, revokes one (refused on the very next
// request), and lists principals with the customers they own. Nobody else may.
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import {
  ApiKeysDocument,
  CreateApiKeyDocument,
  PrincipalsDocument,
  RevokeApiKeyDocument,
} from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const principalId = (id: string) => Buffer.from(`Principal:${id}`).toString("base64");
const viewerQuery = JSON.stringify({ query: "{ viewer { role principal { name } } }" });

async function post(client: Awaited<ReturnType<typeof createTestClient>>, query: string) {
  const response = await client.fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

/** Sends a request with the given key (not the client's own) and gives the status and body. */
async function asKey(client: Awaited<ReturnType<typeof createTestClient>>, key: string) {
  const response = await client.fetch("/graphql", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json",
      authorization: `Bearer ${key}`,
    },
    body: viewerQuery,
  });
  return { status: response.status, body: await response.json() };
}

async function managerWithCustomers(db: Database) {
  const ana = await db.prisma.principal.create({
    data: { name: "Ana Souza", email: "ana.souza@cxhub-demo.example" },
  });
  const [survivor] = await db.prisma.customer.createManyAndReturn({
    data: [
      { displayName: "One", ownerId: ana.id },
      { displayName: "Two", ownerId: ana.id },
      { displayName: "Three", ownerId: ana.id },
    ],
  });
  // A merged-away profile is not a customer any more: it is not counted.
  await db.prisma.customer.create({
    data: { displayName: "One (old)", ownerId: ana.id, mergedIntoId: survivor?.id, mergedAt: new Date() },
  });
  return ana;
}

describe("createApiKey", () => {
  test("gives a new principal a key, shown once, that works at once", async ({ db }) => {
    const admin = await createTestClient(db);
    const result = await admin.execute(CreateApiKeyDocument, {
      input: { newPrincipal: { name: "BI export" }, name: "nightly export", role: "ANALYST" },
    });
    expect(result.errors).toBeUndefined();
    const payload = result.data?.createApiKey;
    if (payload?.__typename !== "CreateApiKeyPayload") throw new Error(`unexpected ${payload?.__typename}`);
    expect(payload.key).toMatch(/^cxh_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(payload.apiKey).toMatchObject({
      name: "nightly export",
      role: "ANALYST",
      scopes: [],
      status: "ACTIVE",
      principal: { name: "BI export", email: null },
    });
    expect(payload.key.startsWith(payload.apiKey.prefix)).toBe(true);

    const used = await asKey(admin, payload.key);
    expect(used.status).toBe(200);
    expect(used.body.data.viewer).toEqual({ role: "ANALYST", principal: { name: "BI export" } });
  });

  test("gives an account manager the hub knows a key by their principal ID: they see their customers", async ({
    db,
  }) => {
    const ana = await managerWithCustomers(db);
    const admin = await createTestClient(db);
    const result = await admin.execute(CreateApiKeyDocument, {
      input: { principalId: principalId(ana.id), name: "alerts page", role: "ACCOUNT_MANAGER" },
    });
    const payload = result.data?.createApiKey;
    if (payload?.__typename !== "CreateApiKeyPayload") throw new Error(JSON.stringify(result));
    expect(payload.apiKey.principal).toEqual({
      id: principalId(ana.id),
      name: "Ana Souza",
      email: "ana.souza@cxhub-demo.example",
    });
    const response = await admin.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${payload.key}` },
      body: JSON.stringify({ query: "{ customers(first: 10) { totalCount } }" }),
    });
    expect((await response.json()).data.customers.totalCount).toBe(3);
    expect(await db.prisma.principal.count({ where: { name: "Ana Souza" } })).toBe(1);
  });

  test("refuses a new principal with someone's email, naming the principal ID to use", async ({ db }) => {
    const ana = await managerWithCustomers(db);
    const admin = await createTestClient(db);
    const result = await admin.execute(CreateApiKeyDocument, {
      input: {
        newPrincipal: { name: "Ana", email: "Ana.Souza@cxhub-demo.example" },
        name: "alerts page",
        role: "ACCOUNT_MANAGER",
      },
    });
    expect(result.data?.createApiKey).toMatchObject({
      __typename: "ConflictError",
      message: expect.stringContaining(`pass principalId "${principalId(ana.id)}"`),
    });
    expect(await db.prisma.apiKey.count({ where: { principalId: ana.id } })).toBe(0);
  });

  test("says what to fix: no principal, both, an unknown one, a past expiry", async ({ db }) => {
    const admin = await createTestClient(db);
    const base = { name: "k", role: "ANALYST" as const };
    const neither = await admin.execute(CreateApiKeyDocument, { input: base });
    expect(neither.data?.createApiKey).toMatchObject({
      __typename: "ValidationError",
      message: expect.stringMatching(/exactly one of principalId .* or newPrincipal/),
      issues: [{ path: ["input", "principalId"] }],
    });
    const both = await admin.execute(CreateApiKeyDocument, {
      input: { ...base, principalId: principalId(admin.principal.id), newPrincipal: { name: "X" } },
    });
    expect(both.data?.createApiKey?.__typename).toBe("ValidationError");
    const unknown = await admin.execute(CreateApiKeyDocument, {
      input: { ...base, principalId: principalId("01900000-0000-7000-8000-000000000000") },
    });
    expect(unknown.data?.createApiKey).toMatchObject({
      __typename: "NotFoundError",
      message: expect.stringMatching(/principals query/),
    });
    const past = await admin.execute(CreateApiKeyDocument, {
      input: { ...base, newPrincipal: { name: "X" }, expiresAt: "2020-01-01T00:00:00Z" },
    });
    expect(past.data?.createApiKey).toMatchObject({
      __typename: "ValidationError",
      issues: [{ path: ["input", "expiresAt"] }],
    });
    expect(await db.prisma.principal.count({ where: { name: "X" } })).toBe(0);
  });
});

describe("apiKeys and revokeApiKey", () => {
  test("lists keys without their secrets; a revoked key is refused on the very next request", async ({
    db,
  }) => {
    const admin = await createTestClient(db);
    const created = await admin.execute(CreateApiKeyDocument, {
      input: { newPrincipal: { name: "Shop sync" }, name: "shop sync", role: "INTEGRATOR" },
    });
    const payload = created.data?.createApiKey;
    if (payload?.__typename !== "CreateApiKeyPayload") throw new Error(JSON.stringify(created));
    expect((await asKey(admin, payload.key)).status).toBe(200);

    const listed = await admin.execute(ApiKeysDocument, { first: 10 });
    expect(listed.data?.apiKeys.totalCount).toBe(2);
    expect(listed.data?.apiKeys.edges.map((edge) => edge.node.name)).toEqual(["shop sync", "test key"]);
    expect(JSON.stringify(listed)).not.toContain(payload.key.slice(payload.apiKey.prefix.length));

    const revoked = await admin.execute(RevokeApiKeyDocument, { id: payload.apiKey.id });
    expect(revoked.data?.revokeApiKey).toMatchObject({
      __typename: "RevokeApiKeyPayload",
      apiKey: { prefix: payload.apiKey.prefix, status: "REVOKED" },
    });
    const refused = await asKey(admin, payload.key);
    expect(refused.status).toBe(401);
    expect(refused.body.errors[0].message).toMatch(/revoked/);

    const active = await admin.execute(ApiKeysDocument, { first: 10 });
    expect(active.data?.apiKeys.edges.map((edge) => edge.node.name)).toEqual(["test key"]);
    const all = await admin.execute(ApiKeysDocument, { first: 10, includeInactive: true });
    expect(all.data?.apiKeys.edges.map((edge) => [edge.node.name, edge.node.status])).toEqual([
      ["shop sync", "REVOKED"],
      ["test key", "ACTIVE"],
    ]);
    const again = await admin.execute(RevokeApiKeyDocument, { id: payload.apiKey.id });
    expect(again.data?.revokeApiKey?.__typename).toBe("RevokeApiKeyPayload");
  });

  test("keeps the last active admin key, so the hub can still be managed", async ({ db }) => {
    const admin = await createTestClient(db);
    const [own] = (await admin.execute(ApiKeysDocument, { first: 1 })).data?.apiKeys.edges ?? [];
    const refused = await admin.execute(RevokeApiKeyDocument, { id: own?.node.id ?? "" });
    expect(refused.data?.revokeApiKey).toMatchObject({
      __typename: "ConflictError",
      message: expect.stringMatching(/last active admin key: create another admin key first/),
    });
    expect((await asKey(admin, admin.key)).status).toBe(200);

    await admin.execute(CreateApiKeyDocument, {
      input: { newPrincipal: { name: "Second admin" }, name: "spare", role: "ADMIN" },
    });
    const revoked = await admin.execute(RevokeApiKeyDocument, { id: own?.node.id ?? "" });
    expect(revoked.data?.revokeApiKey?.__typename).toBe("RevokeApiKeyPayload");
    expect((await asKey(admin, admin.key)).status).toBe(401);
  });
});

describe("principals", () => {
  test("lists principals by name with the live customers each owns, page by page", async ({ db }) => {
    const ana = await managerWithCustomers(db);
    await db.prisma.principal.create({ data: { name: "Ben Okafor", email: "ben@cxhub-demo.example" } });
    const admin = await createTestClient(db);
    const first = await admin.execute(PrincipalsDocument, { first: 2 });
    expect(first.data?.principals.totalCount).toBe(3);
    expect(first.data?.principals.edges.map((edge) => edge.node)).toMatchObject([
      {
        id: principalId(ana.id),
        name: "Ana Souza",
        email: "ana.souza@cxhub-demo.example",
        ownedCustomerCount: 3,
      },
      { name: "Ben Okafor", ownedCustomerCount: 0 },
    ]);
    const rest = await admin.execute(PrincipalsDocument, {
      first: 2,
      after: first.data?.principals.pageInfo.endCursor,
    });
    expect(rest.data?.principals.edges.map((edge) => edge.node.name)).toEqual(["Test caller"]);
    const found = await admin.execute(PrincipalsDocument, { first: 5, search: "OKAFOR" });
    expect(found.data?.principals.edges.map((edge) => edge.node.name)).toEqual(["Ben Okafor"]);
  });

  test("keys and principals are for admins only", async ({ db }) => {
    await managerWithCustomers(db);
    for (const role of ["ANALYST", "INTEGRATOR", "ACCOUNT_MANAGER"] as const) {
      const client = await createTestClient(db, { role });
      const principals = await client.execute(PrincipalsDocument, { first: 5 });
      expect(principals.errors?.[0]?.extensions?.code, role).toBe("FORBIDDEN");
      const keys = await client.execute(ApiKeysDocument, { first: 5 });
      expect(keys.errors?.[0]?.extensions?.code, role).toBe("FORBIDDEN");
      const created = await client.execute(CreateApiKeyDocument, {
        input: { newPrincipal: { name: "Mallory" }, name: "mine", role: "ADMIN" },
      });
      expect(created.errors?.[0]?.extensions?.code, role).toBe("FORBIDDEN");
    }
    expect(await db.prisma.principal.count({ where: { name: "Mallory" } })).toBe(0);
  });

  test("anyone reads their own keys through viewer.principal, and nobody else's", async ({ db }) => {
    const ana = await managerWithCustomers(db);
    const anaClient = await createTestClient(db, {
      role: "ACCOUNT_MANAGER",
      principalId: ana.id,
      scopes: [],
    });
    const bob = await createTestClient(db, { role: "ACCOUNT_MANAGER", scopes: [] });
    const own = await post(anaClient, "{ viewer { principal { apiKeys { id prefix role status } } } }");
    expect(own.errors).toBeUndefined();
    const [key] = own.data.viewer.principal.apiKeys;
    expect(key).toMatchObject({
      prefix: anaClient.key.slice(0, 16),
      role: "ACCOUNT_MANAGER",
      status: "ACTIVE",
    });
    const others = await post(bob, `{ node(id: "${key.id}") { ... on ApiKey { prefix } } }`);
    expect(others.data.node).toBeNull();
    expect(others.errors[0].extensions.code).toBe("FORBIDDEN");
  });
});
