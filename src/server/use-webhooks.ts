// GET and POST /webhooks/<connector name>: providers call these, authenticated by their signatures
// (checked by the connector's plugin), not by API keys. Everything else passes through to GraphQL.
import type { Plugin } from "graphql-yoga";
import { handleWebhook, type WebhookHandlerOptions } from "../connectors/webhooks/handle-webhook.ts";

const WEBHOOK_PATH = /^\/webhooks\/([^/]+)\/?$/;

export function useWebhooks(
  options: Omit<WebhookHandlerOptions, "secretKey"> & { secretKey: Uint8Array | null },
): Plugin {
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
      if (!options.secretKey) {
        // Connector credentials (webhook signing secrets among them) cannot be read without the key.
        endResponse(
          new Response(
            "This hub has no CXHUB_SECRET_KEY, so it cannot verify webhooks: set it and restart.\n",
            {
              status: 503,
            },
          ),
        );
        return;
      }
      endResponse(
        await handleWebhook(
          { ...options, secretKey: options.secretKey },
          decodeURIComponent(match[1] ?? ""),
          request,
        ),
      );
    },
  };
}
