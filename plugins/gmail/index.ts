// The built-in email connector: a support inbox on Gmail, read through the Gmail API (REST v1).
// One stream, `messages`: a full sync, then partial syncs from the mailbox's historyId. Push: Gmail
// publishes "the mailbox changed" to Cloud Pub/Sub, whose push subscription calls the hub's webhook.
// Saved mail (.eml, mbox) goes through `importMailbox`, exported below. README.md has the details.
import { defineConnector, requestSync, secret } from "cx-hub/sdk";
import { z } from "zod";
import { createGmailClient, errorMessage, type GmailProfile, gmailRateLimit } from "./client.ts";
import { parsePush, pushMessageId, pushTokenMatches } from "./push.ts";
import { readMessages } from "./sync.ts";

export { importMailbox, importMessage, splitMbox } from "./import.ts";
export { fromGmailMessage, fromParsedEmail, type MailboxOptions, mailRecords } from "./mapping.ts";
export { sentimentOf } from "./sentiment.ts";

const historyId = z.string().regex(/^\d+$/, "A Gmail historyId is a decimal number.");

const config = z
  .object({
    mailbox: z
      .email()
      .describe(
        "The support inbox, such as support@acme.example: mail from it is outbound, other mail inbound.",
      ),
    aliases: z
      .array(z.email())
      .default([])
      .describe(
        "Other addresses the inbox sends as (Gmail send-as aliases): mail from them is outbound too.",
      ),
    accessToken: secret(z.string().min(10))
      .optional()
      .describe(
        "An OAuth 2.0 access token with the gmail.readonly scope. It expires after an hour: give a refresh token too.",
      ),
    refreshToken: secret(z.string().min(10))
      .optional()
      .describe(
        "An OAuth 2.0 refresh token (offline access); with the client id and secret, access tokens are renewed.",
      ),
    clientId: z.string().min(1).optional().describe("The OAuth client id the refresh token was issued to."),
    clientSecret: secret(z.string().min(1)).optional().describe("That OAuth client's secret."),
    labelId: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Only messages with this Gmail label id (such as INBOX or Label_12): for the sync and the push watch.",
      ),
    query: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A Gmail search narrowing the first, full sync (such as newer_than:1y); later changes come from history.",
      ),
    pubsubTopic: z
      .string()
      .regex(/^projects\/[^/]+\/topics\/[^/]+$/, "A topic name is projects/<project>/topics/<topic>.")
      .optional()
      .describe(
        "The Cloud Pub/Sub topic Gmail publishes changes to; the stream keeps the users.watch on it alive.",
      ),
    pushToken: secret(z.string().min(16, "A push token is at least 16 characters."))
      .optional()
      .describe(
        "The secret put in the push subscription's endpoint URL as ?token=…, which proves a push came from it.",
      ),
  })
  .superRefine((value, ctx) => {
    const refresh = [value.refreshToken, value.clientId, value.clientSecret];
    if (refresh.some(Boolean) && !refresh.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["refreshToken"],
        message: "Give the refresh token together with the OAuth client id and client secret.",
      });
    }
    if (!value.accessToken && !value.refreshToken) {
      ctx.addIssue({
        code: "custom",
        path: ["accessToken"],
        message: "Give an access token, or a refresh token with the OAuth client id and secret.",
      });
    }
  });

export default defineConnector({
  id: "gmail",
  name: "Gmail",
  channel: "email",
  version: "1.0.0",
  description:
    "A support inbox on Gmail: received and sent email, threads, deletions and push notifications.",
  documentationUrl: "https://developers.google.com/workspace/gmail/api/guides/sync",
  config,
  http: { timeoutMs: 30_000, maxAttempts: 5, rateLimit: gmailRateLimit },

  async check(ctx) {
    const response = await createGmailClient(ctx).getProfile();
    if (response.status === 401) {
      return {
        ok: false,
        message: `Google refused the access token (${await errorMessage(response)}): connect the mailbox again.`,
      };
    }
    if (response.status === 403) {
      return {
        ok: false,
        message: `Gmail refused access (${await errorMessage(response)}): grant the gmail.readonly scope and enable the Gmail API.`,
      };
    }
    if (!response.ok) return { ok: false, message: `Gmail answered ${response.status} to users.getProfile.` };
    const profile = (await response.json()) as GmailProfile;
    if (profile.emailAddress.toLowerCase() !== ctx.config.mailbox.toLowerCase()) {
      return {
        ok: false,
        message: `The token opens ${profile.emailAddress}, not ${ctx.config.mailbox}: authorize the support inbox's account, or correct the mailbox.`,
      };
    }
    return {
      ok: true,
      message: `Connected to the Gmail mailbox ${profile.emailAddress} (${profile.messagesTotal} messages).`,
    };
  },

  streams: {
    messages: {
      description: "Received and sent email of the inbox, by Gmail history; deleted messages as deletions.",
      cursor: z.object({ historyId, watchExpiration: z.string().regex(/^\d+$/).optional() }),
      read: readMessages,
    },
  },

  webhooks: {
    verify(request, ctx) {
      if (!ctx.config.pushToken) return { valid: false, reason: "no push token is configured" };
      if (!pushTokenMatches(request, ctx.config.pushToken)) {
        return { valid: false, reason: "the push URL's token is missing or wrong" };
      }
      // Not `sentAt`: publishTime is not signed, and a Pub/Sub redelivery keeps the first one.
      return { valid: true, deliveryId: pushMessageId(request) };
    },
    parse(request, ctx) {
      const push = parsePush(request);
      if (push.emailAddress.toLowerCase() !== ctx.config.mailbox.toLowerCase()) {
        ctx.logger.warn(
          `A push for ${push.emailAddress} reached the connector of ${ctx.config.mailbox}; ignored.`,
          {
            subscription: push.subscription,
          },
        );
        return [];
      }
      // The notification names the mailbox's new historyId, not what changed: the messages stream
      // reads the change from its stored historyId, in a run the hub starts now.
      return requestSync(`Gmail reports changes in ${push.emailAddress} up to historyId ${push.historyId}`);
    },
  },
});
