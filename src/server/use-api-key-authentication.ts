// Every GraphQL request carries an API key (`Authorization: Bearer cxh_…` or `X-API-Key: cxh_…`).
// Without a valid one the answer is 401 before any GraphQL work. The GraphiQL page itself (a GET
// asking for HTML) is public so a person can open it and paste their key into its headers.
import type { Plugin } from "graphql-yoga";
import { type AuthenticationFailure, authenticateApiKey, type Viewer } from "../auth/api-keys.ts";
import type { Db } from "../db/database.ts";

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
  db,
  graphqlEndpoint,
}: {
  db: Db;
  graphqlEndpoint: string;
}): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== graphqlEndpoint) return;
      if (request.method === "GET" && request.headers.get("accept")?.includes("text/html")) return;
      const result = await authenticateApiKey(db, presentedKey(request));
      if ("viewer" in result) {
        viewers.set(request, result.viewer);
        return;
      }
      endResponse(
        new Response(
          JSON.stringify({
            errors: [{ message: ADVICE[result.failure], extensions: { code: "UNAUTHENTICATED" } }],
          }),
          {
            status: 401,
            headers: {
              "content-type": "application/graphql-response+json; charset=utf-8",
              "www-authenticate": 'Bearer realm="cx-hub"',
            },
          },
        ),
      );
    },
  };
}

function presentedKey(request: Request): string | null {
  const authorization = request.headers.get("authorization");
  if (authorization?.toLowerCase().startsWith("bearer ")) return authorization.slice(7).trim();
  return request.headers.get("x-api-key");
}
