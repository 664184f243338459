// The Graph API client: Meta's payloads as the connector requests them, one function per call, and
// Graph's error envelope turned into an error that says what to do. Every call carries the access
// token and, when the app secret is configured, its appsecret_proof (Graph API "Secure Requests").
import { type ConnectorContext, type ConnectorFetchInit, HttpError, hmacSha256, redactUrl } from "cx-hub/sdk";
import type { MetaConfig } from "./config.ts";

/** Cursor-based paging, as every edge read here returns it (Graph API "Paginated Results"). */
export interface GraphPaging {
  cursors?: { before?: string; after?: string };
  /** Present while there is another page: "Stop paging when the next link no longer appears." */
  next?: string;
  previous?: string;
}

export interface GraphList<T> {
  data: T[];
  paging?: GraphPaging;
}

/** Graph's error envelope: `{ "error": { message, type, code, error_subcode, fbtrace_id, … } }`. */
export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  is_transient?: boolean;
  fbtrace_id?: string;
}

/** A Page (or person) as `from`/`parent.from` shows it: `name` and `id`. */
export interface FacebookProfile {
  id?: string;
  name?: string;
}

/** A post of the Page feed, with the fields the connector asks for. */
export interface FacebookPost {
  id: string;
  created_time?: string;
}

/** A Comment node (`/{post-id}/comments?filter=stream`), with the fields the connector asks for. */
export interface FacebookComment {
  id?: string;
  created_time?: string;
  message?: string;
  from?: FacebookProfile;
  /** Only on replies: the comment this one answers. */
  parent?: { id?: string; from?: FacebookProfile };
}

/** An IG Media of `/{ig-user-id}/media`, with the fields the connector asks for. */
export interface InstagramMedia {
  id: string;
  timestamp?: string;
  comments_count?: number;
}

/** An IG Comment, with the fields the connector asks for. */
export interface InstagramComment {
  id?: string;
  text?: string;
  timestamp?: string;
  username?: string;
  /** `id` is the commenter's Instagram-scoped id (IGSID), `username` their handle. */
  from?: { id?: string; username?: string };
  /** Only on replies: the top-level comment (Instagram attaches a reply to a reply to it). */
  parent_id?: string;
  /** Only when the app user (the brand) wrote the comment. */
  user?: { id?: string } | string;
  replies?: GraphList<InstagramComment>;
}

export const FACEBOOK_POST_FIELDS = "id,created_time";
export const FACEBOOK_COMMENT_FIELDS = "id,created_time,message,from,parent{id,from}";
export const INSTAGRAM_MEDIA_FIELDS = "id,timestamp,comments_count";
export const INSTAGRAM_COMMENT_FIELDS = "id,text,timestamp,username,from,parent_id,user";
/** Page sizes: the feed accepts at most 100; IG returns at most 50 comments per query. */
export const FACEBOOK_PAGE_SIZE = "100";
export const INSTAGRAM_PAGE_SIZE = "50";
export const INSTAGRAM_COMMENTS_FIELDS = `${INSTAGRAM_COMMENT_FIELDS},replies.limit(${INSTAGRAM_PAGE_SIZE}){${INSTAGRAM_COMMENT_FIELDS}}`;

type Ctx = ConnectorContext<MetaConfig>;
type Params = Record<string, string | number | undefined>;

/** Graph answered with an error envelope; `code` and `subcode` say which (Graph API "Handling Errors"). */
export class GraphApiError extends HttpError {
  override name = "GraphApiError";
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  readonly graphMessage: string | undefined;
  constructor(
    message: string,
    details: { method: string; url: string; status: number; error: GraphErrorBody | undefined },
  ) {
    super(message, { method: details.method, url: details.url, status: details.status, attempts: 1 });
    this.code = details.error?.code;
    this.subcode = details.error?.error_subcode;
    this.graphMessage = details.error?.message;
  }
}

/** A Graph API URL for `path` with `params`, the access token and, with an app secret, its proof. */
export function graphUrl(config: MetaConfig, path: string, params: Params = {}): URL {
  const base = config.baseUrl.replace(/\/+$/, "");
  const url = new URL(
    `${base}/${config.graphApiVersion}/${path.split("/").map(encodeURIComponent).join("/")}`,
  );
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  url.searchParams.set("access_token", config.accessToken);
  if (config.appSecret) url.searchParams.set("appsecret_proof", appSecretProof(config));
  return url;
}

/** HMAC-SHA256 of the access token with the app secret, in hex (Graph API "Secure Requests"). */
export function appSecretProof(config: Pick<MetaConfig, "accessToken" | "appSecret">): string {
  return hmacSha256(config.appSecret ?? "", config.accessToken);
}

/** Reads Graph's error envelope from a response, or undefined when the body is not one. */
export async function readGraphError(response: Response): Promise<GraphErrorBody | undefined> {
  const body = (await response.json().catch(() => undefined)) as { error?: unknown } | undefined;
  const error = body?.error;
  return typeof error === "object" && error !== null ? (error as GraphErrorBody) : undefined;
}

/** What to do about an error, from its code (Graph API "Handling Errors"). */
export function errorAdvice(error: GraphErrorBody | undefined): string {
  const code = error?.code;
  if (code === 190 || code === 102 || (error?.type === "OAuthException" && code === undefined)) {
    return "The access token has expired or was revoked: generate a new long-lived token and save it in the connector's settings.";
  }
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) {
    return "The token lacks a permission this call needs: grant it to the app and generate a new token.";
  }
  if (code === 100) return "Check the account id and the API version in the connector's settings.";
  return "";
}

/** "(OAuthException 190, subcode 463)" */
export function describeCode(error: GraphErrorBody | undefined): string {
  if (!error) return "";
  const parts = [error.type, error.code].filter((part) => part !== undefined).join(" ");
  const subcode = error.error_subcode !== undefined ? `, subcode ${error.error_subcode}` : "";
  return parts || subcode ? ` (${parts}${subcode})` : "";
}

/** GET a Graph API path and parse its JSON, or throw a GraphApiError naming Graph's reason. */
export async function graphGet<T>(
  ctx: Ctx,
  path: string,
  params: Params = {},
  init: ConnectorFetchInit = {},
): Promise<T> {
  const url = graphUrl(ctx.config, path, params);
  // Throttling (codes 4, 17, 32, 613, 80001…) and 5xx were retried by ctx.fetch already: this is final.
  const response = await ctx.fetch(url, init);
  if (response.ok) return (await response.json()) as T;
  const error = await readGraphError(response);
  const shown = redactUrl(url.toString());
  const reason = error?.message ?? `HTTP ${response.status}`;
  const advice = errorAdvice(error);
  throw new GraphApiError(
    `GET ${shown} answered ${response.status}: ${reason}${describeCode(error)}.${advice ? ` ${advice}` : ""}`,
    { method: "GET", url: shown, status: response.status, error },
  );
}

/** The cursor to send as `after` for the next page, or undefined on the last page. */
export function nextCursor(paging: GraphPaging | undefined): string | undefined {
  return paging?.next ? paging.cursors?.after : undefined;
}

/** GET /{page-id}/feed: one page of the Page feed, newest first; `since` bounds it (Unix seconds). */
export function listFeed(ctx: Ctx, options: { since?: number; after?: string }) {
  return graphGet<GraphList<FacebookPost>>(ctx, `${ctx.config.accountId}/feed`, {
    fields: FACEBOOK_POST_FIELDS,
    limit: FACEBOOK_PAGE_SIZE,
    since: options.since,
    after: options.after,
  });
}

/**
 * GET /{post-id}/comments?filter=stream: comments and replies at every level, with `since` as the
 * lower bound of their time (Unix seconds). Newest first is asked for, but Meta may rank instead, so
 * the connector never relies on the order.
 */
export function listPostComments(ctx: Ctx, postId: string, options: { since?: number; after?: string }) {
  return graphGet<GraphList<FacebookComment>>(ctx, `${postId}/comments`, {
    fields: FACEBOOK_COMMENT_FIELDS,
    filter: "stream",
    order: "reverse_chronological",
    limit: FACEBOOK_PAGE_SIZE,
    since: options.since,
    after: options.after,
  });
}

/**
 * For reads made while Meta waits for a webhook's answer: a short timeout and no long waits. A call
 * Meta throttles fails the delivery instead (the hub answers 500), and Meta retries it later.
 */
export const WEBHOOK_LOOKUP: ConnectorFetchInit = {
  timeoutMs: 10_000,
  retry: { maxAttempts: 2, maxWaitMs: 5_000 },
};

/** GET /{comment-id}?fields=id,from: who wrote a comment (for a reply from the Page, its customer). */
export function getFacebookComment(ctx: Ctx, commentId: string, init?: ConnectorFetchInit) {
  return graphGet<FacebookComment>(ctx, commentId, { fields: "id,from" }, init);
}

/** GET /{ig-user-id}/media: one page of the account's media, most recent first; `since` bounds it. */
export function listMedia(ctx: Ctx, options: { since?: number; after?: string }) {
  return graphGet<GraphList<InstagramMedia>>(ctx, `${ctx.config.accountId}/media`, {
    fields: INSTAGRAM_MEDIA_FIELDS,
    limit: INSTAGRAM_PAGE_SIZE,
    since: options.since,
    after: options.after,
  });
}

/** GET /{ig-media-id}/comments: top-level comments (newest first) with their first page of replies. */
export function listMediaComments(ctx: Ctx, mediaId: string, options: { after?: string }) {
  return graphGet<GraphList<InstagramComment>>(ctx, `${mediaId}/comments`, {
    fields: INSTAGRAM_COMMENTS_FIELDS,
    limit: INSTAGRAM_PAGE_SIZE,
    after: options.after,
  });
}

/** GET /{ig-comment-id}/replies: the further pages of a comment's replies. */
export function listReplies(ctx: Ctx, commentId: string, options: { after?: string }) {
  return graphGet<GraphList<InstagramComment>>(ctx, `${commentId}/replies`, {
    fields: INSTAGRAM_COMMENT_FIELDS,
    limit: INSTAGRAM_PAGE_SIZE,
    after: options.after,
  });
}

/** GET /{ig-comment-id}: one IG Comment (a webhook notification carries no time: this has it). */
export function getInstagramComment(ctx: Ctx, commentId: string, init?: ConnectorFetchInit) {
  return graphGet<InstagramComment>(ctx, commentId, { fields: INSTAGRAM_COMMENT_FIELDS }, init);
}

/** GET /{id}?fields=name|username: the account the token opens, for `check` (which someone waits for). */
export function getAccount(ctx: Ctx): Promise<Response> {
  const fields = ctx.config.network === "facebook" ? "id,name" : "id,username";
  return ctx.fetch(graphUrl(ctx.config, ctx.config.accountId, { fields }), {
    timeoutMs: 15_000,
    retry: { maxAttempts: 2, maxWaitMs: 10_000 },
  });
}

/**
 * "(#100) The After Cursor specified exceeds the max limit supported by this endpoint": Graph's
 * answer when paging through tens of thousands of comments (Graph API "Paginated Results").
 */
export function isCursorLimit(error: unknown): boolean {
  return (
    error instanceof GraphApiError && error.code === 100 && /after cursor/i.test(error.graphMessage ?? "")
  );
}
