// GET and POST /webhooks/<connector name>: providers call these, authenticated by their signatures
// (checked by the connector's plugin), not by API keys. Everything else passes through to GraphQL.
import type { Plugin } from "graphql-yoga";
import { handleWebhook, type WebhookHandlerOptions } from "../connectors/webhooks/handle-webhook.ts";

/** The paths webhooks are served on; the body limits leave them to the webhook handler's own. */
export const WEBHOOK_PATH = /^\/webhooks\/([^/]+)\/?$/;

export function useWebhooks(options: WebhookHandlerOptions): Plugin {
  return {
    // Not async: every request passes here, and only a webhook waits on anything.
    onRequest({ request, url, endResponse }) {
      const match = WEBHOOK_PATH.exec(url.pathname);
      if (!match) return;
      if (request.method !== "POST" && request.method !== "GET") {
        endResponse(
          new Response("Webhooks are delivered with POST (GET for a provider's handshake).\n", {
            status: 405,
            headers: { allow: "GET, POST" },
          }),
        );
        return;
      }
      const name = decodedName(match[1] ?? "");
      if (name === null) {
        endResponse(
          Response.json(
            { error: "The connector name in the path is not valid percent-encoding." },
            { status: 400 },
          ),
        );
        return;
      }
      return handleWebhook(options, name, request).then(endResponse);
    },
  };
}

/** The connector name from the path; null when its percent-encoding is broken (a client's mistake). */
function decodedName(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
