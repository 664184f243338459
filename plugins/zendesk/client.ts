// The Zendesk Support API client: the documented payloads the connector reads, as types, and one
// function per call. Every URL is built from the account's subdomain; every call carries the
// Authorization header from config.ts. ctx.fetch retries 429 and 5xx, honouring Retry-After, which
// Zendesk sends with every 429 (https://developer.zendesk.com/api-reference/introduction/rate-limits/).
import type { ConnectorContext } from "cx-hub/sdk";
import { expectOk } from "cx-hub/sdk";
import { accountUrl, authorization, type ZendeskConfig } from "./config.ts";

type Ctx = ConnectorContext<ZendeskConfig>;

/** A ticket, as the incremental ticket export returns it (only the fields the connector reads). */
export interface ZendeskTicket {
  id: number;
  subject: string | null;
  description?: string | null;
  /** new, open, pending, hold, solved, closed; "deleted" in the export for a deleted ticket. */
  status: string;
  priority: string | null;
  type: string | null;
  tags: string[];
  requester_id: number | null;
  assignee_id?: number | null;
  created_at: string;
  updated_at: string;
  via?: { channel?: string | null } | null;
  satisfaction_rating?: { id?: number | null; score?: string | null; comment?: string | null } | null;
}

/** A user, as the incremental user export returns it. */
export interface ZendeskUser {
  id: number;
  name: string | null;
  email: string | null;
  phone: string | null;
  /** end-user, agent or admin. */
  role: string;
  active: boolean;
  /** Whether any of the user's identities is verified (Zendesk's Users API). */
  verified?: boolean;
  external_id?: string | null;
  organization_id?: number | null;
  locale?: string | null;
  time_zone?: string | null;
  tags?: string[];
  created_at: string;
  updated_at: string;
}

/** One event of a ticket audit (https://developer.zendesk.com/documentation/ticketing/reference-guides/ticket-audit-events-reference/). */
export interface ZendeskAuditEvent {
  id: number;
  type: string;
  /** Comment events. */
  author_id?: number;
  body?: string;
  plain_body?: string;
  public?: boolean;
  /** SatisfactionRating events: the rating given (good, bad, …); its comment is in `body`. */
  score?: string;
  /** Create and Change events. */
  field_name?: string;
  value?: unknown;
  previous_value?: unknown;
}

/** A ticket audit: one update of a ticket, with the events it made. */
export interface ZendeskAudit {
  id: number;
  ticket_id: number;
  author_id: number;
  created_at: string;
  events: ZendeskAuditEvent[];
}

/** A satisfaction rating (the legacy CSAT of Zendesk Support). */
export interface ZendeskSatisfactionRating {
  id: number;
  /** offered, unoffered, good, bad. */
  score: string;
  ticket_id: number | null;
  requester_id: number | null;
  assignee_id?: number | null;
  group_id?: number | null;
  comment?: string | null;
  reason?: string | null;
  created_at: string;
  updated_at: string;
}

/** A page of a cursor-based incremental export. */
export interface IncrementalPage {
  after_cursor: string | null;
  after_url?: string | null;
  end_of_stream: boolean;
}
export interface TicketExportPage extends IncrementalPage {
  tickets: ZendeskTicket[];
}
export interface UserExportPage extends IncrementalPage {
  users: ZendeskUser[];
}

/**
 * A page of the audits of one ticket (offset pagination: next_page is the next page's URL), with the
 * users who wrote them side-loaded (`include=users`).
 */
export interface AuditPage {
  audits: ZendeskAudit[];
  users?: Array<Pick<ZendeskUser, "id" | "role">>;
  next_page: string | null;
  count?: number;
}

/** A ticket's audits, oldest first, and the role (end-user, agent, admin) of each user who wrote one. */
export interface TicketAudits {
  audits: ZendeskAudit[];
  authorRoles: Map<number, string>;
}

/** A page of satisfaction ratings, in cursor pagination (`page[size]`). */
export interface SatisfactionRatingPage {
  satisfaction_ratings: ZendeskSatisfactionRating[];
  meta: { has_more: boolean; after_cursor: string | null };
  links?: { next?: string | null };
}

function headers(ctx: Ctx): Record<string, string> {
  return { authorization: authorization(ctx.config), accept: "application/json" };
}

async function getJson<T>(ctx: Ctx, url: URL): Promise<T> {
  // Retryable failures (429, 5xx) were retried by ctx.fetch already; what comes back here is final.
  const response = await expectOk(await ctx.fetch(url, { headers: headers(ctx) }), { url });
  return (await response.json()) as T;
}

/** GET /api/v2/users/me: who the credentials belong to (an anonymous user when they are refused). */
export async function getMe(ctx: Ctx): Promise<Response> {
  return ctx.fetch(`${accountUrl(ctx.config)}/api/v2/users/me.json`, { headers: headers(ctx) });
}

/** Where an incremental export resumes: Zendesk's after_cursor, or a start time on the first run. */
export type ExportPosition = { cursor: string } | { startTime: number };

function exportUrl(ctx: Ctx, resource: "tickets" | "users", from: ExportPosition): URL {
  const url = new URL(`${accountUrl(ctx.config)}/api/v2/incremental/${resource}/cursor.json`);
  if ("cursor" in from) url.searchParams.set("cursor", from.cursor);
  else url.searchParams.set("start_time", String(from.startTime));
  return url;
}

/** GET /api/v2/incremental/tickets/cursor.json: tickets changed since the position, oldest change first. */
export async function exportTickets(ctx: Ctx, from: ExportPosition): Promise<TicketExportPage> {
  return getJson(ctx, exportUrl(ctx, "tickets", from));
}

/** GET /api/v2/incremental/users/cursor.json: users changed since the position. */
export async function exportUsers(ctx: Ctx, from: ExportPosition): Promise<UserExportPage> {
  return getJson(ctx, exportUrl(ctx, "users", from));
}

/**
 * Every audit of a ticket, oldest first, following next_page, with its authors side-loaded
 * (https://developer.zendesk.com/documentation/ticketing/using-the-zendesk-api/side_loading/): a
 * comment's direction follows its author's role, which the audit names only by id.
 */
export async function listAudits(ctx: Ctx, ticketId: number): Promise<TicketAudits> {
  const audits: ZendeskAudit[] = [];
  const authorRoles = new Map<number, string>();
  let url: URL | undefined = new URL(`${accountUrl(ctx.config)}/api/v2/tickets/${ticketId}/audits.json`);
  url.searchParams.set("include", "users");
  while (url) {
    const page: AuditPage = await getJson<AuditPage>(ctx, url);
    audits.push(...page.audits);
    for (const user of page.users ?? []) authorRoles.set(user.id, user.role);
    url = page.next_page ? sameAccount(ctx, page.next_page) : undefined;
  }
  return { audits, authorRoles };
}

/**
 * GET /api/v2/satisfaction_ratings.json?score=received: the ratings customers gave (good or bad,
 * not the surveys merely offered), from start_time on, 100 a page, following the cursor.
 */
export async function* listSatisfactionRatings(
  ctx: Ctx,
  startTime: number,
): AsyncGenerator<SatisfactionRatingPage> {
  const first = new URL(`${accountUrl(ctx.config)}/api/v2/satisfaction_ratings.json`);
  first.searchParams.set("score", "received");
  first.searchParams.set("start_time", String(startTime));
  first.searchParams.set("page[size]", "100");
  let url: URL | undefined = first;
  while (url) {
    const page: SatisfactionRatingPage = await getJson<SatisfactionRatingPage>(ctx, url);
    yield page;
    url = page.meta.has_more && page.links?.next ? sameAccount(ctx, page.links.next) : undefined;
  }
}

/**
 * A next-page URL from a response, refused unless it points at the account: the credentials go with
 * it, and must never be sent to another host.
 */
function sameAccount(ctx: Ctx, next: string): URL {
  const url = new URL(next);
  if (url.origin !== accountUrl(ctx.config)) {
    throw new Error(
      `Zendesk returned a next page on ${url.origin}, not on ${accountUrl(ctx.config)}; the connector does not send its credentials there.`,
    );
  }
  return url;
}
