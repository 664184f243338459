// Limits against abusive operations: each refusal names the limit and says what to do instead.
import { describe, expect } from "vitest";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

async function post(client: Awaited<ReturnType<typeof createTestClient>>, body: unknown) {
  const response = await client.fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe("operation limits", () => {
  test("refuses a page larger than 100, naming the maximum page size", async ({ db }) => {
    const client = await createTestClient(db);
    const { body } = await post(client, { query: "{ customers(first: 500) { totalCount } }" });
    expect(body.errors[0].message).toMatch(/first may be at most 100 \(the maximum page size\)/);
    expect(body.errors[0].extensions).toMatchObject({ code: "PAGE_SIZE_EXCEEDED", value: 500, max: 100 });
    expect(body.data).toBeNull();
  });

  test("refuses an operation nested deeper than 10 levels", async ({ db }) => {
    const client = await createTestClient(db);
    const deep =
      "{ customers(first: 1) { edges { node { interactions(first: 1) { edges { node { customer { interactions(first: 1) { edges { node { customer { displayName } } } } } } } } } } } }";
    const { body } = await post(client, { query: deep });
    expect(body.errors[0].message).toMatch(
      /exceeds the maximum depth: it has a depth of \d+ and the limit is 10/,
    );
    expect(body.errors[0].extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX", limit: "depth", max: 10 });
  });

  test("refuses an operation whose cost is over budget", async ({ db }) => {
    const client = await createTestClient(db);
    const costly =
      "{ customers(first: 100) { edges { node { interactions(first: 100) { edges { node { customer { identities { value } } } } } } } } }";
    const { body } = await post(client, { query: costly });
    expect(body.errors[0].message).toMatch(/exceeds the maximum complexity: .* the limit is 50000/);
  });

  test("checks every request of the same document with its own variables", async ({ db }) => {
    // The server remembers an operation that passed by its document and variables: a pass must
    // never carry over to other variables of the same document, before or after it.
    const client = await createTestClient(db);
    const query = `query Page($outer: Int, $inner: Int, $search: String) {
      customers(first: $outer, filter: { search: $search }) {
        edges { node { interactions(first: $inner) { edges { node { customer { identities { value } } } } } } }
      }
    }`;
    const small = { outer: 5, inner: 5, search: "mia" };
    const costly = { outer: 100, inner: 100, search: "mia" };
    const tooLong = { outer: 5, inner: 5, search: "m".repeat(201) };
    for (const round of [1, 2]) {
      const passed = await post(client, { query, variables: small });
      expect(passed.body.errors, `round ${round}`).toBeUndefined();
      const refused = await post(client, { query, variables: costly });
      expect(refused.body.errors?.[0].extensions).toMatchObject({
        code: "QUERY_TOO_COMPLEX",
        limit: "complexity",
      });
      const unbounded = await post(client, { query, variables: tooLong });
      expect(unbounded.body.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT" });
    }
  });

  test("refuses more than 15 aliases", async ({ db }) => {
    const client = await createTestClient(db);
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: customers(first: 1) { totalCount }`).join(
      " ",
    );
    const { body } = await post(client, { query: `{ ${aliases} }` });
    expect(body.errors[0].message).toMatch(/Aliases limit of 15 exceeded, found 16/);
  });

  test("refuses a batch of more than 10 operations", async ({ db }) => {
    const client = await createTestClient(db);
    const batch = Array.from({ length: 11 }, () => ({ query: "{ customers(first: 1) { totalCount } }" }));
    const { status, body } = await post(client, batch);
    expect(status).toBe(413);
    expect(JSON.stringify(body)).toMatch(/Batching is limited to 10 operations per request/);
  });

  test("answers a batch within the limit", async ({ db }) => {
    const client = await createTestClient(db);
    const batch = Array.from({ length: 3 }, () => ({ query: "{ customers(first: 1) { totalCount } }" }));
    const { status, body } = await post(client, batch);
    expect(status).toBe(200);
    expect(body).toHaveLength(3);
  });
});
