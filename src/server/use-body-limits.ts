// The largest request body the server reads: past it, 413 with a typed GraphQL error, before anything
// parses the body (yoga's JSON parser). A declared Content-Length over the
// limit is refused unread; a body without one (chunked) is read only up to the limit, then refused.
// Without this, one request could make the server hold gigabytes before any other limit looked at it.
import type { Plugin } from "graphql-yoga";
import type { BodyLimits } from "../config.ts";
import { readBounded } from "../streams/read-bounded.ts";
import { errorResponse } from "./failure-responses.ts";
import { WEBHOOK_PATH } from "./use-webhooks.ts";

function tooLarge(maxBytes: number): Response {
  return errorResponse(
    413,
    "PAYLOAD_TOO_LARGE",
    `The request body is larger than ${maxBytes} bytes: send a smaller one (split the operation, or pass fewer or smaller variables).`,
  );
}

/** Bodies outside /webhooks/ (whose handler applies `maxWebhookBytes`) are held to `maxBytes`. */
export function useBodyLimits(limits: BodyLimits): Plugin {
  return {
    // Not async: a body within its declared length (nearly every request) is decided at once.
    onRequest({ request, url, setRequest, endResponse }) {
      // Webhooks are read, within their own limit, by their handler (handle-webhook.ts). Exactly the
      // paths it serves: yoga answers GraphQL on any path ending in /graphql, /webhooks/x/graphql too.
      if (!request.body || WEBHOOK_PATH.test(url.pathname)) return;
      const { maxBytes } = limits;
      const declared = request.headers.get("content-length");
      if (declared !== null && /^\d+$/.test(declared.trim())) {
        // Node's HTTP parser delivers no more than a declared length: within the limit, nothing to do.
        if (Number(declared) <= maxBytes) return;
        return endResponse(tooLarge(maxBytes));
      }
      return readBounded(request.body, maxBytes).then((body) => {
        if (body === null) return endResponse(tooLarge(maxBytes));
        // The body was consumed: the rest of the server reads this copy of the request.
        setRequest(
          new Request(request.url, {
            method: request.method,
            headers: request.headers,
            body,
            signal: request.signal,
          }),
        );
      });
    },
  };
}
