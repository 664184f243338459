// Runs typed operations (test/generated/graphql, from schema/operations) against the real server,
// in-process through yoga's fetch: the same HTTP handling a client gets, without a socket.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import type { Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/logger.ts";
import { createHubYoga } from "../../src/server/create-server.ts";

export interface GraphResult<T> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export function createTestClient(database: Database) {
  const yoga = createHubYoga({ database, logger: createLogger("silent") });
  return {
    yoga,
    async execute<TResult, TVariables>(
      document: TypedDocumentNode<TResult, TVariables>,
      ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
    ): Promise<GraphResult<TResult>> {
      const response = await yoga.fetch("http://cx-hub.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
        body: JSON.stringify({ query: print(document), variables }),
      });
      return (await response.json()) as GraphResult<TResult>;
    },
  };
}
