// Runs typed operations (test/generated/graphql, from schema/operations) against the real server,
// in-process through yoga's fetch: the same HTTP handling and authentication a client gets, without
// a socket. Each client holds a real API key created in the test's database.

import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { type CreateApiKeyInput, createApiKey } from "../../src/auth/api-keys.ts";
import type { Clock } from "../../src/clock.ts";
import type { ConnectorServices } from "../../src/connectors/connector-services.ts";
import type { Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/logger.ts";
import type { ScoringPolicy } from "../../src/policy/scoring-policy.ts";
import type { WebhookSettings } from "../../src/policy/webhook-settings.ts";
import { createHubYoga } from "../../src/server/create-yoga.ts";

export interface GraphResult<T> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export interface TestClientOptions {
  role?: CreateApiKeyInput["role"];
  scopes?: CreateApiKeyInput["scopes"];
  /** An existing principal to hold the key (an account manager who owns customers). */
  principalId?: string;
  /** The server's clock; the machine's when omitted. */
  clock?: Clock;
  /** The server's scoring policy; the defaults when omitted. */
  scoringPolicy?: ScoringPolicy;
  /** The server's connector services (their secret key also keeps webhook secrets); none when omitted. */
  connectors?: ConnectorServices;
  /** The server's outgoing webhook settings; the defaults when omitted. */
  webhooks?: WebhookSettings;
}

export async function createTestClient(database: Database, options: TestClientOptions = {}) {
  const yoga = createHubYoga({
    database,
    logger: createLogger("silent"),
    ...(options.clock && { clock: options.clock }),
    ...(options.scoringPolicy && { scoringPolicy: options.scoringPolicy }),
    ...(options.connectors && { connectors: options.connectors }),
    ...(options.webhooks && { webhooks: options.webhooks }),
  });
  const { key, principal } = await createApiKey(database.prisma, {
    principal: options.principalId ? { id: options.principalId } : { name: "Test caller" },
    name: "test key",
    role: options.role ?? "ADMIN",
    scopes: options.scopes ?? ["pii"],
  });
  return {
    yoga,
    key,
    principal,
    /** Sends a raw HTTP request to the server, with this client's key unless headers say otherwise. */
    fetch(path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("authorization")) headers.set("authorization", `Bearer ${key}`);
      return yoga.fetch(`http://cx-hub.test${path}`, { ...init, headers });
    },
    async execute<TResult, TVariables>(
      document: TypedDocumentNode<TResult, TVariables>,
      // Optional when every variable is (no variables, or only optional ones).
      ...[variables]: Record<string, never> extends TVariables ? [TVariables?] : [TVariables]
    ): Promise<GraphResult<TResult>> {
      const response = await this.fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
        body: JSON.stringify({ query: print(document), variables }),
      });
      return (await response.json()) as GraphResult<TResult>;
    },
  };
}
