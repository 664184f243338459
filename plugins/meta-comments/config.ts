// The connector's configuration: which Meta account it reads, with which Graph API version and
// token, and the two webhook secrets. One connector instance reads one account (a Facebook Page or
// an Instagram professional account); a brand with both installs the connector twice.
import { secret } from "cx-hub/sdk";
import { z } from "zod";

export const NETWORKS = ["facebook", "instagram"] as const;
export type Network = (typeof NETWORKS)[number];

export const configSchema = z.object({
  network: z
    .enum(NETWORKS, { error: 'network is "facebook" (a Page) or "instagram" (a professional account).' })
    .describe("Which account the connector reads: a Facebook Page, or an Instagram professional account."),
  accountId: z
    .string()
    .trim()
    .regex(/^\d{1,32}$/, "Give the numeric id (the Page ID, or the IG user ID), not a name or an @username.")
    .describe(
      "The Facebook Page ID, or the Instagram professional account's IG user ID (GET /{page-id}?fields=instagram_business_account gives it).",
    ),
  graphApiVersion: z
    .string()
    .regex(/^v\d{1,3}\.\d$/, 'A Graph API version reads like "v26.0".')
    .default("v26.0")
    .describe("The Graph API version to call (https://developers.facebook.com/docs/graph-api/changelog)."),
  baseUrl: z
    .url()
    .default("https://graph.facebook.com")
    .describe("The Graph API host (graph.facebook.com for tokens from Facebook Login)."),
  accessToken: secret(
    z.string().trim().min(20, "A Meta access token is longer than 20 characters."),
  ).describe(
    "A long-lived token. Facebook: a Page access token (Meta returns who wrote a comment only to a Page token). Instagram: a User access token with instagram_basic, instagram_manage_comments, pages_show_list and pages_read_engagement.",
  ),
  appSecret: secret(z.string().trim().min(16, "A Meta app secret is 32 characters."))
    .optional()
    .describe(
      "The app secret (App Dashboard → Settings → Basic): verifies the X-Hub-Signature-256 of webhook deliveries and signs every call with appsecret_proof.",
    ),
  verifyToken: secret(z.string().min(8, "Choose a verify token of at least 8 characters."))
    .optional()
    .describe(
      "The Verify Token you type in the App Dashboard's Webhooks settings; Meta sends it back in its GET handshake.",
    ),
  lookbackDays: z
    .number()
    .int()
    .min(1)
    .max(365)
    .default(30)
    .describe(
      "How far back, before the newest comment already synced, an incremental sync looks for posts that may have new comments.",
    ),
});

export type MetaConfig = z.output<typeof configSchema>;
