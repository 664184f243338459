// The answers the server's doors give when they cannot serve a request: GraphQL-style JSON bodies
// (`{errors: [{message, extensions: {code}}]}`) that say what to do, never a stack trace, a file
// path or a driver's message. The failure itself goes to the log.
import { isThenable } from "@pothos/core";
import type { Plugin } from "graphql-yoga";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../db/database-errors.ts";
import type { Logger } from "../logger.ts";

const GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json; charset=utf-8";

/** A GraphQL-style error answer with a status, a code a client can switch on and a sentence. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { "content-type": GRAPHQL_RESPONSE_TYPE, ...headers },
  });
}

/** 503 with Retry-After: the database (or another service the hub needs) cannot be reached now. */
export function serviceUnavailableResponse(): Response {
  return errorResponse(503, "SERVICE_UNAVAILABLE", DATABASE_UNAVAILABLE.message, {
    "retry-after": String(DATABASE_UNAVAILABLE.retryAfterSeconds),
  });
}

/** 429 with Retry-After (whole seconds, at least 1). */
export function tooManyRequestsResponse(message: string, retryAfterMs: number): Response {
  return errorResponse(429, "RATE_LIMITED", message, {
    "retry-after": String(retryAfterSeconds(retryAfterMs)),
  });
}

export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The answer to a failure that escaped a door: 503 when the database is unreachable (logged as a
 * warning: it is the infrastructure, not a bug), else 500 with nothing internal (logged as an error).
 */
export function failureResponse(error: unknown, logger: Logger): Response {
  if (isDatabaseUnavailable(error)) {
    logger.warn("Answered 503: the database is unreachable.", error);
    return serviceUnavailableResponse();
  }
  logger.error("A request failed before GraphQL could answer it:", error);
  return errorResponse(
    500,
    "INTERNAL_SERVER_ERROR",
    "The hub failed to answer this request; the failure is logged. Retry, and tell an admin if it persists.",
  );
}

/**
 * The plugin with its onRequest guarded: a failure there would otherwise reach the HTTP adapter,
 * which answers a text/plain 500 carrying the error's stack. A door that decides at once (a request
 * not for it) is answered at once, without a promise: every request passes every door, and each
 * promise of a request is work (issue 15).
 */
export function answeringFailures<P extends Plugin>(plugin: P, logger: Logger): P {
  const { onRequest } = plugin;
  if (!onRequest) return plugin;
  return {
    ...plugin,
    onRequest(payload) {
      const answer = (error: unknown) => payload.endResponse(failureResponse(error, logger));
      try {
        const done = onRequest(payload);
        if (isThenable(done)) return Promise.resolve(done).then(() => undefined, answer);
      } catch (error) {
        answer(error);
      }
    },
  };
}
