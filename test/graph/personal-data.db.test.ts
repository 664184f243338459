// Personal data over GraphQL without the `pii` scope: no lookup confirms a hidden email or phone, and
// no field lets one through (traits, summaries, touchpoints, names); with the scope it reads whole.
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const AT = new Date("2026-06-15T12:00:00Z");
const jsonHeaders = { "content-type": "application/json", accept: "application/graphql-response+json" };
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");

type Client = Awaited<ReturnType<typeof createTestClient>>;

interface Answer {
  // biome-ignore lint/suspicious/noExplicitAny: answers are read by field, as a client reads JSON.
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

async function post(client: Client, query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const response = await client.fetch("/graphql", {
    method: "POST",
    headers: jsonHeaders,
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Answer;
}

/** A customer whose personal data sits where masking used to miss it. */
async function zoe(db: Database) {
  return db.prisma.customer.create({
    data: {
      displayName: "zoe.doe@example.com",
      traits: {
        plan: "pro",
        company: "Acme",
        personalEmail: "zoe.private@example.org",
        homePhone: "+44 20 7946 0958",
        ssn: "078-05-1120",
        seats: 12,
        note: "call her on +1 415 555 0123 after 5",
        address: { street: "1 Main St", city: "Springfield" },
      },
      identities: { create: [{ kind: "EMAIL", value: "zoe@example.com" }] },
      interactions: {
        create: {
          source: "mail",
          externalId: "1",
          channel: "EMAIL",
          kind: "email.received",
          direction: "INBOUND",
          occurredAt: AT,
          summary: "Re: write to me at zoe.private@example.org or +1 (415) 555-0123",
        },
      },
      feedback: {
        create: {
          source: "survey",
          externalId: "nps-1",
          kind: "NPS",
          score: 3,
          respondedAt: AT,
          touchpoint: "support.reply from zoe.private@example.org",
        },
      },
    },
  });
}

describe("finding a customer by an identity", () => {
  test("by email or phone needs the pii scope, as searching does: no existence oracle", async ({ db }) => {
    const customer = await zoe(db);
    const query = `query ($identity: IdentityInput) { customer(identity: $identity) { id } }`;
    const withoutPii = await createTestClient(db, { role: "ANALYST", scopes: [] });
    for (const identity of [
      { kind: "EMAIL", value: "zoe@example.com" },
      { kind: "EMAIL", value: "nobody@example.com" },
      { kind: "PHONE", value: "+14155550123" },
    ]) {
      const answer = await post(withoutPii, query, { identity });
      // The same answer whether or not someone has the address.
      expect(answer.data?.customer, identity.value).toBeNull();
      expect(answer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(answer.errors?.[0]?.message).toMatch(/needs the `pii` scope/);
    }
    const withPii = await createTestClient(db, { role: "ANALYST", scopes: ["pii"] });
    const found = await post(withPii, query, { identity: { kind: "EMAIL", value: "zoe@example.com" } });
    expect(found).toEqual({ data: { customer: { id: globalId("Customer", customer.id) } } });
  });
});

describe("searching customers without the pii scope", () => {
  test("a display name that is an email is not searchable, a piece at a time or whole", async ({ db }) => {
    await zoe(db);
    await db.prisma.customer.create({ data: { displayName: "Zoe Smith" } });
    const query = `query ($search: String) { customers(first: 5, filter: { search: $search }) { edges { node { displayName } } } }`;
    const names = async (client: Client, search: string) =>
      (await post(client, query, { search })).data?.customers.edges.map(
        (edge: { node: { displayName: string } }) => edge.node.displayName,
      );
    const withoutPii = await createTestClient(db, { role: "ANALYST", scopes: [] });
    for (const guess of ["zoe.doe@example.com", "zoe.doe@", "@example.com"]) {
      expect(await names(withoutPii, guess), guess).toEqual([]);
    }
    // Names that are names are found as before.
    expect(await names(withoutPii, "zoe")).toEqual(["Zoe Smith"]);
    const withPii = await createTestClient(db, { role: "ANALYST", scopes: ["pii"] });
    expect(await names(withPii, "zoe.doe@")).toEqual(["zoe.doe@example.com"]);
  });
});

const PROFILE = `query ($id: ID!) {
  node(id: $id) {
    ... on Customer {
      displayName
      traits
      identities { value }
      interactions(first: 5) { edges { node { summary } } }
      feedback(first: 5) { edges { node { touchpoint } } }
    }
  }
}`;

describe("personal data outside identities, bodies and comments", () => {
  test("traits, summaries, touchpoints and names are masked without the pii scope", async ({ db }) => {
    const customer = await zoe(db);
    const analyst = await createTestClient(db, { role: "ANALYST", scopes: [] });
    const answer = await post(analyst, PROFILE, { id: globalId("Customer", customer.id) });
    expect(answer.errors).toBeUndefined();
    const profile = answer.data?.node;
    expect(profile.displayName).toBe("z•••@example.com");
    expect(profile.traits).toEqual({
      // What analysts segment and report on stays legible.
      plan: "pro",
      company: "Acme",
      seats: 12,
      // Named as personal: masked whole, whatever the value looks like.
      personalEmail: "z•••@example.org",
      homePhone: "+4•••••••0958",
      ssn: "0•••",
      address: { street: "1•••", city: "S•••" },
      // Anywhere else, the emails and phones written in it.
      note: "call her on +1••••••0123 after 5",
    });
    expect(profile.interactions.edges[0].node.summary).toBe(
      "Re: write to me at z•••@example.org or +1••••••0123",
    );
    expect(profile.feedback.edges[0].node.touchpoint).toBe("support.reply from z•••@example.org");
    const leaked = JSON.stringify(answer);
    for (const secret of ["zoe.private", "7946", "555", "078-05", "Main St"])
      expect(leaked).not.toContain(secret);
  });

  test("the pii scope reads them as stored", async ({ db }) => {
    const customer = await zoe(db);
    const withPii = await createTestClient(db, { role: "ANALYST", scopes: ["pii"] });
    const profile = (await post(withPii, PROFILE, { id: globalId("Customer", customer.id) })).data?.node;
    expect(profile.displayName).toBe("zoe.doe@example.com");
    expect(profile.traits.ssn).toBe("078-05-1120");
    expect(profile.traits.homePhone).toBe("+44 20 7946 0958");
    expect(profile.interactions.edges[0].node.summary).toContain("zoe.private@example.org");
    expect(profile.feedback.edges[0].node.touchpoint).toBe("support.reply from zoe.private@example.org");
  });

  test("a merge preview masks the conflicting trait values", async ({ db }) => {
    const survivor = await zoe(db);
    const merged = await db.prisma.customer.create({
      data: { traits: { plan: "free", personalEmail: "other.person@example.net" } },
    });
    const admin = await createTestClient(db, { role: "ADMIN", scopes: [] });
    const answer = await post(
      admin,
      `mutation ($input: MergeCustomersInput!) {
        mergeCustomers(input: $input) {
          ... on MergeCustomersPayload { traitConflicts { key survivorValue mergedValue } }
        }
      }`,
      {
        input: {
          survivorId: globalId("Customer", survivor.id),
          mergedId: globalId("Customer", merged.id),
          dryRun: true,
        },
      },
    );
    expect(answer.errors).toBeUndefined();
    const conflicts = answer.data?.mergeCustomers.traitConflicts;
    expect(conflicts).toContainEqual({ key: "plan", survivorValue: "pro", mergedValue: "free" });
    expect(conflicts).toContainEqual({
      key: "personalEmail",
      survivorValue: "z•••@example.org",
      mergedValue: "o•••@example.net",
    });
  });
});

describe("dead letters without the pii scope", () => {
  test("mask what sits under descriptive keys too: nested objects, and emails or phones in kept values", async ({
    db,
  }) => {
    await db.prisma.deadLetter.create({
      data: {
        stream: "tickets",
        fingerprint: "f1",
        reason: "Refused: the requester zoe.private@example.org has no account (call +1 415 555 0123).",
        payload: JSON.stringify({
          type: "interaction",
          kind: "support.ticket",
          externalId: "zoe.private@example.org",
          amount: 12.5,
          event: { email: "zoe.private@example.org", phone: "+14155550123", name: "Zoe Doe" },
          touchpoint: "reply to +44 20 7946 0958",
          customerNumber: 4155550123,
        }),
      },
    });
    const integrator = await createTestClient(db, { role: "INTEGRATOR", scopes: [] });
    const answer = await post(integrator, "{ deadLetters(first: 1) { edges { node { reason payload } } } }");
    expect(answer.errors).toBeUndefined();
    const letter = answer.data?.deadLetters.edges[0].node;
    expect(JSON.parse(letter.payload)).toEqual({
      type: "interaction",
      kind: "support.ticket",
      externalId: "z•••@example.org",
      amount: 12.5,
      event: { email: "z•••@example.org", phone: "+1••••••0123", name: "Z•••" },
      touchpoint: "reply to +4•••••••0958",
      customerNumber: "4•••",
    });
    expect(letter.reason).toBe("Refused: the requester z•••@example.org has no account (call +1••••••0123).");
    for (const secret of ["zoe.private", "Zoe Doe", "555", "7946"])
      expect(JSON.stringify(answer)).not.toContain(secret);
  });
});

describe("a privacy export", () => {
  test("is whole, for the data subject, and read only by an admin with the pii scope", async ({ db }) => {
    const customer = await zoe(db);
    await db.prisma.privacyRequest.create({
      data: {
        source: "shop",
        requestId: "dr_1",
        action: "EXPORT",
        requestedAt: AT,
        customerIds: [customer.id],
        summary: { customers: 1 },
        export: { customers: [{ id: customer.id, traits: { personalEmail: "zoe.private@example.org" } }] },
      },
    });
    const query = "{ privacyRequests(first: 1) { edges { node { summary export } } } }";
    for (const [role, scopes] of [
      ["ADMIN", []],
      ["ANALYST", ["pii"]],
      ["INTEGRATOR", ["pii", "customers"]],
    ] as const) {
      const refused = await post(await createTestClient(db, { role, scopes: [...scopes] }), query);
      expect(refused.errors?.[0]?.extensions?.code, role).toBe("FORBIDDEN");
      expect(JSON.stringify(refused), role).not.toContain("zoe.private");
    }
    const admin = await createTestClient(db, { role: "ADMIN", scopes: ["pii"] });
    const answer = await post(admin, query);
    expect(answer.errors).toBeUndefined();
    expect(JSON.stringify(answer.data)).toContain("zoe.private@example.org");
  });
});
