// GraphQL over WebSocket (the graphql-transport-ws protocol, graphql-ws's server) on the HTTP
// server's own port and path, /graphql. Operations run through yoga's envelope, so they get the same
// schema, context, limits and error masking as HTTP. The API key comes in the connection_init
// payload (`authorization: "Bearer <key>"` or `apiKey`), or in the upgrade request's headers for
// clients that can set them; a connection without a valid key is closed with 4401 and a reason that
// says what to do (a close reason holds at most 123 bytes, so these are shorter than the HTTP ones).
// A key revoked or expired while its socket is open stops working too: every subscribe checks it
// again, and the open sockets' keys are checked every minute; a socket whose key no longer holds is
// closed with 4401. A check the database cannot answer never ends the process: a connecting socket
// is closed with 1013 (try again later), a subscribe gets SERVICE_UNAVAILABLE, the sweep logs it.
// Failed keys count towards the same rate limits as over HTTP (4429 past them).
import type { Server } from "node:http";
import { type ExecutionArgs, GraphQLError } from "graphql";
import type { OperationResult } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import type { AuthenticateApiKey } from "../auth/api-key-cache.ts";
import { type AuthenticationFailure, keyPrefixOf, type Viewer } from "../auth/api-keys.ts";
import { DEFAULT_BODY_LIMITS } from "../config.ts";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../db/database-errors.ts";
import { type Logger, withLogFields } from "../logger.ts";
import { type ClientAddress, createClientAddress } from "./client-address.ts";
import type { HubYoga } from "./create-yoga.ts";
import { retryAfterSeconds } from "./failure-responses.ts";
import type { RateLimits } from "./rate-limits.ts";
import { createSharedNextMessages } from "./shared-next-messages.ts";
import { REQUEST_ID_HEADER, requestIdFrom } from "./use-request-id.ts";

type AuthenticationResult = Awaited<ReturnType<AuthenticateApiKey>>;

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

/**
 * The close code for a connection that cannot be authenticated because the database is away:
 * 1013, "Try Again Later" in the WebSocket registry, so clients reconnect after a pause.
 */
export const TRY_AGAIN_LATER_CLOSE_CODE = 1013;

/** The close code for a client that failed too many keys (429's counterpart). */
export const RATE_LIMITED_CLOSE_CODE = 4429;

/** graphql-ws's close code for a failure of the server. */
const INTERNAL_ERROR_CLOSE_CODE = 4500;

export function attachGraphqlWebSocket({
  server,
  yoga,
  authenticate,
  path,
  logger,
  rateLimits,
  clientAddress = createClientAddress([]),
  reauthenticateEveryMs = REAUTHENTICATE_EVERY_MS,
  maxMessageBytes = DEFAULT_BODY_LIMITS.maxBytes,
}: {
  server: Server;
  yoga: HubYoga;
  /** Checks a key, as HTTP requests are checked (the same validated-key cache). */
  authenticate: AuthenticateApiKey;
  path: string;
  logger: Logger;
  rateLimits: RateLimits;
  /** Who the client is behind trusted proxies (CXHUB_TRUSTED_PROXIES); the socket's peer when omitted. */
  clientAddress?: ClientAddress;
  reauthenticateEveryMs?: number;
  /**
   * The largest message a client may send (CXHUB_MAX_BODY_BYTES, as for HTTP bodies): a subscribe
   * carries the same query and variables a POST would. ws would otherwise accept 100 MiB frames;
   * past the cap it closes the socket with 1009 (Message Too Big).
   */
  maxMessageBytes?: number;
}): { close(): Promise<void> } {
  const wsServer = new WebSocketServer({ server, path, maxPayload: maxMessageBytes });
  /** The key each authenticated socket presented. */
  const openKeys = new Map<WebSocket, string | null>();
  /**
   * Checks a key again; never rejects. A check that could not be made (the database is away) is
   * logged and reported as such: it is no evidence that the key stopped holding.
   */
  const recheck = async (key: string | null): Promise<AuthenticationResult | { error: unknown }> => {
    try {
      return await authenticate(key);
    } catch (error) {
      logFailure(logger, "Could not check an API key of an open WebSocket", error);
      return { error };
    }
  };
  const closeUnauthenticated = (socket: WebSocket, failure: AuthenticationFailure) => {
    openKeys.delete(socket);
    socket.close(UNAUTHENTICATED_CLOSE_CODE, CLOSE_REASONS[failure]);
  };
  // One check per key, whatever the number of its sockets; sockets stay open when it cannot be made.
  const sweep = setInterval(async () => {
    const byKey = new Map<string | null, WebSocket[]>();
    for (const [socket, key] of openKeys) byKey.set(key, [...(byKey.get(key) ?? []), socket]);
    for (const [key, sockets] of byKey) {
      const result = await recheck(key);
      if ("failure" in result) for (const socket of sockets) closeUnauthenticated(socket, result.failure);
    }
  }, reauthenticateEveryMs);
  sweep.unref();
  // A live event shared by many subscribers is serialised once, not per socket.
  const sharedNextMessages = createSharedNextMessages();
  wsServer.on("connection", (socket) => {
    logProtocolViolationsAsClientMistakes(socket, logger);
    sharedNextMessages.attach(socket);
  });
  const graphqlWs = useServer<Record<string, unknown>, ConnectionExtra>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onNext: (context, id, _payload, _args, result) =>
        sharedNextMessages.onNext(context.extra.socket, id, result),
      onConnect: async (context) => {
        const { socket, request } = context.extra;
        const key = presentedKey(context.connectionParams, request.headers);
        const forwardedFor = request.headers["x-forwarded-for"];
        const address = clientAddress(
          request.socket.remoteAddress,
          Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor,
        );
        const prefix = keyPrefixOf(key);
        let result: AuthenticationResult;
        try {
          const blocked = key ? await rateLimits.addressBlock(address) : null;
          if (blocked !== null) {
            socket.close(
              RATE_LIMITED_CLOSE_CODE,
              `Too many failed API keys: retry in ${retryAfterSeconds(blocked)} s, with a valid key.`,
            );
            return false;
          }
          result = await authenticate(key);
          if ("failure" in result && key) {
            const guessed = prefix ? await rateLimits.keyPrefixBlock(prefix) : null;
            await rateLimits.recordFailedAuthentication(address, prefix);
            if (guessed !== null) {
              socket.close(
                RATE_LIMITED_CLOSE_CODE,
                `Too many wrong keys for this key's prefix: retry in ${retryAfterSeconds(guessed)} s, with the key itself.`,
              );
              return false;
            }
          }
        } catch (error) {
          closeForFailure(socket, logger, error);
          return false;
        }
        if ("failure" in result) {
          socket.close(UNAUTHENTICATED_CLOSE_CODE, CLOSE_REASONS[result.failure]);
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
        const check = await recheck(context.extra.apiKey ?? null);
        if ("error" in check) {
          // This operation is refused; the socket and its other subscriptions carry on.
          return [unavailableError(check.error)];
        }
        if ("failure" in check) {
          closeUnauthenticated(context.extra.socket, check.failure);
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

/**
 * A frame that breaks the WebSocket protocol (over the size cap, a bad opcode, invalid UTF-8) is the
 * client's mistake: ws has already closed the socket with the code that says so (1009, 1002, 1007)
 * when it emits the error. graphql-ws would print such errors to stderr as "Internal error … check
 * your implementation" and try to close the socket again; they are logged at info instead, once.
 * Registered before graphql-ws's own listener, so it sees the socket first.
 */
function logProtocolViolationsAsClientMistakes(socket: WebSocket, logger: Logger): void {
  const emit = socket.emit.bind(socket);
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    const [error] = args;
    if (event === "error" && isProtocolViolation(error)) {
      logger.info(`Closed a WebSocket that broke the protocol: ${error.message}`);
      return true;
    }
    return emit(event, ...args);
  }) as WebSocket["emit"];
}

/** ws names the protocol violations it detects with codes starting WS_ERR_. */
function isProtocolViolation(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error) || !("code" in error)) return false;
  return typeof error.code === "string" && error.code.startsWith("WS_ERR_");
}

/** The answer to a subscribe whose key could not be checked. */
function unavailableError(error: unknown): GraphQLError {
  return isDatabaseUnavailable(error)
    ? new GraphQLError(DATABASE_UNAVAILABLE.message, { extensions: { code: "SERVICE_UNAVAILABLE" } })
    : new GraphQLError("The hub failed to check the API key; the failure is logged. Retry in a moment.", {
        extensions: { code: "INTERNAL_SERVER_ERROR" },
      });
}

/** Closes a connection that could not be authenticated with a code and a reason, nothing internal. */
function closeForFailure(socket: WebSocket, logger: Logger, error: unknown): void {
  logFailure(logger, "Could not authenticate a WebSocket connection", error);
  if (isDatabaseUnavailable(error)) {
    socket.close(
      TRY_AGAIN_LATER_CLOSE_CODE,
      "The hub cannot reach its database right now; reconnect in a few seconds.",
    );
  } else {
    socket.close(
      INTERNAL_ERROR_CLOSE_CODE,
      "The hub failed to authenticate; the failure is logged. Reconnect in a moment.",
    );
  }
}

function logFailure(logger: Logger, what: string, error: unknown): void {
  if (isDatabaseUnavailable(error)) logger.warn(`${what}: the database is unreachable.`, error);
  else logger.error(`${what}:`, error);
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
