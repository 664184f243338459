// Every input is bounded before a resolver runs, and every client mistake is a typed error with a
// code and a sentence saying what to do: the findings of the "hold under attack" review (issue 14).
import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

type Client = Awaited<ReturnType<typeof createTestClient>>;
interface GraphError {
  message: string;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}
interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: GraphError[] };
}

async function post(client: Client, query: string, variables?: Record<string, unknown>): Promise<Answer> {
  return postBody(client, JSON.stringify({ query, variables }));
}

async function postBody(client: Client, body: string): Promise<Answer> {
  const response = await client.fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body,
  });
  return { status: response.status, body: await response.json() };
}

const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString("base64");

/** A client mistake: a 4xx or a 200 with errors, each typed, none of them masked as a bug. */
function expectTypedRefusal(answer: Answer, code: string, message?: RegExp) {
  expect(answer.status).toBeLessThan(500);
  expect(answer.body.errors?.length).toBeGreaterThan(0);
  for (const error of answer.body.errors ?? []) {
    expect(error.message).not.toMatch(/Unexpected error/);
    expect(error.message).not.toMatch(/\.\.$/);
    expect(error.extensions?.code).toBe(code);
  }
  if (message) expect(answer.body.errors?.[0]?.message).toMatch(message);
}

async function createCustomer(client: Client, email: string): Promise<string> {
  const { body } = await post(
    client,
    `mutation ($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { ... on UpsertCustomerPayload { customer { id } } } }`,
    { input: { displayName: "Ada", identities: [{ kind: "EMAIL", value: email }] } },
  );
  return (body.data as { upsertCustomer: { customer: { id: string } } }).upsertCustomer.customer.id;
}

const UPSERT_TRAITS = `mutation ($traits: JSONObject) { upsertCustomer(input: { identities: [{ kind: EMAIL, value: "t@example.com" }], traits: $traits }) { __typename } }`;

describe("node and nodes", () => {
  test("node answers null for a well-formed ID that names no customer", async ({ db }) => {
    const client = await createTestClient(db);
    const { status, body } = await post(client, "query ($id: ID!) { node(id: $id) { id } }", {
      id: globalId("Customer", randomUUID()),
    });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { node: null } });
  });

  test("nodes answers null at the position of an unknown ID only", async ({ db }) => {
    const client = await createTestClient(db);
    const known = await createCustomer(client, "ada@example.com");
    const { body } = await post(client, "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {
      ids: [known, globalId("Customer", randomUUID())],
    });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ nodes: [{ id: known }, null] });
  });

  test("refuses more than 100 IDs in one nodes request, before loading any", async ({ db }) => {
    const client = await createTestClient(db);
    const ids = Array.from({ length: 10_000 }, () => globalId("Customer", randomUUID()));
    const answer = await post(client, "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", { ids });
    expectTypedRefusal(answer, "BAD_USER_INPUT", /ids holds 10000 items; at most 100 are allowed/);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ argument: "ids", max: 100 });
    // Refused before any resolver ran: no field answered, and the error belongs to no field's path
    // (a refusal from the nodes resolver would carry the path ["nodes"]).
    expect(answer.body.data).toBeNull();
    expect(answer.body.errors?.map((error) => error.path)).toEqual([undefined]);
  });

  test("node answers null for an ID of a type that does not exist or an id of another form", async ({
    db,
  }) => {
    const client = await createTestClient(db);
    for (const id of [globalId("Nope", randomUUID()), globalId("Customer", "42")]) {
      const { body } = await post(client, "query ($id: ID!) { node(id: $id) { id } }", { id });
      expect(body).toEqual({ data: { node: null } });
    }
  });

  test("a global ID that is not one of ours is a typed error", async ({ db }) => {
    const client = await createTestClient(db);
    for (const id of ["not-base64!", ""]) {
      expectTypedRefusal(
        await post(client, "query ($id: ID!) { node(id: $id) { id } }", { id }),
        "BAD_USER_INPUT",
      );
    }
  });
});

describe("customer search", () => {
  test("refuses a search longer than 200 characters, saying how long it may be", async ({ db }) => {
    const client = await createTestClient(db);
    const answer = await post(
      client,
      "query ($s: String) { customers(filter: { search: $s }) { totalCount } }",
      // Within the body limit (a 1 MB body is refused before parsing: test/server/body-limits.db.test.ts).
      { s: "a".repeat(500_000) },
    );
    expectTypedRefusal(answer, "BAD_USER_INPUT", /search is 500000 characters long; at most 200 are allowed/);
  });

  test("matches % and _ literally, not as wildcards", async ({ db }) => {
    const client = await createTestClient(db);
    await createCustomer(client, "ada@example.com");
    const count = async (search: string) => {
      const { body } = await post(
        client,
        "query ($s: String) { customers(filter: { search: $s }) { totalCount } }",
        {
          s: search,
        },
      );
      return (body.data as { customers: { totalCount: number } }).customers.totalCount;
    };
    expect(await count("Ada")).toBe(1);
    expect(await count("%")).toBe(0);
    expect(await count("A_a")).toBe(0);
    expect(await count("\\")).toBe(0);
  });
});

describe("strings, JSON and dates", () => {
  test("refuses NUL bytes in a string", async ({ db }) => {
    const client = await createTestClient(db);
    const answer = await post(
      client,
      "query ($s: String) { customers(filter: { search: $s }) { totalCount } }",
      {
        s: "a\u0000b",
      },
    );
    expectTypedRefusal(answer, "BAD_USER_INPUT", /NUL/);
  });

  test("refuses a NUL byte in a literal string of a mutation input, naming where", async ({ db }) => {
    const client = await createTestClient(db);
    const answer = await post(
      client,
      `mutation { upsertCustomer(input: { displayName: "a\\u0000b", identities: [{ kind: EMAIL, value: "n@example.com" }] }) { __typename } }`,
    );
    expectTypedRefusal(answer, "BAD_USER_INPUT", /input\.displayName/);
  });

  test("refuses a string over the default bound of 1000 characters", async ({ db }) => {
    const client = await createTestClient(db);
    const answer = await post(
      client,
      `mutation ($name: String) { upsertCustomer(input: { displayName: $name, identities: [{ kind: EMAIL, value: "n@example.com" }] }) { __typename } }`,
      { name: "x".repeat(1001) },
    );
    expectTypedRefusal(answer, "BAD_USER_INPUT", /input\.displayName is 1001 characters long; at most 1000/);
  });

  test("accepts a field's declared bound above the default: an email body of 150,000 characters", async ({
    db,
  }) => {
    const client = await createTestClient(db);
    const record = `mutation ($body: String) { recordInteraction(input: { customer: { identities: [{ kind: EMAIL, value: "b@example.com" }] }, source: "test", externalId: "1", channel: EMAIL, kind: "email.received", direction: OUTBOUND, occurredAt: "2026-01-01T00:00:00Z", body: $body }) { __typename } }`;
    const accepted = await post(client, record, { body: "word ".repeat(30_000) });
    expect(accepted.body).toEqual({
      data: { recordInteraction: { __typename: "RecordInteractionPayload" } },
    });
    const refused = await post(client, record, { body: "x".repeat(200_001) });
    expectTypedRefusal(refused, "BAD_USER_INPUT", /input\.body is 200001 characters long; at most 200000/);
  });

  test("refuses traits larger than 32 KiB", async ({ db }) => {
    const client = await createTestClient(db);
    // Within the body limit: a 5 MB body is refused before parsing (test/server/body-limits.db.test.ts).
    const answer = await post(client, UPSERT_TRAITS, { traits: { notes: "x".repeat(512 * 1024) } });
    expectTypedRefusal(answer, "BAD_USER_INPUT", /traits.*at most 32768/);
  });

  test("refuses traits nested 5000 deep, in variables and in literals", async ({ db }) => {
    const client = await createTestClient(db);
    // Written by hand: JSON.stringify itself runs out of stack on 5,000 levels.
    const deep = `${'{"a":'.repeat(5000)}{}${"}".repeat(5000)}`;
    const body = `{"query":${JSON.stringify(UPSERT_TRAITS)},"variables":{"traits":${deep}}}`;
    expectTypedRefusal(await postBody(client, body), "BAD_USER_INPUT", /nested more than 16 levels/);
    const literal = `${"{a:".repeat(5000)}{}${"}".repeat(5000)}`;
    const answer = await post(
      client,
      `mutation { upsertCustomer(input: { identities: [{ kind: EMAIL, value: "t@example.com" }], traits: ${literal} }) { __typename } }`,
    );
    expect(answer.status).toBeLessThan(500);
    for (const error of answer.body.errors ?? []) expect(error.extensions?.code).toBeDefined();
    expect(answer.body.errors?.length).toBeGreaterThan(0);
  });

  test("refuses a date in year 0 with a typed error", async ({ db }) => {
    const client = await createTestClient(db);
    const answer = await post(
      client,
      `mutation ($at: DateTime!) { recordInteraction(input: { customer: { identities: [{ kind: EMAIL, value: "d@example.com" }] }, source: "test", externalId: "1", channel: EMAIL, kind: "email.received", direction: INBOUND, occurredAt: $at }) { __typename } }`,
      { at: "0000-01-01T00:00:00Z" },
    );
    expectTypedRefusal(answer, "BAD_USER_INPUT", /between 1900-01-01 and 9999-12-31/);
  });
});

describe("scalars", () => {
  test("a Decimal variable that is no decimal is a typed error, whoever sends it (found by the schema fuzz, seed 7)", async ({
    db,
  }) => {
    const analyst = await createTestClient(db, { role: "ANALYST", scopes: [] });
    const answer = await post(
      analyst,
      "mutation ($input: RecordInteractionInput!) { recordInteraction(input: $input) { __typename } }",
      {
        input: {
          customer: {},
          source: "s",
          externalId: "1",
          channel: "SUPPORT",
          kind: "ticket.opened",
          direction: "INBOUND",
          occurredAt: "2026-01-01T00:00:00Z",
          amount: { amount: "", currency: "EUR" },
        },
      },
    );
    expectTypedRefusal(answer, "BAD_USER_INPUT", /A Decimal is a string of digits/);
  });
});

describe("pagination and cursors", () => {
  test("a negative page size is a typed error", async ({ db }) => {
    const client = await createTestClient(db);
    expectTypedRefusal(
      await post(client, "{ customers(first: -1) { totalCount } }"),
      "PAGE_SIZE_EXCEEDED",
      /not negative/,
    );
  });

  test("a timeline cursor that is not one of ours is a typed error", async ({ db }) => {
    const client = await createTestClient(db);
    const id = await createCustomer(client, "c@example.com");
    const forged = Buffer.from("2026-01-01T00:00:00.000Z|not-a-uuid").toString("base64url");
    // A time JavaScript reads but PostgreSQL cannot (a year past 9999), with a well-formed id.
    const farFuture = Buffer.from(`+010000-01-01T00:00:00.000Z|${randomUUID()}`).toString("base64url");
    for (const after of [forged, farFuture, "garbage"]) {
      const answer = await post(
        client,
        "query ($id: ID!, $after: String) { customer(id: $id) { timeline(first: 5, after: $after) { totalCount edges { cursor } } } }",
        { id, after },
      );
      expectTypedRefusal(answer, "BAD_USER_INPUT", /timeline cursor/);
    }
  });
});

describe("aliases", () => {
  test("counts aliased __typename against the alias limit, with a code", async ({ db }) => {
    const client = await createTestClient(db);
    const aliases = Array.from({ length: 20 }, (_, i) => `t${i}: __typename`).join(" ");
    const answer = await post(client, `{ ${aliases} }`);
    expectTypedRefusal(answer, "QUERY_TOO_COMPLEX", /Aliases limit of 15 exceeded, found 20/);
  });
});
