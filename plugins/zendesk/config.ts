// The connector's configuration: which Zendesk account it reads, and how it signs in. Zendesk takes
// an API token as basic auth (`{email}/token:{api_token}`) or an OAuth access token as a bearer
// token; give one or the other (https://developer.zendesk.com/api-reference/introduction/security-and-auth/).
import { ConnectorConfigError, secret } from "cx-hub/sdk";
import { z } from "zod";

export const configSchema = z.object({
  subdomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,62}$/,
      'Give the subdomain alone: "acme" for https://acme.zendesk.com, without the scheme or ".zendesk.com".',
    )
    .describe('Your Zendesk subdomain: "acme" for https://acme.zendesk.com.'),
  email: z
    .email("Give the email address of the agent or admin the API token belongs to.")
    .optional()
    .describe("With an API token: the email address of the admin the token belongs to."),
  apiToken: secret(z.string().trim().min(20, "A Zendesk API token is 40 characters."))
    .optional()
    .describe("An API token (Admin Center → Apps and integrations → Zendesk API), used with email."),
  oauthAccessToken: secret(z.string().trim().min(20, "A Zendesk OAuth access token is 64 characters."))
    .optional()
    .describe("Instead of email and API token: an OAuth access token with the read scope."),
  startDate: z.iso
    .datetime({ offset: true, error: "Give a date-time with its zone, such as 2026-01-01T00:00:00Z." })
    .optional()
    .describe(
      "Where the first sync starts (tickets, users and ratings changed since then); everything by default.",
    ),
});

export type ZendeskConfig = z.output<typeof configSchema>;

/** https://{subdomain}.zendesk.com, where every call of the connector goes. */
export const accountUrl = (config: ZendeskConfig) => `https://${config.subdomain}.zendesk.com`;

/** The namespace of a Zendesk user id: ids are unique within one Zendesk account only. */
export const userNamespace = (config: ZendeskConfig) => `${config.subdomain}.zendesk.com`;

/**
 * The Authorization header: an OAuth bearer token when one is given, else basic auth with
 * `{email}/token:{api_token}` as Zendesk documents it. Neither: a ConnectorConfigError saying what
 * to add (a z.object cannot say "one of these two pairs", so it is checked here, before any call).
 */
export function authorization(config: ZendeskConfig): string {
  if (config.oauthAccessToken) return `Bearer ${config.oauthAccessToken}`;
  if (config.email && config.apiToken) {
    return `Basic ${Buffer.from(`${config.email}/token:${config.apiToken}`).toString("base64")}`;
  }
  const missing = config.apiToken ? "email" : "apiToken";
  throw new ConnectorConfigError(
    "Zendesk needs credentials: give email and apiToken (an API token), or oauthAccessToken.",
    [{ path: missing, message: `${missing} is required when oauthAccessToken is not given.` }],
  );
}

/** The first sync's start_time: Unix seconds of startDate, or 0 (everything). */
export function firstStartTime(config: ZendeskConfig): number {
  return config.startDate ? Math.floor(new Date(config.startDate).getTime() / 1000) : 0;
}
