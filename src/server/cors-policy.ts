// Which browser pages may call the API: only the origins in CXHUB_CORS_ORIGINS, none by default.
// The API authenticates with keys in a header, never cookies, so no credentials are allowed: a page
// of another origin can act only with a key its user pasted in.
import type { CORSOptions } from "graphql-yoga";

const ALLOWED_HEADERS = ["authorization", "x-api-key", "content-type", "accept"];

/**
 * yoga's `cors` option: headers for an allowed origin; for any other origin none, so the browser
 * refuses the page the answer (a preflight still gets its empty 204, without the headers).
 */
export function corsPolicy(allowedOrigins: readonly string[]): (request: Request) => CORSOptions {
  const allowed = new Set(allowedOrigins);
  return (request) => {
    const origin = request.headers.get("origin");
    if (!origin || !allowed.has(origin)) return false;
    return {
      origin: [origin],
      methods: ["GET", "POST"],
      allowedHeaders: ALLOWED_HEADERS,
      credentials: false,
      maxAge: 600,
    };
  };
}
