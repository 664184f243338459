// The template connector, for Tiny Desk, a fictional help desk whose API is specified in README.md.
// Copy this folder to start a connector: it has a check, one incremental stream that checkpoints
// after every page, and signed webhooks that carry ticket changes and erasure requests, or ask for a
// sync when Tiny Desk only says that tickets changed.
import {
  bodyJson,
  checkpoint,
  defineConnector,
  identity,
  readWebhookPayload,
  record,
  requestSync,
  secret,
  verifyHmacSha256,
  WebhookPayloadError,
} from "cx-hub/sdk";
import { z } from "zod";
import { getAccount, listTickets } from "./client.ts";
import { TINY_DESK_EVENTS, tinyDeskEventSchema } from "./events.ts";
import { ticketRecords } from "./mapping.ts";

export default defineConnector({
  id: "template",
  name: "Tiny Desk (template)",
  channel: "support",
  version: "1.0.0",
  description: "A complete connector for a fictional help desk, to copy when writing a new one.",
  config: z.object({
    baseUrl: z.url().default("https://api.tinydesk.example/v1").describe("The API's base URL."),
    apiToken: secret(z.string().min(10, "An API token is at least 10 characters.")).describe(
      "An API token, from Settings → API in Tiny Desk.",
    ),
    webhookSecret: secret(z.string().min(16, "A webhook secret is at least 16 characters."))
      .optional()
      .describe("The signing secret shown when you add the hub's webhook URL in Tiny Desk."),
  }),
  http: { timeoutMs: 20_000, maxAttempts: 5 },

  async check(ctx) {
    const response = await getAccount(ctx);
    if (response.status === 401)
      return { ok: false, message: "Tiny Desk refused the API token: create a new one." };
    if (!response.ok) return { ok: false, message: `Tiny Desk answered ${response.status} to GET /me.` };
    const { account } = (await response.json()) as { account: { name: string } };
    return { ok: true, message: `Connected to the Tiny Desk account ${account.name}.` };
  },

  streams: {
    tickets: {
      description: "Tickets and their satisfaction ratings, by last change.",
      cursor: z.object({ updatedSince: z.iso.datetime({ offset: true }) }),
      async *read(ctx) {
        // One query, paged: page_token continues it, with the same updated_since.
        const updatedSince = ctx.cursor?.updatedSince;
        let pageToken: string | undefined;
        do {
          const page = await listTickets(ctx, { updatedSince, pageToken });
          for (const ticket of page.data) yield* ticketRecords(ticket);
          // Pages come oldest change first, so every ticket up to the last one's updated_at is now
          // yielded: resuming from there misses nothing (updated_since is inclusive; repeats are harmless).
          const last = page.data.at(-1);
          if (last) yield checkpoint({ updatedSince: last.updated_at });
          pageToken = page.next_page_token ?? undefined;
        } while (pageToken);
      },
    },
  },

  webhooks: {
    verify(request, ctx) {
      if (!ctx.config.webhookSecret) return { valid: false, reason: "no webhook secret is configured" };
      const valid = verifyHmacSha256({
        secret: ctx.config.webhookSecret,
        body: request.rawBody,
        signature: request.headers.get("x-tinydesk-signature"),
        prefix: "sha256=",
      });
      if (!valid) return { valid: false, reason: "the X-TinyDesk-Signature does not match the body" };
      // The signed time lets the hub refuse a delivery replayed later. Signed but unreadable: parse
      // refuses the body with its reason.
      let sentAt: Date | undefined;
      try {
        const body = bodyJson(request) as { sent_at?: unknown } | null;
        if (typeof body?.sent_at === "string") sentAt = new Date(body.sent_at);
      } catch {
        // Signed, but not JSON: authentic all the same. parse refuses it, and the hub keeps it.
      }
      return {
        valid: true,
        deliveryId: request.headers.get("x-tinydesk-delivery") ?? undefined,
        ...(sentAt && !Number.isNaN(sentAt.getTime()) ? { sentAt } : {}),
      };
    },
    parse(request) {
      const body = bodyJson(request);
      const name = (body as { event?: unknown } | null)?.event;
      if (!TINY_DESK_EVENTS.has(name as string)) {
        throw new WebhookPayloadError(`Unknown Tiny Desk event ${JSON.stringify(name)}.`);
      }
      // Validated before it is mapped: a wrong type is refused with its path, not a TypeError.
      const event = readWebhookPayload(tinyDeskEventSchema, body, "The Tiny Desk delivery");
      switch (event.event) {
        case "ticket.updated":
          return ticketRecords(event.ticket);
        case "tickets.imported":
          // The event names no tickets: the tickets stream reads them from its cursor, now.
          return requestSync(`Tiny Desk imported ${event.count} tickets`);
        case "customer.erasure_requested":
          return [
            record.privacyRequest({
              action: "erase",
              requestId: event.request_id,
              identities: [
                identity.email(event.customer.email),
                identity.external("tinydesk", event.customer.id),
              ],
              requestedAt: event.sent_at,
            }),
          ];
      }
    },
  },
});
