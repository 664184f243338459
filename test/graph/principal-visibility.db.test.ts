// Who may read a principal (issue 14: an account manager read another manager's Principal, email
// included). Your own principal and, for admins, everyone's, in full; anyone else's name only where
// it stands next to something you may see (a customer's owner, who acknowledged an alert); a
// colleague looked up by ID is refused.
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { CustomerOwnersDocument, PrincipalByIdDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const principalId = (id: string) => Buffer.from(`Principal:${id}`).toString("base64");

async function twoManagers(db: Database) {
  const ana = await db.prisma.principal.create({ data: { name: "Ana Souza", email: "ana@cxhub.example" } });
  const ben = await db.prisma.principal.create({ data: { name: "Ben Okafor", email: "ben@cxhub.example" } });
  const customer = await db.prisma.customer.create({ data: { displayName: "Zoe", ownerId: ana.id } });
  return { ana, ben, customer };
}

async function post(client: Awaited<ReturnType<typeof createTestClient>>, query: string) {
  const response = await client.fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

describe("principal visibility", () => {
  test("an account manager cannot look up another manager's principal, nor their email", async ({ db }) => {
    const { ana, ben } = await twoManagers(db);
    const anaClient = await createTestClient(db, {
      role: "ACCOUNT_MANAGER",
      principalId: ana.id,
      scopes: [],
    });

    const other = await anaClient.execute(PrincipalByIdDocument, { id: principalId(ben.id) });
    expect(JSON.stringify(other.data)).not.toContain("ben@cxhub.example");
    expect(other.data?.node).toBeNull();
    expect(other.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(other.errors?.[0]?.message).toMatch(/only your own principal by ID/);

    // With an alias and through `nodes` too.
    const aliased = await post(
      anaClient,
      `{ who: nodes(ids: ["${principalId(ben.id)}"]) { ... on Principal { label: name } } }`,
    );
    expect(aliased.data?.who).toEqual([null]);
    expect(aliased.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const own = await anaClient.execute(PrincipalByIdDocument, { id: principalId(ana.id) });
    expect(own.errors).toBeUndefined();
    expect(own.data?.node).toEqual({
      __typename: "Principal",
      id: principalId(ana.id),
      name: "Ana Souza",
      email: "ana@cxhub.example",
    });
  });

  test("an account manager sees who acknowledged their alert by name, not by email", async ({ db }) => {
    const { ana, ben, customer } = await twoManagers(db);
    await db.prisma.alert.create({
      data: {
        customerId: customer.id,
        ownerId: ben.id,
        level: "HIGH",
        score: 0.7,
        triggerKey: "t-1",
        status: "ACKNOWLEDGED",
        acknowledgedAt: new Date(),
        acknowledgedById: ben.id,
      },
    });
    const anaClient = await createTestClient(db, {
      role: "ACCOUNT_MANAGER",
      principalId: ana.id,
      scopes: [],
    });
    const names = await post(
      anaClient,
      "{ alerts(first: 5) { edges { node { acknowledgedBy { name } } } } }",
    );
    expect(names.errors).toBeUndefined();
    expect(names.data.alerts.edges[0].node.acknowledgedBy).toEqual({ name: "Ben Okafor" });

    const emails = await post(
      anaClient,
      "{ alerts(first: 5) { edges { node { acknowledgedBy { name email } } } } }",
    );
    expect(JSON.stringify(emails.data)).not.toContain("ben@cxhub.example");
    expect(emails.errors?.[0]).toMatchObject({
      extensions: { code: "FORBIDDEN" },
      message: expect.stringMatching(/Only admins and the principal themself may read Principal.email/),
    });
  });

  test("an analyst reads customers' owners by name; their email and counts are admins' to read", async ({
    db,
  }) => {
    const { ana } = await twoManagers(db);
    const analyst = await createTestClient(db, { role: "ANALYST", scopes: ["pii"] });
    const owners = await analyst.execute(CustomerOwnersDocument, { first: 5 });
    expect(owners.errors).toBeUndefined();
    expect(owners.data?.customers.edges[0]?.node.owner).toEqual({
      id: principalId(ana.id),
      name: "Ana Souza",
    });

    const private_ = await post(
      analyst,
      "{ customers(first: 5) { edges { node { owner { email ownedCustomerCount } } } } }",
    );
    expect(JSON.stringify(private_.data)).not.toContain("ana@cxhub.example");
    expect(private_.errors.map((error: { extensions: { code: string } }) => error.extensions.code)).toEqual([
      "FORBIDDEN",
      "FORBIDDEN",
    ]);

    const admin = await createTestClient(db);
    const full = await post(
      admin,
      "{ customers(first: 5) { edges { node { owner { email ownedCustomerCount } } } } }",
    );
    expect(full.errors).toBeUndefined();
    expect(full.data.customers.edges[0].node.owner).toEqual({
      email: "ana@cxhub.example",
      ownedCustomerCount: 1,
    });
    const lookedUp = await admin.execute(PrincipalByIdDocument, { id: principalId(ana.id) });
    expect(lookedUp.data?.node).toMatchObject({ email: "ana@cxhub.example" });
  });
});
