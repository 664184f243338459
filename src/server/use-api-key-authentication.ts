// Every GraphQL request carries an API key (`Authorization: Bearer cxh_…` or `X-API-Key: cxh_…`).
// Without a valid one the answer is 401 before any GraphQL work. The GraphiQL page itself (a GET
// asking for HTML) is public so a person can open it and paste their key into its headers.
// Failed keys are counted per client address and per key prefix: past the limit, the answer is 429
// before the database is asked. With a limit per key, a valid key past it gets 429 too.
import type { Plugin } from "graphql-yoga";
import type { AuthenticateApiKey } from "../auth/api-key-cache.ts";
import { type AuthenticationFailure, keyPrefixOf, type Viewer } from "../auth/api-keys.ts";
import type { ClientAddress } from "./client-address.ts";
import { errorResponse, retryAfterSeconds, tooManyRequestsResponse } from "./failure-responses.ts";
import type { RateLimits } from "./rate-limits.ts";

const viewers = new WeakMap<Request, Viewer>();

/** The viewer the plugin authenticated for this request. */
export function viewerOf(request: Request): Viewer | undefined {
  return viewers.get(request);
}

const ADVICE: Record<AuthenticationFailure, string> = {
  missing:
    "This API needs an API key: send it as `Authorization: Bearer <key>`. An admin creates keys with `npm run apikey -- create`.",
  malformed: "The API key is malformed: a key looks like cxh_<12 letters or digits>_<43 characters>.",
  unknown: "The API key is not recognised: check that it was copied whole, or ask an admin for a new one.",
  revoked: "The API key was revoked: ask an admin for a new one.",
  expired: "The API key has expired: ask an admin for a new one.",
};

export function useApiKeyAuthentication({
  authenticate,
  graphqlEndpoint,
  rateLimits,
  clientAddress,
}: {
  /** Checks a key: from the validated-key cache on a server, from the database in tests. */
  authenticate: AuthenticateApiKey;
  graphqlEndpoint: string;
  rateLimits: RateLimits;
  /** The client's address from the socket's and X-Forwarded-For (from trusted proxies only). */
  clientAddress: ClientAddress;
}): Plugin {
  return {
    async onRequest({ request, url, endResponse, serverContext }) {
      if (!servedAsGraphql(request, url, graphqlEndpoint)) return;
      if (request.method === "GET" && request.headers.get("accept")?.includes("text/html")) return;
      const key = presentedKey(request);
      if (!key) return endResponse(unauthenticated("missing"));
      const address = clientAddress(socketAddressOf(serverContext), request.headers.get("x-forwarded-for"));
      const prefix = keyPrefixOf(key);
      const blocked = await rateLimits.addressBlock(address);
      if (blocked !== null) {
        return endResponse(
          tooManyRequestsResponse(
            `Too many failed API keys came from this address: retry in ${retryAfterSeconds(blocked)} s, with a valid key.`,
            blocked,
          ),
        );
      }
      const result = await authenticate(key);
      if ("failure" in result) {
        const guessed = prefix ? await rateLimits.keyPrefixBlock(prefix) : null;
        await rateLimits.recordFailedAuthentication(address, prefix);
        if (guessed !== null) {
          return endResponse(
            tooManyRequestsResponse(
              `Too many wrong keys for this key's prefix: retry in ${retryAfterSeconds(guessed)} s, with the key itself.`,
              guessed,
            ),
          );
        }
        return endResponse(unauthenticated(result.failure));
      }
      const overLimit = await rateLimits.consumeRequest(result.viewer.apiKeyId);
      if (overLimit !== null) {
        return endResponse(
          tooManyRequestsResponse(
            `This API key is over its request limit: retry in ${retryAfterSeconds(overLimit)} s, or ask an admin to raise CXHUB_REQUEST_LIMIT_PER_KEY.`,
            overLimit,
          ),
        );
      }
      viewers.set(request, result.viewer);
    },
  };
}

function unauthenticated(failure: AuthenticationFailure): Response {
  return errorResponse(401, "UNAUTHENTICATED", ADVICE[failure], {
    "www-authenticate": 'Bearer realm="cx-hub"',
  });
}

/**
 * Whether yoga will run GraphQL for this request: it serves the endpoint with or without a trailing
 * slash, and any URL that ends with it (its unhandled-route rule). Each of these is authenticated;
 * checking the path alone let `POST /graphql/` reach the schema without a viewer.
 */
function servedAsGraphql(request: Request, url: URL, endpoint: string): boolean {
  return (
    url.pathname === endpoint ||
    url.pathname === `${endpoint}/` ||
    request.url.endsWith(endpoint) ||
    request.url.endsWith(`${endpoint}/`)
  );
}

/** The address of the socket's other end, as node's HTTP adapter passes it (behind a proxy, the proxy's). */
function socketAddressOf(serverContext: unknown): string | undefined {
  const req = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req;
  return req?.socket?.remoteAddress;
}

function presentedKey(request: Request): string | null {
  const authorization = request.headers.get("authorization");
  if (authorization?.toLowerCase().startsWith("bearer ")) return authorization.slice(7).trim();
  return request.headers.get("x-api-key");
}
