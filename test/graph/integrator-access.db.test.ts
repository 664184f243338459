// Least privilege for integrators: a key that syncs data in reads connectors, runs and dead letters,
// and the customer graph (customers and everything about them, by any path) only with the
// `customers` scope.
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const AT = new Date("2026-06-15T12:00:00Z");
const jsonHeaders = { "content-type": "application/json", accept: "application/graphql-response+json" };
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");

type Client = Awaited<ReturnType<typeof createTestClient>>;

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string } }>;
}

async function post(client: Client, query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const response = await client.fetch("/graphql", {
    method: "POST",
    headers: jsonHeaders,
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Answer;
}

async function customerWithFacts(db: Database) {
  const customer = await db.prisma.customer.create({
    data: {
      displayName: "Zoe Doe",
      identities: { create: [{ kind: "SOCIAL_HANDLE", namespace: "x", value: "zoe" }] },
      interactions: {
        create: {
          source: "mail",
          externalId: "1",
          channel: "EMAIL",
          kind: "email.received",
          direction: "INBOUND",
          occurredAt: AT,
          summary: "Hello",
        },
      },
      feedback: {
        create: { source: "survey", externalId: "nps-1", kind: "NPS", score: 3, respondedAt: AT },
      },
      score: {
        create: {
          churnRisk: 0.7,
          churnRiskLevel: "HIGH",
          health: 30,
          reasons: [],
          modelVersion: "test",
          computedAt: AT,
        },
      },
    },
    include: { interactions: true, feedback: true },
  });
  return {
    customerId: globalId("Customer", customer.id),
    interactionId: globalId("Interaction", customer.interactions[0]?.id as string),
    feedbackId: globalId("Feedback", customer.feedback[0]?.id as string),
  };
}

/** Every way into the customer graph a query offers. */
function pathsIn(ids: Awaited<ReturnType<typeof customerWithFacts>>) {
  return {
    list: "{ customers(first: 5) { totalCount edges { node { displayName } } } }",
    byId: `{ customer(id: "${ids.customerId}") { displayName } }`,
    byHandle: `{ customer(identity: { kind: SOCIAL_HANDLE, namespace: "x", value: "zoe" }) { displayName } }`,
    node: `{ node(id: "${ids.customerId}") { ... on Customer { displayName } } }`,
    interaction: `{ node(id: "${ids.interactionId}") { ... on Interaction { summary } } }`,
    feedback: `{ nodes(ids: ["${ids.feedbackId}"]) { ... on Feedback { score } } }`,
  };
}

describe("an integrator key", () => {
  test("without the customers scope reads no customer, by any path, and is told which scope to ask for", async ({
    db,
  }) => {
    const ids = await customerWithFacts(db);
    const integrator = await createTestClient(db, { role: "INTEGRATOR", scopes: ["pii"] });
    for (const [path, query] of Object.entries(pathsIn(ids))) {
      const answer = await post(integrator, query);
      expect(answer.errors?.[0]?.extensions?.code, path).toBe("FORBIDDEN");
      expect(answer.errors?.[0]?.message, path).toMatch(/only with the `customers` scope/);
      expect(JSON.stringify(answer.data ?? null), path).not.toMatch(/Zoe|Hello|"score":3/);
    }
  });

  test("still reads connectors, runs and dead letters", async ({ db }) => {
    await customerWithFacts(db);
    const integrator = await createTestClient(db, { role: "INTEGRATOR", scopes: [] });
    const answer = await post(
      integrator,
      "{ connectors(first: 5) { totalCount } deadLetters(first: 5) { totalCount } viewer { scopes } }",
    );
    expect(answer).toEqual({
      data: { connectors: { totalCount: 0 }, deadLetters: { totalCount: 0 }, viewer: { scopes: [] } },
    });
  });

  test("with the customers scope reads the graph as an analyst does, masked without pii", async ({ db }) => {
    const ids = await customerWithFacts(db);
    const integrator = await createTestClient(db, { role: "INTEGRATOR", scopes: ["customers"] });
    for (const [path, query] of Object.entries(pathsIn(ids))) {
      const answer = await post(integrator, query);
      expect(answer.errors, path).toBeUndefined();
    }
    const profile = await post(
      integrator,
      `{ customer(id: "${ids.customerId}") { score { churnRiskLevel } timeline(first: 5) { totalCount } } }`,
    );
    expect(profile).toEqual({
      data: { customer: { score: { churnRiskLevel: "HIGH" }, timeline: { totalCount: 2 } } },
    });
  });

  test("cannot follow a customer's score live without the customers scope", async ({ db }) => {
    const ids = await customerWithFacts(db);
    const integrator = await createTestClient(db, { role: "INTEGRATOR", scopes: [] });
    const response = await integrator.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({
        query: `subscription { customerScoreChanged(customerId: "${ids.customerId}") { score { churnRisk } } }`,
      }),
    });
    const stream = await response.text();
    expect(stream).toContain('"code":"FORBIDDEN"');
    expect(stream).toContain("only with the `customers` scope");
    expect(stream).not.toContain("churnRisk");
  });
});
