// The connector part of the API as the tests drive it: a hub (yoga, in-process) with the template
// plugin, the test key and a sync engine, and clients holding keys of any role.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { onTestFinished } from "vitest";
import template from "../../../plugins/template/index.ts";
import { type CreateApiKeyInput, createApiKey } from "../../../src/auth/api-keys.ts";
import {
  type ConnectorServices,
  createConnectorServices,
} from "../../../src/connectors/connector-services.ts";
import type { Database } from "../../../src/db/database.ts";
import { createLogger } from "../../../src/logger.ts";
import { createHubYoga } from "../../../src/server/create-yoga.ts";
import type { GraphResult } from "../../helpers/graphql.ts";
import { SECRET_KEY, testEngine } from "./hub.ts";

/** A hub with the template plugin, the test key and an engine; clients hold keys of any role. */
export function connectorHub(db: Database, services: Partial<ConnectorServices> = {}) {
  const engine = testEngine(db.prisma);
  onTestFinished(() => engine.close());
  const connectors = {
    ...createConnectorServices({ plugins: [template], secretKey: SECRET_KEY, engine }),
    ...services,
  };
  const yoga = createHubYoga({ database: db, logger: createLogger("silent"), connectors });
  return {
    engine,
    async client(role: CreateApiKeyInput["role"] = "ADMIN", scopes: CreateApiKeyInput["scopes"] = ["pii"]) {
      const { key } = await createApiKey(db.prisma, {
        principal: { name: role },
        name: "test",
        role,
        scopes,
      });
      return async <TResult, TVariables>(
        document: TypedDocumentNode<TResult, TVariables>,
        ...[variables]: Record<string, never> extends TVariables ? [TVariables?] : [TVariables]
      ): Promise<GraphResult<TResult>> => {
        const response = await yoga.fetch("http://cx-hub.test/graphql", {
          method: "POST",
          headers: {
            authorization: `Bearer ${key}`,
            "content-type": "application/json",
            accept: "application/graphql-response+json",
          },
          body: JSON.stringify({ query: print(document), variables }),
        });
        return (await response.json()) as GraphResult<TResult>;
      };
    },
  };
}
