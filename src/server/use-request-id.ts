// Every HTTP request gets an id: the caller's X-Request-Id when it is a sane one (what a proxy or a
// client would send: up to 128 letters, digits and . _ : / + = -), else a new UUID. The response
// echoes it in X-Request-Id, and every log line written while serving the request carries it as
// `requestId` (the hub's logger reads it from withLogFields), so a caller's complaint, a proxy's
// log and the hub's log lines can be matched up.
import { randomUUID } from "node:crypto";
import type { Plugin } from "graphql-yoga";
import { currentLogFields, withLogFields } from "../logger.ts";

export const REQUEST_ID_HEADER = "x-request-id";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;

/** The caller's id when it is safe to echo and to log; a new one otherwise. */
export function requestIdFrom(header: string | null): string {
  const offered = header?.trim();
  return offered && SAFE_REQUEST_ID.test(offered) ? offered : randomUUID();
}

export function useRequestId(): Plugin {
  return {
    instrumentation: {
      // Around the whole handling of the request, the other plugins' hooks included.
      request: ({ request }, handle) =>
        withLogFields({ requestId: requestIdFrom(request.headers.get(REQUEST_ID_HEADER)) }, handle),
    },
    onResponse({ response }) {
      const { requestId } = currentLogFields();
      if (typeof requestId === "string") response.headers.set(REQUEST_ID_HEADER, requestId);
    },
  };
}
