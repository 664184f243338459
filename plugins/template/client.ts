// The Tiny Desk API client: the provider's payloads as types, and one function per call the connector
// makes. Tiny Desk is fictional; its API is specified in README.md beside this file.
import type { ConnectorContext } from "cx-hub/sdk";
import { expectOk } from "cx-hub/sdk";

export interface TinyDeskConfig {
  baseUrl: string;
  apiToken: string;
  webhookSecret?: string | undefined;
}

export interface TinyDeskCustomer {
  id: string;
  email: string;
  name: string | null;
}

export interface TinyDeskSatisfaction {
  score: number;
  comment: string | null;
  rated_at: string;
}

export interface TinyDeskTicket {
  id: string;
  status: "open" | "solved" | "deleted";
  subject: string;
  body: string;
  customer: TinyDeskCustomer;
  created_at: string;
  updated_at: string;
  satisfaction: TinyDeskSatisfaction | null;
}

export interface TicketPage {
  data: TinyDeskTicket[];
  next_page_token: string | null;
}

type Ctx = ConnectorContext<TinyDeskConfig>;

// A plain record, not the DOM's HeadersInit: the plugin builds with Node's types alone (no "dom" lib).
function headers(ctx: Ctx): Record<string, string> {
  return { authorization: `Bearer ${ctx.config.apiToken}`, accept: "application/json" };
}

/** GET /me: the account the token belongs to; 401 when the token is wrong. */
export async function getAccount(ctx: Ctx): Promise<Response> {
  return ctx.fetch(`${ctx.config.baseUrl}/me`, { headers: headers(ctx) });
}

/** GET /tickets: one page, oldest change first, from `updatedSince` (inclusive) on. */
export async function listTickets(
  ctx: Ctx,
  options: { updatedSince?: string; pageToken?: string },
): Promise<TicketPage> {
  const url = new URL(`${ctx.config.baseUrl}/tickets`);
  url.searchParams.set("limit", "100");
  if (options.updatedSince) url.searchParams.set("updated_since", options.updatedSince);
  if (options.pageToken) url.searchParams.set("page_token", options.pageToken);
  // Retryable failures (429, 5xx) were retried by ctx.fetch already; what comes back here is final.
  const response = await expectOk(await ctx.fetch(url, { headers: headers(ctx) }), { url });
  return (await response.json()) as TicketPage;
}
