// GET and POST /webhooks/<connector name>: providers call these, authenticated by their signatures
// (checked by the connector's plugin), not by API keys. Everything else passes through to GraphQL.
import type { Plugin } from "graphql-yoga";
import { handleWebhook, type WebhookHandlerOptions } from "../connectors/webhooks/handle-webhook.ts";

const WEBHOOK_PATH = /^\/webhooks\/([^/]+)\/?$/;

export function useWebhooks(options: WebhookHandlerOptions): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
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
      endResponse(await handleWebhook(options, decodeURIComponent(match[1] ?? ""), request));
    },
  };
}
