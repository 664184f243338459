// GraphQL over WebSocket (the graphql-transport-ws protocol, graphql-ws's server) on the HTTP
// server's own port and path, /graphql. Operations run through yoga's envelope, so they get the same
// schema, context, limits and error masking as HTTP. The API key comes in the connection_init
// payload (`authorization: "Bearer <key>"` or `apiKey`), or in the upgrade request's headers for
// clients that can set them; a connection without a valid key is closed with 4401 and a reason that
// says what to do (a close reason holds at most 123 bytes, so these are shorter than the HTTP ones).
// A key revoked or expired while its socket is open stops working too: every subscribe checks it
// again, and the open sockets' keys are checked every minute; a socket whose key no longer holds is
// closed with 4401.
import type { Server } from "node:http";
import { type ExecutionArgs, GraphQLError } from "graphql";
import type { OperationResult } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import { type AuthenticationFailure, authenticateApiKey, type Viewer } from "../auth/api-keys.ts";
import type { Db } from "../db/database.ts";
import { withLogFields } from "../logger.ts";
import type { HubYoga } from "./create-yoga.ts";
import { REQUEST_ID_HEADER, requestIdFrom } from "./use-request-id.ts";

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

/** How often the keys of open sockets are checked again. */
export const REAUTHENTICATE_EVERY_MS = 60_000;

type ConnectionExtra = { viewer?: Viewer; apiKey?: string | null; requestId?: string };

export function attachGraphqlWebSocket({
  server,
  yoga,
  db,
  path,
  reauthenticateEveryMs = REAUTHENTICATE_EVERY_MS,
}: {
  server: Server;
  yoga: HubYoga;
  db: Db;
  path: string;
  reauthenticateEveryMs?: number;
}): { close(): Promise<void> } {
  // graphql-transport-ws messages are small; ws would otherwise accept 100 MiB frames.
  const wsServer = new WebSocketServer({ server, path, maxPayload: 1024 * 1024 });
  /** The key each authenticated socket presented. */
  const openKeys = new Map<WebSocket, string | null>();
  /** Closes the socket and says why, when its key no longer authenticates; true when it still does. */
  const stillValid = async (socket: WebSocket, key: string | null): Promise<boolean> => {
    const result = await authenticateApiKey(db, key);
    if (!("failure" in result)) return true;
    openKeys.delete(socket);
    socket.close(UNAUTHENTICATED_CLOSE_CODE, CLOSE_REASONS[result.failure]);
    return false;
  };
  const sweep = setInterval(async () => {
    const byKey = new Map<string | null, WebSocket[]>();
    for (const [socket, key] of openKeys) byKey.set(key, [...(byKey.get(key) ?? []), socket]);
    for (const [key, sockets] of byKey) {
      const [first, ...others] = sockets;
      if (first && !(await stillValid(first, key).catch(() => true))) {
        for (const socket of others) void stillValid(socket, key);
      }
    }
  }, reauthenticateEveryMs);
  sweep.unref();
  const graphqlWs = useServer<Record<string, unknown>, ConnectionExtra>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onConnect: async (context) => {
        const key = presentedKey(context.connectionParams, context.extra.request.headers);
        const result = await authenticateApiKey(db, key);
        if ("failure" in result) {
          context.extra.socket.close(UNAUTHENTICATED_CLOSE_CODE, CLOSE_REASONS[result.failure]);
          return false;
        }
        context.extra.viewer = result.viewer;
        context.extra.apiKey = key;
        // One id per connection, from its upgrade request as over HTTP: on the log lines of its operations.
        context.extra.requestId = requestIdFrom(
          context.extra.request.headers[REQUEST_ID_HEADER]?.toString() ?? null,
        );
        openKeys.set(context.extra.socket, key);
        context.extra.socket.once("close", () => openKeys.delete(context.extra.socket));
        return true;
      },
      onSubscribe: async (context, _id, payload) => {
        if (!(await stillValid(context.extra.socket, context.extra.apiKey ?? null))) {
          return [new GraphQLError("The API key no longer authenticates: reconnect with a valid key.")];
        }
        const logFields = { requestId: context.extra.requestId };
        const enveloped = yoga.getEnveloped({
          viewer: context.extra.viewer,
          params: payload,
          req: context.extra.request,
          socket: context.extra.socket,
        });
        // A document that does not parse or validate ends this subscription with its errors; thrown
        // out of onSubscribe, graphql-ws would close the whole socket (4500) instead.
        let document: ExecutionArgs["document"];
        try {
          document = enveloped.parse(payload.query);
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return errors;
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        return {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: {
            execute: (operation: ExecutionArgs) =>
              withLogFields(logFields, () => enveloped.execute(operation)),
            subscribe: (operation: ExecutionArgs) =>
              withLogFields(logFields, () => enveloped.subscribe(operation)),
          },
        } satisfies ExecutionArgs;
      },
    },
    wsServer,
  );
  return {
    close: async () => {
      clearInterval(sweep);
      await graphqlWs.dispose();
    },
  };
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
