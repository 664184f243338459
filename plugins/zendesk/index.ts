// The support connector: Zendesk Support's tickets (their public comments and resolutions, one
// conversation per ticket), end users and satisfaction ratings, read through the incremental export
// API. README.md beside this file says what is synced, how the cursors move, and cites Zendesk's docs.
import { ConnectorConfigError, defineConnector, HttpError } from "cx-hub/sdk";
import { getMe } from "./client.ts";
import { configSchema } from "./config.ts";
import {
  exportCursorSchema,
  ratingsCursorSchema,
  readSatisfactionRatings,
  readTickets,
  readUsers,
} from "./streams.ts";

export default defineConnector({
  id: "zendesk",
  name: "Zendesk Support",
  channel: "support",
  version: "1.0.0",
  description:
    "Tickets (public comments and resolutions, one conversation per ticket), end users and good/bad satisfaction ratings from Zendesk Support's incremental exports.",
  documentationUrl:
    "https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/",
  config: configSchema,
  // The incremental exports allow 10 requests a minute: a 429's Retry-After can be close to a minute.
  http: { timeoutMs: 30_000, maxAttempts: 6 },

  async check(ctx) {
    let response: Response;
    try {
      response = await getMe(ctx);
    } catch (error) {
      if (error instanceof ConnectorConfigError) return { ok: false, message: error.message };
      if (error instanceof HttpError)
        return { ok: false, message: `Zendesk could not be reached: ${error.message}` };
      throw error;
    }
    if (response.status === 401) {
      return {
        ok: false,
        message: `Zendesk refused the credentials for ${ctx.config.subdomain}.zendesk.com: check the email and API token (or the OAuth token).`,
      };
    }
    if (response.status === 404) {
      return {
        ok: false,
        message: `No Zendesk account answers at ${ctx.config.subdomain}.zendesk.com: check the subdomain.`,
      };
    }
    if (!response.ok)
      return { ok: false, message: `Zendesk answered ${response.status} to GET /api/v2/users/me.json.` };
    const { user } = (await response.json()) as { user: { id: number | null; name: string; role: string } };
    // Zendesk answers 200 with an anonymous user when basic auth fails on some accounts.
    if (user.id === null)
      return { ok: false, message: "Zendesk did not recognise the credentials (anonymous user)." };
    if (user.role !== "admin") {
      return {
        ok: false,
        message: `Signed in as ${user.name}, whose role is ${user.role}: the incremental exports are for admins; use an admin's API token.`,
      };
    }
    return { ok: true, message: `Connected to ${ctx.config.subdomain}.zendesk.com as ${user.name}.` };
  },

  streams: {
    users: {
      description: "End users as customers (Zendesk id, email, phone, name), by last change.",
      cursor: exportCursorSchema,
      read: readUsers,
    },
    tickets: {
      description:
        "Tickets by last change: each public comment as a message (end users' inbound, agents' outbound, by the author's role) and each solve or close as a resolution, in one conversation per ticket.",
      cursor: exportCursorSchema,
      read: readTickets,
    },
    satisfaction_ratings: {
      description:
        "Good and bad satisfaction ratings as GOOD_BAD answers (1 good, 0 bad), by creation time; the tickets stream brings those answered after the cursor passed them.",
      cursor: ratingsCursorSchema,
      read: readSatisfactionRatings,
    },
  },
});
