// The server follows the GraphQL over HTTP specification: GET for queries, POST for everything,
// the application/graphql-response+json media type and its status codes.
import { describe, expect } from "vitest";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const RESPONSE_TYPE = "application/graphql-response+json";

describe("GraphQL over HTTP", () => {
  test("answers a query sent with GET", async ({ db }) => {
    const client = await createTestClient(db);
    const query = encodeURIComponent("{ customers(first: 1) { totalCount } }");
    const response = await client.fetch(`/graphql?query=${query}`, { headers: { accept: RESPONSE_TYPE } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(RESPONSE_TYPE);
    expect(await response.json()).toEqual({ data: { customers: { totalCount: 0 } } });
  });

  test("refuses a mutation sent with GET (405, with Allow: POST)", async ({ db }) => {
    const client = await createTestClient(db);
    const mutation = encodeURIComponent("mutation { __typename }");
    const response = await client.fetch(`/graphql?query=${mutation}`, { headers: { accept: RESPONSE_TYPE } });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  test("answers 400 for a document that does not parse or does not validate", async ({ db }) => {
    const client = await createTestClient(db);
    for (const query of ["{ customers(first: 1) {", "{ noSuchField }"]) {
      const response = await client.fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: RESPONSE_TYPE },
        body: JSON.stringify({ query }),
      });
      expect(response.status, query).toBe(400);
      expect((await response.json()).errors[0].message).toBeTruthy();
    }
  });

  test("answers 415 for a body that is not JSON", async ({ db }) => {
    const client = await createTestClient(db);
    const response = await client.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "text/plain", accept: RESPONSE_TYPE },
      body: "{ customers { totalCount } }",
    });
    expect(response.status).toBe(415);
  });

  test("still speaks application/json to clients that ask for it", async ({ db }) => {
    const client = await createTestClient(db);
    const response = await client.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: "{ customers(first: 1) { totalCount } }" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch("application/json");
  });
});
