// GET /metrics: the hub's Prometheus metrics (src/metrics). Open to whoever reaches the port unless
// CXHUB_METRICS_TOKEN is set; then it answers only `Authorization: Bearer <token>` (Prometheus's
// `authorization` scrape setting), compared in constant time. API keys are not asked for: a scraper
// is not a person with a role, and a token of its own can be rotated without touching anyone's key.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Plugin } from "graphql-yoga";
import type { HubMetrics } from "../metrics/hub-metrics.ts";

export const METRICS_ENDPOINT = "/metrics";

export function useMetricsEndpoint({
  metrics,
  token,
}: {
  metrics: HubMetrics;
  token: string | null;
}): Plugin {
  const expected = token === null ? null : digest(token);
  return {
    // Not async: every request passes here, and only /metrics waits on anything.
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== METRICS_ENDPOINT) return;
      if (request.method !== "GET") {
        endResponse(new Response("Use GET.\n", { status: 405, headers: { allow: "GET" } }));
        return;
      }
      if (expected && !presents(request, expected)) {
        endResponse(
          new Response("Send the metrics token (CXHUB_METRICS_TOKEN) as Authorization: Bearer <token>.\n", {
            status: 401,
            headers: { "www-authenticate": 'Bearer realm="cx-hub metrics"' },
          }),
        );
        return;
      }
      return metrics
        .scrape()
        .then(({ contentType, body }) =>
          endResponse(
            new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } }),
          ),
        );
    },
  };
}

// Digests have one length, so the comparison takes the same time whatever was sent.
function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function presents(request: Request, expected: Buffer): boolean {
  const authorization = request.headers.get("authorization") ?? "";
  const sent = authorization.toLowerCase().startsWith("bearer ") ? authorization.slice(7).trim() : "";
  return timingSafeEqual(digest(sent), expected);
}
