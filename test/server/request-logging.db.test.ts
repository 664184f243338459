// What the log says about a request: every line written while serving it carries its request id
// (the caller's X-Request-Id when sane, a new one otherwise, echoed in the response), a client's
// mistake is an info line without a stack, and a bug is an error line with its stack.
import { locatedError } from "graphql";
import { describe, expect } from "vitest";
import { startLiveAlerts } from "../../src/alerts/live-alerts.ts";
import { createApiKey } from "../../src/auth/api-keys.ts";
import { NotFoundError } from "../../src/domain/errors.ts";
import { createLogger } from "../../src/logger.ts";
import { startHubServer } from "../../src/server/create-server.ts";
import { createHubYoga } from "../../src/server/create-yoga.ts";
import { createYogaLogger } from "../../src/server/yoga-logger.ts";
import { createKey, subscribeOverWebSocket } from "../alerts/helpers/live-hub.ts";
import { ChurnRiskAlertsDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";

function memoryLogger() {
  const written: string[] = [];
  const logger = createLogger("debug", { destination: { write: (line: string) => written.push(line) } });
  return { logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("request logging", () => {
  test("a client's mistake is logged at info without a stack, under the caller's request id", async ({
    db,
  }) => {
    const { logger, lines } = memoryLogger();
    const yoga = createHubYoga({ database: db, logger });
    const { key } = await createApiKey(db.prisma, {
      principal: { name: "Caller" },
      name: "k",
      role: "ADMIN",
    });
    const ask = (requestId?: string) =>
      yoga.fetch("http://cx-hub.test/graphql", {
        method: "POST",
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/json",
          ...(requestId && { "x-request-id": requestId }),
        },
        // Neither id nor identity: the resolver throws a ValidationError.
        body: JSON.stringify({ query: "query Lookup { customer { id } }" }),
      });

    const response = await ask("trace-7f3a.01:edge/2");
    expect(response.headers.get("x-request-id")).toBe("trace-7f3a.01:edge/2");
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe("BAD_USER_INPUT");

    const ours = lines().filter((line) => line.requestId === "trace-7f3a.01:edge/2");
    const refusal = ours.find((line) => String(line.msg).startsWith("Client error BAD_USER_INPUT"));
    expect(refusal).toMatchObject({ level: "info", code: "BAD_USER_INPUT", path: "customer" });
    expect(refusal).not.toHaveProperty("err");
    expect(lines().filter((line) => line.level === "error")).toEqual([]);
    // Every line written while serving the request carries its id; none is left without.
    expect(lines().every((line) => line.requestId === "trace-7f3a.01:edge/2")).toBe(true);
  });

  test("an unsafe or missing request id is replaced by a new one, echoed and logged", async ({ db }) => {
    const { logger, lines } = memoryLogger();
    const yoga = createHubYoga({ database: db, logger });
    const { key } = await createApiKey(db.prisma, {
      principal: { name: "Caller" },
      name: "k",
      role: "ADMIN",
    });
    const echoed: string[] = [];
    for (const offered of ["<script>alert(1)</script>", "x".repeat(129), undefined]) {
      const response = await yoga.fetch("http://cx-hub.test/graphql", {
        method: "POST",
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/json",
          ...(offered && { "x-request-id": offered }),
        },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(response.status).toBe(200);
      echoed.push(response.headers.get("x-request-id") ?? "");
    }
    for (const id of echoed) expect(id).toMatch(UUID);
    expect(new Set(echoed).size).toBe(3);
    // yoga's debug lines of each request carry that request's id.
    expect(new Set(lines().map((line) => line.requestId))).toEqual(new Set(echoed));

    // A request refused before GraphQL (no key) is answered with an id too.
    const refused = await yoga.fetch("http://cx-hub.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "retry-42" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("x-request-id")).toBe("retry-42");
  });
});

describe("request logging over graphql-ws", () => {
  test("an operation's log lines carry its connection's id", async ({ db }) => {
    const { logger, lines } = memoryLogger();
    const live = await startLiveAlerts({ database: db, logger });
    const hub = await startHubServer({ database: db, logger, live, port: 0, host: "127.0.0.1" });
    try {
      const integrator = await createKey(db, "INTEGRATOR");
      const wsUrl = `${hub.url.replace(/^http/, "ws")}/graphql`;
      const refused = await subscribeOverWebSocket(wsUrl, integrator.key, ChurnRiskAlertsDocument, {});
      expect((await refused.next()).errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN" });
      refused.close();
      const refusal = lines().find((line) => String(line.msg).startsWith("Client error FORBIDDEN"));
      expect(refusal).toMatchObject({ level: "info", path: "churnRiskAlerts" });
      expect(refusal?.requestId).toMatch(UUID);
    } finally {
      await hub.close();
      await live.close();
    }
  });
});

describe("the yoga logger", () => {
  test("logs a domain error as the client's mistake and anything else as a bug with its stack", () => {
    const { logger, lines } = memoryLogger();
    const yogaLogger = createYogaLogger(logger);
    yogaLogger.error(
      locatedError(new NotFoundError("No journey has the key onboarding.", "Journey", "x"), undefined, [
        "journeyFunnel",
      ]),
    );
    yogaLogger.error(
      locatedError(new TypeError("Cannot read properties of undefined"), undefined, ["customers", 0]),
    );
    const [mistake, bug] = lines();
    expect(mistake).toMatchObject({
      level: "info",
      msg: "Client error NOT_FOUND: No journey has the key onboarding.",
      path: "journeyFunnel",
    });
    expect(mistake).not.toHaveProperty("err");
    expect(bug).toMatchObject({
      level: "error",
      msg: "Unexpected error while serving a request:",
      path: "customers.0",
      err: { type: "TypeError", message: "Cannot read properties of undefined" },
    });
    expect((bug?.err as { stack?: string } | undefined)?.stack).toMatch(
      /^TypeError: Cannot read properties of undefined\n\s+at /,
    );
  });
});
