// `/ready` answers from the readiness check on its own path, with or without a query string, and
// nothing else is answered by it: GraphQL requests go on to the schema, and the check is not asked.
import { createSchema, createYoga } from "graphql-yoga";
import { describe, expect, test } from "vitest";
import { useReadinessEndpoint } from "../../src/server/use-readiness-endpoint.ts";

function yogaWith(check: () => Promise<true | Response>) {
  let checks = 0;
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: "type Query { hello: String }",
      resolvers: { Query: { hello: () => "hi" } },
    }),
    plugins: [
      useReadinessEndpoint({
        endpoint: "/ready",
        check: () => {
          checks++;
          return check();
        },
      }),
    ],
  });
  return { yoga, checks: () => checks };
}

describe("the readiness endpoint", () => {
  test("answers 200 on /ready while the check says ready, with or without a query string", async () => {
    const { yoga, checks } = yogaWith(async () => true);
    expect((await yoga.fetch("http://hub.test/ready")).status).toBe(200);
    expect((await yoga.fetch("http://hub.test/ready?probe=kubelet")).status).toBe(200);
    expect(checks()).toBe(2);
  });

  test("answers with the check's own response when not ready", async () => {
    const { yoga } = yogaWith(async () => Response.json({ error: "not ready" }, { status: 503 }));
    const response = await yoga.fetch("http://hub.test/ready");
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: "not ready" });
  });

  test("leaves every other path alone, without asking the check", async () => {
    const { yoga, checks } = yogaWith(async () => true);
    const response = await yoga.fetch("http://hub.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ hello }" }),
    });
    expect(await response.json()).toEqual({ data: { hello: "hi" } });
    expect((await yoga.fetch("http://hub.test/ready/later")).status).toBe(404);
    expect(checks()).toBe(0);
  });
});
