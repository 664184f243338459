// The Gmail API client: the payloads the connector reads, as Google documents them, and one function
// per call (users.getProfile, users.messages.list/get, users.history.list, users.watch), all for the
// mailbox the OAuth token opens (userId "me"). It also keeps the access token fresh when the
// configuration carries a refresh token (Google's OAuth 2.0 token endpoint). README.md cites the pages.
import { type ConnectorContext, expectOk, HttpError } from "cx-hub/sdk";

export const GMAIL_API = "https://gmail.googleapis.com/gmail/v1/users/me";
export const GOOGLE_TOKEN_ENDPOINT = "https://oauth2.googleapis.com/token";

export interface GmailConfig {
  mailbox: string;
  aliases: string[];
  accessToken?: string | undefined;
  refreshToken?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  labelId?: string | undefined;
  query?: string | undefined;
  pubsubTopic?: string | undefined;
  pushToken?: string | undefined;
}

/** users.getProfile. */
export interface GmailProfile {
  emailAddress: string;
  messagesTotal: number;
  threadsTotal: number;
  historyId: string;
}

/** A message as messages.list and history.list name it: only its id and thread. */
export interface GmailMessageRef {
  id: string;
  threadId: string;
  labelIds?: string[];
}

/** users.messages.list. */
export interface GmailMessageList {
  messages?: GmailMessageRef[];
  nextPageToken?: string;
  resultSizeEstimate?: number;
}

export interface GmailHeader {
  name: string;
  value: string;
}

/** MessagePartBody: `data` is base64url, already decoded from the part's Content-Transfer-Encoding. */
export interface GmailPartBody {
  attachmentId?: string;
  size: number;
  data?: string;
}

/** MessagePart: the top-level one carries the RFC 2822 headers; multipart/* ones carry `parts`. */
export interface GmailPart {
  partId?: string;
  mimeType: string;
  filename?: string;
  headers?: GmailHeader[];
  body?: GmailPartBody;
  parts?: GmailPart[];
}

/** users.messages.get with format=full. */
export interface GmailMessage {
  id: string;
  threadId: string;
  labelIds?: string[];
  snippet?: string;
  historyId?: string;
  /** Epoch milliseconds, as a string: when Google accepted the message. */
  internalDate?: string;
  payload?: GmailPart;
  sizeEstimate?: number;
}

/** One History record: what changed in the mailbox at that history id. */
export interface GmailHistory {
  id: string;
  messages?: GmailMessageRef[];
  messagesAdded?: Array<{ message: GmailMessageRef }>;
  messagesDeleted?: Array<{ message: GmailMessageRef }>;
  labelsAdded?: Array<{ message: GmailMessageRef; labelIds: string[] }>;
  labelsRemoved?: Array<{ message: GmailMessageRef; labelIds: string[] }>;
}

/** users.history.list: records in chronological order (increasing history id). */
export interface GmailHistoryList {
  history?: GmailHistory[];
  nextPageToken?: string;
  /** The mailbox's current history id. */
  historyId: string;
}

/** users.watch. `expiration` is epoch milliseconds (int64, so a string in JSON). */
export interface GmailWatch {
  historyId: string;
  expiration: string | number;
}

/** Google's error body: `{ error: { code, message, errors: [{ domain, reason, message }], status } }`. */
export interface GoogleError {
  error?: { code?: number; message?: string; status?: string; errors?: Array<{ reason?: string }> };
}

type Ctx = ConnectorContext<GmailConfig>;

export interface GmailClient {
  /** users.getProfile as the raw response, for `check` to read a refusal. */
  getProfile(): Promise<Response>;
  profile(): Promise<GmailProfile>;
  listMessages(options: { pageToken?: string; q?: string; labelId?: string }): Promise<GmailMessageList>;
  /** The message, or undefined when Gmail no longer has it (404: deleted since it was listed). */
  getMessage(id: string): Promise<GmailMessage | undefined>;
  /** A page of history, or "expired" when Gmail answers 404: the start history id is too old. */
  listHistory(options: {
    startHistoryId: string;
    pageToken?: string;
    labelId?: string;
  }): Promise<GmailHistoryList | "expired">;
  watch(request: { topicName: string; labelIds?: string[] }): Promise<GmailWatch>;
}

/** A client for one run: it remembers the access token it refreshed, so it refreshes at most once. */
export function createGmailClient(ctx: Ctx): GmailClient {
  const { config } = ctx;
  const canRefresh = Boolean(config.refreshToken && config.clientId && config.clientSecret);
  let accessToken = config.accessToken;
  let refreshed = false;

  async function refresh(): Promise<string> {
    const url = GOOGLE_TOKEN_ENDPOINT;
    const body = new URLSearchParams({
      client_id: config.clientId ?? "",
      client_secret: config.clientSecret ?? "",
      refresh_token: config.refreshToken ?? "",
      grant_type: "refresh_token",
    });
    // Asking twice only mints two valid tokens, so the POST may be retried like a read.
    const response = await ctx.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body,
      idempotent: true,
    });
    if (!response.ok) {
      const detail = (await response.json().catch(() => ({}))) as { error?: string };
      throw new HttpError(
        `Google refused to refresh the access token (${response.status} ${detail.error ?? ""}): the refresh token was revoked or expired, or the client id and secret are wrong; connect the mailbox again.`,
        { method: "POST", url, status: response.status, attempts: 1 },
      );
    }
    const token = (await response.json()) as { access_token?: string };
    if (!token.access_token) throw new Error("Google's token endpoint answered without an access_token.");
    refreshed = true;
    ctx.logger.debug("Refreshed the Gmail access token.");
    return token.access_token;
  }

  /** A Gmail call with the bearer token; a 401 gets one refresh and one more try, when it can. */
  async function call(url: URL, init: { method?: string; body?: string } = {}): Promise<Response> {
    if (!accessToken) accessToken = await refresh();
    const send = (token: string) =>
      ctx.fetch(url, {
        method: init.method ?? "GET",
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(init.body ? { "content-type": "application/json" } : {}),
        },
        body: init.body,
      });
    let response = await send(accessToken);
    if (response.status === 401 && canRefresh && !refreshed) {
      await discard(response);
      accessToken = await refresh();
      response = await send(accessToken);
    }
    return response;
  }

  /** The JSON of a success; a 401 or any other failure becomes an HttpError that says what to do. */
  async function parse<T>(response: Response, url: URL, method = "GET"): Promise<T> {
    if (response.status === 401) {
      throw new HttpError(
        `${method} ${url.origin}${url.pathname}: Gmail refused the access token (401 ${await errorMessage(response)}); ${canRefresh ? "the refreshed token was refused too" : "give a new access token, or a refresh token with the OAuth client id and secret"}.`,
        { method, url: url.toString(), status: 401, attempts: 1 },
      );
    }
    return (await (await expectOk(response, { url, method })).json()) as T;
  }

  async function json<T>(url: URL, init?: { method?: string; body?: string }): Promise<T> {
    return parse<T>(await call(url, init), url, init?.method);
  }

  return {
    getProfile: () => call(new URL(`${GMAIL_API}/profile`)),

    profile: () => json<GmailProfile>(new URL(`${GMAIL_API}/profile`)),

    listMessages({ pageToken, q, labelId }) {
      const url = new URL(`${GMAIL_API}/messages`);
      url.searchParams.set("maxResults", "100");
      if (q) url.searchParams.set("q", q);
      if (labelId) url.searchParams.append("labelIds", labelId);
      if (pageToken) url.searchParams.set("pageToken", pageToken);
      return json<GmailMessageList>(url);
    },

    async getMessage(id) {
      const url = new URL(`${GMAIL_API}/messages/${encodeURIComponent(id)}`);
      url.searchParams.set("format", "full");
      const response = await call(url);
      if (response.status === 404) {
        await discard(response);
        return undefined;
      }
      return parse<GmailMessage>(response, url);
    },

    async listHistory({ startHistoryId, pageToken, labelId }) {
      const url = new URL(`${GMAIL_API}/history`);
      url.searchParams.set("startHistoryId", startHistoryId);
      url.searchParams.append("historyTypes", "messageAdded");
      url.searchParams.append("historyTypes", "messageDeleted");
      url.searchParams.set("maxResults", "500");
      if (labelId) url.searchParams.set("labelId", labelId);
      if (pageToken) url.searchParams.set("pageToken", pageToken);
      const response = await call(url);
      if (response.status === 404) {
        await discard(response);
        return "expired";
      }
      return parse<GmailHistoryList>(response, url);
    },

    watch({ topicName, labelIds }) {
      const body = labelIds?.length ? { topicName, labelIds, labelFilterBehavior: "INCLUDE" } : { topicName };
      return json<GmailWatch>(new URL(`${GMAIL_API}/watch`), { method: "POST", body: JSON.stringify(body) });
    },
  };
}

/** Reads a response we do not use to its end, so that its connection is free again. */
async function discard(response: Response): Promise<void> {
  await response.arrayBuffer().catch(() => undefined);
}

/** The `error.message` of Google's error body, or the status text. */
export async function errorMessage(response: Response): Promise<string> {
  const body = (await response.json().catch(() => ({}))) as GoogleError;
  return body.error?.message ?? response.statusText;
}

const RATE_LIMIT_REASONS = new Set(["rateLimitExceeded", "userRateLimitExceeded"]);

/**
 * Gmail also signals throttling with 403 and `reason: "rateLimitExceeded" | "userRateLimitExceeded"`
 * (Resolve errors guide): retry those like a 429. Other 403s (no permission, daily limit) stand.
 */
export async function gmailRateLimit(response: Response) {
  if (response.status !== 403) return undefined;
  const body = (await response
    .clone()
    .json()
    .catch(() => ({}))) as GoogleError;
  const reason = body.error?.errors?.find((item) => RATE_LIMIT_REASONS.has(item.reason ?? ""))?.reason;
  if (!reason) return undefined;
  const seconds = Number(response.headers.get("retry-after"));
  return {
    retry: true,
    waitMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 5_000,
    reason: `403 ${reason}`,
  };
}
