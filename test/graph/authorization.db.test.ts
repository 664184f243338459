// Who may see what: API keys, roles, account managers' own customers, and masked personal data.
import { describe, expect } from "vitest";
import { createApiKey, revokeApiKey } from "../../src/auth/api-keys.ts";
import type { Database } from "../../src/db/database.ts";
import {
  CustomerListDocument,
  CustomerTimelineDocument,
  SubmitFeedbackDocument,
} from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

/** When the stored facts happened: fixed, so no answer depends on when the test runs. */
const AT = new Date("2026-06-15T12:00:00Z");
const listQuery = JSON.stringify({ query: "{ customers(first: 1) { totalCount } }" });
const jsonHeaders = { "content-type": "application/json", accept: "application/graphql-response+json" };

async function twoBooksOfBusiness(db: Database) {
  const ana = await db.prisma.principal.create({ data: { name: "Ana" } });
  const ben = await db.prisma.principal.create({ data: { name: "Ben" } });
  const anasCustomer = await db.prisma.customer.create({
    data: {
      displayName: "Ana's customer",
      ownerId: ana.id,
      identities: {
        create: [
          { kind: "EMAIL", value: "zoe@example.com" },
          { kind: "PHONE", value: "+14155550123" },
        ],
      },
      interactions: {
        create: {
          source: "mail",
          externalId: "1",
          channel: "EMAIL",
          kind: "email.received",
          direction: "INBOUND",
          occurredAt: AT,
          summary: "Hello",
          body: "My address is 1 Main St",
        },
      },
    },
  });
  const bensCustomer = await db.prisma.customer.create({
    data: { displayName: "Ben's customer", ownerId: ben.id },
  });
  return { ana, ben, anasCustomer, bensCustomer };
}

const globalId = (id: string) => Buffer.from(`Customer:${id}`).toString("base64");

describe("authentication", () => {
  test("answers 401 without a key, saying how to send one", async ({ db }) => {
    const client = await createTestClient(db);
    const response = await client.fetch("/graphql", {
      method: "POST",
      headers: { ...jsonHeaders, authorization: "" },
      body: listQuery,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const body = await response.json();
    expect(body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(body.errors[0].message).toMatch(/Authorization: Bearer <key>/);
  });

  test("answers 401 for malformed, unknown, revoked and expired keys", async ({ db }) => {
    const client = await createTestClient(db);
    const { key: revoked, apiKey } = await createApiKey(db.prisma, {
      principal: { name: "Old" },
      name: "old",
      role: "ADMIN",
    });
    await revokeApiKey(db.prisma, apiKey.prefix);
    const { key: expired } = await createApiKey(db.prisma, {
      principal: { name: "Temp" },
      name: "temp",
      role: "ADMIN",
      expiresAt: new Date(Date.now() - 1000),
    });
    const unknown = `${client.key.slice(0, -4)}AAAA`;
    for (const [key, message] of [
      ["not-a-key", /malformed/],
      [unknown, /not recognised/],
      [revoked, /revoked/],
      [expired, /expired/],
    ] as const) {
      const response = await client.fetch("/graphql", {
        method: "POST",
        headers: { ...jsonHeaders, authorization: `Bearer ${key}` },
        body: listQuery,
      });
      expect(response.status, key).toBe(401);
      expect((await response.json()).errors[0].message).toMatch(message);
    }
  });

  test("accepts the key in X-API-Key too, and leaves health and the GraphiQL page open", async ({ db }) => {
    const client = await createTestClient(db);
    const viaHeader = await client.fetch("/graphql", {
      method: "POST",
      headers: { ...jsonHeaders, authorization: "", "x-api-key": client.key },
      body: listQuery,
    });
    expect(viaHeader.status).toBe(200);
    expect((await client.fetch("/health", { headers: { authorization: "" } })).status).toBe(200);
    const page = await client.fetch("/graphql", { headers: { authorization: "", accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<title>CX Hub<\/title>/);
  });
});

describe("what each role sees", () => {
  test("an account manager sees only the customers they own", async ({ db }) => {
    const { ana, bensCustomer } = await twoBooksOfBusiness(db);
    const anaClient = await createTestClient(db, {
      role: "ACCOUNT_MANAGER",
      principalId: ana.id,
      scopes: [],
    });

    const list = await anaClient.execute(CustomerListDocument, { first: 10 });
    expect(list.data?.customers.totalCount).toBe(1);
    expect(list.data?.customers.edges.map((edge) => edge.node.displayName)).toEqual(["Ana's customer"]);

    const other = await anaClient.execute(CustomerTimelineDocument, { id: globalId(bensCustomer.id) });
    expect(other.data?.node).toBeNull();
    expect(other.errors?.[0]).toMatchObject({ path: ["node", "id"], extensions: { code: "FORBIDDEN" } });
  });

  test("an account manager reads the interactions of their customers, and no others", async ({ db }) => {
    const { ana, anasCustomer, bensCustomer } = await twoBooksOfBusiness(db);
    const bensInteraction = await db.prisma.interaction.create({
      data: {
        customerId: bensCustomer.id,
        source: "mail",
        externalId: "2",
        channel: "EMAIL",
        kind: "email.received",
        direction: "INBOUND",
        occurredAt: AT,
      },
    });
    const anaClient = await createTestClient(db, {
      role: "ACCOUNT_MANAGER",
      principalId: ana.id,
      scopes: [],
    });
    const own = await anaClient.execute(CustomerTimelineDocument, {
      id: globalId(anasCustomer.id),
      first: 5,
    });
    expect(own.errors).toBeUndefined();
    const response = await anaClient.fetch("/graphql", {
      method: "POST",
      headers: jsonHeaders,
      body: JSON.stringify({
        query: `{ node(id: "${Buffer.from(`Interaction:${bensInteraction.id}`).toString("base64")}") { id } }`,
      }),
    });
    const body = await response.json();
    expect(body.data.node).toBeNull();
    expect(body.errors[0].extensions.code).toBe("FORBIDDEN");
  });

  test("an account manager's survey figures and alert lookups cover only their own customers", async ({
    db,
  }) => {
    const { ana, ben, anasCustomer, bensCustomer } = await twoBooksOfBusiness(db);
    for (const [customer, score] of [
      [anasCustomer, 10],
      [bensCustomer, 0],
    ] as const) {
      await db.prisma.feedback.create({
        data: {
          customerId: customer.id,
          source: "survey",
          externalId: `nps-${score}`,
          kind: "NPS",
          score,
          respondedAt: AT,
        },
      });
    }
    const bensAlert = await db.prisma.alert.create({
      data: { customerId: bensCustomer.id, ownerId: ben.id, level: "HIGH", score: 0.7, triggerKey: "ben-1" },
    });
    const post = async (client: Awaited<ReturnType<typeof createTestClient>>, query: string) =>
      (
        await client.fetch("/graphql", {
          method: "POST",
          headers: jsonHeaders,
          body: JSON.stringify({ query }),
        })
      ).json();
    const bensId = Buffer.from(`Principal:${ben.id}`).toString("base64");
    const alertId = Buffer.from(`Alert:${bensAlert.id}`).toString("base64");

    const anaClient = await createTestClient(db, {
      role: "ACCOUNT_MANAGER",
      principalId: ana.id,
      scopes: [],
    });
    // Asking for Ben's book still measures Ana's.
    const figures = await post(
      anaClient,
      `{ feedbackMetrics(filter: { ownerId: "${bensId}" }) { nps { responses promoters detractors } } }`,
    );
    expect(figures.data.feedbackMetrics.nps).toEqual({ responses: 1, promoters: 1, detractors: 0 });
    const lookup = await post(anaClient, `{ node(id: "${alertId}") { id } }`);
    expect(lookup.data.node).toBeNull();
    expect(lookup.errors[0].extensions.code).toBe("FORBIDDEN");

    const analyst = await createTestClient(db, { role: "ANALYST", scopes: [] });
    expect((await post(analyst, `{ node(id: "${alertId}") { id } }`)).data.node).toEqual({ id: alertId });
    const bensFigures = await post(
      analyst,
      `{ feedbackMetrics(filter: { ownerId: "${bensId}" }) { nps { responses detractors } } }`,
    );
    expect(bensFigures.data.feedbackMetrics.nps).toEqual({ responses: 1, detractors: 1 });
    // Integrators read no alerts, whoever owns the customer.
    const integrator = await createTestClient(db, { role: "INTEGRATOR", scopes: [] });
    expect((await post(integrator, `{ node(id: "${alertId}") { id } }`)).errors[0].extensions.code).toBe(
      "FORBIDDEN",
    );
  });

  test("an account manager records survey answers for their own customers, by ID, and for no others", async ({
    db,
  }) => {
    const { ana, anasCustomer, bensCustomer } = await twoBooksOfBusiness(db);
    const anaClient = await createTestClient(db, {
      role: "ACCOUNT_MANAGER",
      principalId: ana.id,
      scopes: [],
    });
    const answer = (
      customer: { id?: string; identities?: { kind: "EMAIL"; value: string }[] },
      externalId: string,
    ) =>
      anaClient.execute(SubmitFeedbackDocument, {
        input: {
          customer,
          source: "phone-survey",
          externalId,
          kind: "NPS",
          score: 9,
          respondedAt: AT.toISOString(),
        },
      });

    const own = await answer({ id: globalId(anasCustomer.id) }, "own");
    expect(own.errors).toBeUndefined();
    expect(own.data?.submitFeedback).toMatchObject({
      __typename: "SubmitFeedbackPayload",
      outcome: "CREATED",
    });
    expect(await db.prisma.feedback.count({ where: { customerId: anasCustomer.id } })).toBe(1);

    const others = await answer({ id: globalId(bensCustomer.id) }, "others");
    expect(others.data?.submitFeedback).toEqual({
      __typename: "ForbiddenError",
      message: "You may record facts only for the customers you own: ask an admin to reassign this one.",
    });
    // Identities may create or merge customers: not an account manager's to do.
    const byIdentity = await answer(
      { identities: [{ kind: "EMAIL", value: "zoe@example.com" }] },
      "identity",
    );
    expect(byIdentity.data?.submitFeedback).toMatchObject({
      __typename: "ForbiddenError",
      message: expect.stringMatching(/^Account managers name the customer by `customer.id`/),
    });
    expect(await db.prisma.feedback.count()).toBe(1);

    // An answer of Ben's customer, named by its (source, externalId) from Ana's: a correction would
    // move it into her book, so it is refused and nothing of it changes.
    const bens = await db.prisma.feedback.create({
      data: {
        customerId: bensCustomer.id,
        source: "phone-survey",
        externalId: "bens",
        kind: "NPS",
        score: 2,
        respondedAt: AT,
      },
    });
    const takeover = await answer({ id: globalId(anasCustomer.id) }, "bens");
    expect(takeover.data?.submitFeedback).toMatchObject({
      __typename: "ForbiddenError",
      message: expect.stringMatching(/already recorded for a customer you do not own/),
    });
    expect(await db.prisma.feedback.findUniqueOrThrow({ where: { id: bens.id } })).toMatchObject({
      customerId: bensCustomer.id,
      score: 2,
    });
    const both = await answer(
      { id: globalId(anasCustomer.id), identities: [{ kind: "EMAIL", value: "zoe@example.com" }] },
      "both",
    );
    expect(both.data?.submitFeedback).toMatchObject({
      __typename: "ValidationError",
      message: "Give the customer's id or their identities, not both.",
    });

    // A role that may not write at all is told it may not *use* the mutation.
    const analyst = await createTestClient(db, { role: "ANALYST" });
    const refused = await analyst.execute(SubmitFeedbackDocument, {
      input: {
        customer: { id: globalId(anasCustomer.id) },
        source: "phone-survey",
        externalId: "analyst",
        kind: "NPS",
        score: 9,
        respondedAt: AT.toISOString(),
      },
    });
    expect(refused.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^Your API key may not use Mutation\.submitFeedback here/),
      extensions: { code: "FORBIDDEN" },
    });
  });

  test("an analyst sees every customer", async ({ db }) => {
    await twoBooksOfBusiness(db);
    const analyst = await createTestClient(db, { role: "ANALYST", scopes: [] });
    const list = await analyst.execute(CustomerListDocument, { first: 10 });
    expect(list.data?.customers.totalCount).toBe(2);
  });

  test("personal data is masked without the pii scope and plain with it", async ({ db }) => {
    const { anasCustomer } = await twoBooksOfBusiness(db);
    const masked = await createTestClient(db, { role: "ANALYST", scopes: [] });
    const plain = await createTestClient(db, { role: "ANALYST", scopes: ["pii"] });

    const seen = async (client: Awaited<ReturnType<typeof createTestClient>>) => {
      const result = await client.execute(CustomerTimelineDocument, {
        id: globalId(anasCustomer.id),
        first: 5,
      });
      const node = result.data?.node;
      if (node?.__typename !== "Customer") throw new Error(JSON.stringify(result));
      return {
        values: node.identities.map((identity) => identity.value).sort(),
        body: node.interactions.edges[0]?.node.body,
      };
    };
    expect(await seen(masked)).toEqual({ values: ["+1••••••0123", "z•••@example.com"], body: null });
    expect(await seen(plain)).toEqual({
      values: ["+14155550123", "zoe@example.com"],
      body: "My address is 1 Main St",
    });
  });
});
