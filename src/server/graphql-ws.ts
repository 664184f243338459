// GraphQL over WebSocket (the graphql-transport-ws protocol, graphql-ws's server) on the HTTP
// server's own port and path, /graphql. Operations run through yoga's envelope, so they get the same
// schema, context, limits and error masking as HTTP. The API key comes in the connection_init
// payload (`authorization: "Bearer <key>"` or `apiKey`), or in the upgrade request's headers for
// clients that can set them; a connection without a valid key is closed with 4401 and a reason that
// says what to do (a close reason holds at most 123 bytes, so these are shorter than the HTTP ones).
import type { Server } from "node:http";
import type { ExecutionArgs } from "graphql";
import type { OperationResult } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { type AuthenticationFailure, authenticateApiKey, type Viewer } from "../auth/api-keys.ts";
import type { Db } from "../db/database.ts";
import type { HubYoga } from "./create-server.ts";

const CLOSE_REASONS: Record<AuthenticationFailure, string> = {
  missing:
    'Send your API key: connection_init payload {"authorization": "Bearer <key>"}, or an Authorization header.',
  malformed: "The API key is malformed: a key looks like cxh_<12 letters or digits>_<43 characters>.",
  unknown: "The API key is not recognised: check that it was copied whole, or ask an admin for a new one.",
  revoked: "The API key was revoked: ask an admin for a new one.",
  expired: "The API key has expired: ask an admin for a new one.",
};

/** The close code for a connection without a valid API key (graphql-ws's Unauthorized). */
export const UNAUTHENTICATED_CLOSE_CODE = 4401;

type ConnectionExtra = { viewer?: Viewer };

export function attachGraphqlWebSocket({
  server,
  yoga,
  db,
  path,
}: {
  server: Server;
  yoga: HubYoga;
  db: Db;
  path: string;
}): { close(): Promise<void> } {
  // graphql-transport-ws messages are small; ws would otherwise accept 100 MiB frames.
  const wsServer = new WebSocketServer({ server, path, maxPayload: 1024 * 1024 });
  const graphqlWs = useServer<Record<string, unknown>, ConnectionExtra>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onConnect: async (context) => {
        const result = await authenticateApiKey(
          db,
          presentedKey(context.connectionParams, context.extra.request.headers),
        );
        if ("failure" in result) {
          context.extra.socket.close(UNAUTHENTICATED_CLOSE_CODE, CLOSE_REASONS[result.failure]);
          return false;
        }
        context.extra.viewer = result.viewer;
        return true;
      },
      onSubscribe: async (context, _id, payload) => {
        const enveloped = yoga.getEnveloped({
          viewer: context.extra.viewer,
          params: payload,
          req: context.extra.request,
          socket: context.extra.socket,
        });
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document: enveloped.parse(payload.query),
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        const errors = enveloped.validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wsServer,
  );
  return { close: () => graphqlWs.dispose() as Promise<void> };
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

function presentedKey(
  params: Readonly<Record<string, unknown>> | undefined,
  headers: Record<string, string | string[] | undefined>,
): string | null {
  const bearer = (value: unknown) =>
    typeof value === "string" && value.toLowerCase().startsWith("bearer ") ? value.slice(7).trim() : null;
  const authorization = params?.authorization ?? params?.Authorization;
  if (typeof authorization === "string") return bearer(authorization) ?? authorization.trim();
  if (typeof params?.apiKey === "string") return params.apiKey;
  const header = headers.authorization;
  if (typeof header === "string") return bearer(header);
  const apiKeyHeader = headers["x-api-key"];
  return typeof apiKeyHeader === "string" ? apiKeyHeader : null;
}
