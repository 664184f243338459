// The social connector: comments on a brand's Facebook Page or Instagram professional account,
// read through Meta's Graph API and received through Meta Webhooks. Each comment becomes one
// interaction (a customer's comment inbound, the brand's reply outbound); README.md beside this
// file says what is synced, how the cursor moves, how throttling is honoured, and cites Meta's docs.
import { defineConnector, HttpError } from "cx-hub/sdk";
import { describeCode, errorAdvice, getAccount, readGraphError } from "./client.ts";
import { configSchema } from "./config.ts";
import { metaRateLimit } from "./rate-limit.ts";
import { cursorSchema, readComments } from "./stream.ts";
import { handshake, parse, verify } from "./webhooks.ts";

export default defineConnector({
  id: "meta-comments",
  name: "Meta comments (Facebook Pages, Instagram)",
  channel: "social",
  version: "1.0.0",
  description:
    "Comments and replies on a Facebook Page or an Instagram professional account, from the Graph API and Meta Webhooks.",
  documentationUrl: "https://developers.facebook.com/docs/graph-api",
  config: configSchema,
  // Meta may ask to stay away for tens of minutes (estimated_time_to_regain_access): wait up to an hour.
  http: { timeoutMs: 30_000, maxAttempts: 5, maxWaitMs: 60 * 60_000, rateLimit: metaRateLimit },

  async check(ctx) {
    const response = await getAccount(ctx).catch((error: unknown) => {
      if (error instanceof HttpError) return error;
      throw error;
    });
    if (response instanceof HttpError) {
      return {
        ok: false,
        message: `Meta could not be reached or is throttling this app: ${response.message}`,
      };
    }
    const what = ctx.config.network === "facebook" ? "Facebook Page" : "Instagram account";
    if (response.ok) {
      const account = (await response.json()) as { id?: string; name?: string; username?: string };
      const label = account.name ?? (account.username ? `@${account.username}` : ctx.config.accountId);
      return { ok: true, message: `Connected to the ${what} ${label} (${ctx.config.accountId}).` };
    }
    const error = await readGraphError(response);
    if (error?.code === 190) {
      return {
        ok: false,
        message: `Meta refused the access token: ${error.message ?? "it is invalid"}${describeCode(error)}. ${errorAdvice(error)}`,
      };
    }
    const advice = errorAdvice(error);
    return {
      ok: false,
      message: `Meta answered ${response.status} to GET /${ctx.config.accountId}: ${error?.message ?? "no reason given"}${describeCode(error)}.${advice ? ` ${advice}` : ""}`,
    };
  },

  streams: {
    comments: {
      description:
        "Comments and replies on the account's posts (Facebook) or media (Instagram), by the time of the newest comment.",
      cursor: cursorSchema,
      read: readComments,
    },
  },

  webhooks: { handshake, verify, parse },
});
