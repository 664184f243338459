// The Gmail connector against msw handlers that answer like the Gmail API (plugins/gmail/fixtures hold
// its documented payloads), through the SDK's test kit: full and partial syncs, the 404 fallback,
// throttling and outages, malformed messages, Pub/Sub push deliveries, and .eml / mbox import.
import { readFileSync } from "node:fs";
import { type ConnectorRecord, HttpError, validateRecord } from "cx-hub/sdk";
import { expectAcceptance, runCheck, runStream, runWebhook, webhookRequest } from "cx-hub/sdk/testing";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import gmail, { importMailbox } from "../../plugins/gmail/index.ts";

const fixtureUrl = (name: string) => new URL(`../../plugins/gmail/fixtures/${name}`, import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(fixtureUrl(name), "utf8"));

const API = "https://gmail.googleapis.com/gmail/v1/users/me";
const TOKEN_ENDPOINT = "https://oauth2.googleapis.com/token";
const TOKEN = "ya29.a0AfB_test-access-token-0123456789";
const PUSH_TOKEN = "push-secret-0123456789abcdef";
const MAILBOX = "support@acme.example";
const config = { mailbox: MAILBOX, accessToken: TOKEN, pushToken: PUSH_TOKEN };

/** The fixtures' Gmail message ids. */
const ID = {
  anaKettle: "18e3f1a2b4c5d601",
  replyToAna: "18e3f9c07d2e4a10",
  jose: "18e4a0b1c2d3e4f5",
  li: "18e4b7d9e0f1a2b3",
  anaThanks: "18e5c2d3e4f5a6b7",
};
const KETTLE_THREAD = ID.anaKettle;
const PAGE_2_TOKEN = "09164220281834760891";
const HISTORY_PAGE_2_TOKEN = "04312870094512006518";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function googleError(status: number, name = `error-${status}.json`, retryAfter?: string) {
  return HttpResponse.json(fixture(name), {
    status,
    ...(retryAfter && { headers: { "Retry-After": retryAfter } }),
  });
}

/**
 * The Gmail API as the connector uses it. Like Gmail, it answers 401 to any other bearer token, 400
 * to a request missing what the method requires, and 404 to an unknown message or an expired
 * startHistoryId. Every request is recorded in `seen`.
 */
function gmailApi(
  options: {
    token?: string;
    messages?: Record<string, unknown>;
    labelId?: string;
    /** "unchanged": the mailbox as the profile shows it, with no history after its historyId. */
    history?: "unchanged";
  } = {},
) {
  const seen: URL[] = [];
  const token = options.token ?? TOKEN;
  const messages: Record<string, unknown> = {
    ...Object.fromEntries(Object.values(ID).map((id) => [id, fixture(`message-${id}.json`)])),
    ...options.messages,
  };
  const authorized = (request: Request) => {
    seen.push(new URL(request.url));
    return request.headers.get("authorization") === `Bearer ${token}`;
  };
  const badRequest = (message: string) =>
    HttpResponse.json(
      { error: { code: 400, message, errors: [{ message, domain: "global", reason: "invalidArgument" }] } },
      { status: 400 },
    );
  const handlers = [
    http.get(`${API}/profile`, ({ request }) =>
      authorized(request) ? HttpResponse.json(fixture("profile.json")) : googleError(401),
    ),
    http.get(`${API}/messages`, ({ request }) => {
      if (!authorized(request)) return googleError(401);
      const query = new URL(request.url).searchParams;
      if (query.get("maxResults") !== "100") return badRequest("maxResults");
      if ((query.get("labelIds") ?? undefined) !== options.labelId) return badRequest("labelIds");
      const pageToken = query.get("pageToken");
      if (pageToken === null) return HttpResponse.json(fixture("messages-list-page-1.json"));
      if (pageToken === PAGE_2_TOKEN) return HttpResponse.json(fixture("messages-list-page-2.json"));
      return badRequest("Invalid pageToken");
    }),
    http.get(`${API}/messages/:id`, ({ request, params }) => {
      if (!authorized(request)) return googleError(401);
      if (new URL(request.url).searchParams.get("format") !== "full") return badRequest("format");
      const message = messages[String(params.id)];
      return message ? HttpResponse.json(message) : googleError(404, "error-404-history.json");
    }),
    http.get(`${API}/history`, ({ request }) => {
      if (!authorized(request)) return googleError(401);
      const query = new URL(request.url).searchParams;
      if (query.getAll("historyTypes").join(",") !== "messageAdded,messageDeleted") {
        return badRequest("historyTypes");
      }
      if ((query.get("labelId") ?? undefined) !== options.labelId) return badRequest("labelId");
      const start = query.get("startHistoryId");
      if (start === null) return badRequest("startHistoryId is required");
      // Gmail keeps about a week of history: an older start answers 404.
      if (Number(start) < 40_000) return googleError(404, "error-404-history.json");
      // Nothing changed since: Gmail answers the current historyId, without history or nextPageToken.
      if (options.history === "unchanged")
        return HttpResponse.json({ historyId: fixture("profile.json").historyId });
      const pageToken = query.get("pageToken");
      if (pageToken === null) return HttpResponse.json(fixture("history-page-1.json"));
      if (pageToken === HISTORY_PAGE_2_TOKEN) return HttpResponse.json(fixture("history-page-2.json"));
      return badRequest("Invalid pageToken");
    }),
  ];
  return { handlers, seen };
}

const calls = (seen: URL[], path: string) =>
  seen.filter((url) => url.pathname === `/gmail/v1/users/me${path}`);
const email = (value: string) => ({ kind: "email", namespace: "", value });
const interactions = (records: ConnectorRecord[]) =>
  records.filter(
    (record): record is Extract<ConnectorRecord, { type: "interaction" }> => record.type === "interaction",
  );

describe("the Gmail connector's messages stream", () => {
  test("passes the SDK's acceptance checks on one mailbox, throttled as Gmail throttles", async () => {
    server.use(...gmailApi({ history: "unchanged" }).handlers);
    await expectAcceptance(gmail, { config, rateLimited: () => googleError(429, "error-429.json", "7") });
  });

  test("a full sync reads both pages of messages.list, fetches each message and checkpoints the profile's historyId", async () => {
    const api = gmailApi();
    server.use(...api.handlers);

    const run = await runStream(gmail, "messages", { config });

    expect(run.invalid).toEqual([]);
    expect(calls(api.seen, "/profile")).toHaveLength(1);
    expect(calls(api.seen, "/messages").map((url) => url.searchParams.get("pageToken"))).toEqual([
      null,
      PAGE_2_TOKEN,
    ]);
    expect(
      api.seen
        .filter((url) => url.pathname.includes("/messages/"))
        .map((url) => url.pathname.split("/").at(-1)),
    ).toEqual([ID.li, ID.jose, ID.replyToAna, ID.anaKettle]);
    // One checkpoint, last: the listing is newest first, so only its end is a safe place to resume.
    expect(run.checkpoints).toEqual([{ historyId: "48230" }]);
    expect(run.outputs.at(-1)).toEqual({ type: "checkpoint", cursor: { historyId: "48230" } });
    expect(run.records.map((record) => record.type)).toEqual([
      "customer",
      "interaction",
      "customer",
      "interaction",
      "customer",
      "interaction",
      "customer",
      "interaction",
    ]);

    const [li, jose, reply, kettle] = interactions(run.records);
    // multipart/alternative: the text/plain part, decoded from base64url as UTF-8 (the euro sign).
    expect(kettle).toEqual({
      type: "interaction",
      externalId: ID.anaKettle,
      identities: [email("ana.souza@example.com")],
      channel: "email",
      kind: "email.received",
      direction: "inbound",
      occurredAt: new Date("2026-03-02T08:55:12Z"),
      sourceUpdatedAt: new Date("2026-03-02T08:55:12Z"),
      summary: "My kettle arrived broken",
      body: "Hello,\n\nThe kettle I ordered (order #1042) arrived broken and nobody has answered my emails for a week. I paid 49,90 € for it. This is terrible service.\n\nAna",
      // On the hub's scale: broken −1, terrible −3, s = −4, and −4 / √(16 + 15) = −0.718.
      sentiment: -0.718,
      conversationId: KETTLE_THREAD,
      metadata: {
        from: "Ana.Souza@Example.com",
        to: [MAILBOX],
        cc: [],
        messageId: "CAJx7Lm0fQ2r8T1kZp4u9WcHq3Nn5yB6vXo@mail.example.com",
        labelIds: ["IMPORTANT", "CATEGORY_PERSONAL", "INBOX"],
      },
    });

    // From the inbox: outbound, to the customer in To, in the same thread; no sentiment for our words.
    expect(reply).toEqual({
      type: "interaction",
      externalId: ID.replyToAna,
      identities: [email("ana.souza@example.com")],
      channel: "email",
      kind: "email.sent",
      direction: "outbound",
      occurredAt: new Date("2026-03-02T10:41:30Z"),
      sourceUpdatedAt: new Date("2026-03-02T10:41:30Z"),
      summary: "Re: My kettle arrived broken",
      body: expect.stringMatching(/^Hi Ana,\n\nSorry about the kettle\. A replacement ships today/),
      conversationId: KETTLE_THREAD,
      metadata: expect.objectContaining({ from: MAILBOX, labelIds: ["SENT"] }),
    });
    expect(reply).not.toHaveProperty("sentiment");

    // ISO-8859-1 parts and RFC 2047 headers; the PDF attachment is not the body.
    expect(jose).toMatchObject({
      externalId: ID.jose,
      identities: [email("jose.perez@example.es")],
      direction: "inbound",
      summary: "Café grinder works perfectly",
      body: "Hello,\n\nThe café grinder works perfectly, thank you so much for the quick delivery!\n\nJosé",
      conversationId: ID.jose,
    });
    // perfectly +3, thank +2: s = 5, and 5 / √40 = 0.791.
    expect(jose?.sentiment).toBe(0.791);
    expect(run.records[2]).toEqual({
      type: "customer",
      identities: [email("jose.perez@example.es")],
      displayName: "José Pérez",
    });

    // Only an HTML part: its text.
    expect(li).toMatchObject({
      externalId: ID.li,
      direction: "inbound",
      body: "Hello,\n\nCould you send me the invoice for order 1043?\nThanks,\nLi",
      occurredAt: new Date("2026-03-04T09:20:00Z"),
    });
  });

  test("a partial sync reads history from the cursor: added messages as interactions, deleted ones as deletions", async () => {
    const api = gmailApi();
    server.use(...api.handlers);

    const run = await runStream(gmail, "messages", { config, cursor: { historyId: "48230" } });

    expect(run.invalid).toEqual([]);
    expect(calls(api.seen, "/history").map((url) => url.searchParams.get("startHistoryId"))).toEqual([
      "48230",
      "48230",
    ]);
    expect(calls(api.seen, "/profile")).toEqual([]);
    expect(calls(api.seen, "/messages")).toEqual([]);
    expect(run.outputs.map((output) => output.type)).toEqual([
      "customer",
      "interaction",
      "checkpoint",
      "deletion",
      "checkpoint",
    ]);
    // After each page, the last record's id; after the last, the mailbox's current historyId.
    expect(run.checkpoints).toEqual([{ historyId: "48236" }, { historyId: "48251" }]);
    const [thanks] = interactions(run.records);
    expect(thanks).toMatchObject({
      externalId: ID.anaThanks,
      identities: [email("ana.souza@example.com")],
      kind: "email.received",
      conversationId: KETTLE_THREAD,
      occurredAt: new Date("2026-03-05T16:10:05Z"),
    });
    // Scored on Ana's own words (thank +2, great +3: s = 5, 5 / √40 = 0.791). The quote of our reply
    // under them ("Acme Support … wrote:", "Sorry about the kettle") would add support +2 twice and
    // sorry −1: the whole body scores 8 / √79 = 0.900.
    expect(thanks?.sentiment).toBe(0.791);
    expect(run.records.find((record) => record.type === "deletion")).toEqual({
      type: "deletion",
      entity: "interaction",
      externalId: ID.li,
      reason: "deleted in Gmail",
    });
  });

  test("skips an added message Gmail no longer has (404 on messages.get) without failing the run", async () => {
    const api = gmailApi({ messages: { [ID.anaThanks]: undefined } });
    server.use(...api.handlers);

    const run = await runStream(gmail, "messages", { config, cursor: { historyId: "48230" } });

    expect(api.seen.some((url) => url.pathname.endsWith(`/messages/${ID.anaThanks}`))).toBe(true);
    expect(run.invalid).toEqual([]);
    expect(run.outputs.map((output) => output.type)).toEqual(["checkpoint", "deletion", "checkpoint"]);
  });

  test("when Gmail answers 404 to an expired startHistoryId, it says so and runs a full sync", async () => {
    const api = gmailApi();
    server.use(...api.handlers);
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} };

    const run = await runStream(gmail, "messages", { config, cursor: { historyId: "1200" }, logger });

    expect(calls(api.seen, "/history")).toHaveLength(1);
    expect(calls(api.seen, "/messages")).toHaveLength(2);
    expect(warnings).toEqual([expect.stringMatching(/historyId 1200 .*404.*running a full sync instead/)]);
    expect(interactions(run.records).map((record) => record.externalId)).toEqual([
      ID.li,
      ID.jose,
      ID.replyToAna,
      ID.anaKettle,
    ]);
    expect(run.checkpoints).toEqual([{ historyId: "48230" }]);
  });

  test("waits as long as a 429's Retry-After says, then goes on", async () => {
    const api = gmailApi();
    let throttled = 0;
    server.use(
      http.get(`${API}/messages/${ID.jose}`, () => {
        if (throttled++ > 0) return undefined; // passes through to the ordinary handler
        return HttpResponse.json(fixture("error-429.json"), { status: 429, headers: { "Retry-After": "7" } });
      }),
      ...api.handlers,
    );

    const run = await runStream(gmail, "messages", { config });

    expect(throttled).toBe(2);
    expect(run.waits.map((wait) => [wait.ms, wait.reason])).toEqual([[7000, "429 Too Many Requests"]]);
    expect(interactions(run.records)).toHaveLength(4);
    expect(run.checkpoints).toEqual([{ historyId: "48230" }]);
  });

  test("retries Gmail's 403 userRateLimitExceeded like a 429, but not other 403s", async () => {
    const api = gmailApi();
    let throttled = 0;
    server.use(
      http.get(`${API}/messages/${ID.li}`, () =>
        throttled++ === 0
          ? HttpResponse.json(fixture("error-403-rate-limit.json"), { status: 403 })
          : undefined,
      ),
      ...api.handlers,
    );

    const run = await runStream(gmail, "messages", { config });

    expect(run.waits.map((wait) => wait.reason)).toEqual(["403 userRateLimitExceeded"]);
    expect(interactions(run.records)).toHaveLength(4);

    const forbidden = {
      error: {
        code: 403,
        message: "Insufficient Permission",
        errors: [{ reason: "insufficientPermissions" }],
      },
    };
    server.use(http.get(`${API}/messages/${ID.li}`, () => HttpResponse.json(forbidden, { status: 403 })));
    const failure = await runStream(gmail, "messages", { config }).catch((error) => error);
    expect(failure).toBeInstanceOf(HttpError);
    expect(failure).toMatchObject({ status: 403, attempts: 1 });
  });

  test("retries a 503 with backoff, and gives up with a clear error when it persists", async () => {
    const api = gmailApi();
    let outages = 0;
    server.use(
      http.get(`${API}/history`, () => (outages++ === 0 ? googleError(503) : undefined)),
      ...api.handlers,
    );
    const run = await runStream(gmail, "messages", { config, cursor: { historyId: "48230" } });
    expect(run.waits.map((wait) => wait.reason)).toEqual(["503 Service Unavailable"]);
    expect(run.checkpoints).toEqual([{ historyId: "48236" }, { historyId: "48251" }]);

    server.use(http.get(`${API}/history`, () => googleError(503)));
    const failure = await runStream(gmail, "messages", {
      config,
      cursor: { historyId: "48230" },
      http: { maxAttempts: 3 },
    }).catch((error) => error);
    expect(failure).toBeInstanceOf(HttpError);
    expect(failure).toMatchObject({ status: 503, attempts: 3 });
    expect(failure.message).toMatch(
      /^GET https:\/\/gmail\.googleapis\.com\/gmail\/v1\/users\/me\/history\?.* failed after 3 attempts: 503/,
    );
  });

  test("reports a message without a From header as invalid, and keeps the others", async () => {
    const broken = fixture(`message-${ID.jose}.json`);
    broken.payload.headers = broken.payload.headers.filter(
      (header: { name: string }) => header.name !== "From",
    );
    const api = gmailApi({ messages: { [ID.jose]: broken } });
    server.use(...api.handlers);

    const run = await runStream(gmail, "messages", { config });

    expect(run.invalid).toHaveLength(1);
    expect(run.invalid[0]?.payload).toMatchObject({
      type: "interaction",
      externalId: ID.jose,
      identities: [],
    });
    expect(run.invalid[0]?.issues).toEqual([
      { path: "identities", message: expect.stringMatching(/at least one identity/) },
    ]);
    expect(interactions(run.records).map((record) => record.externalId)).toEqual([
      ID.li,
      ID.replyToAna,
      ID.anaKettle,
    ]);
    expect(run.checkpoints).toEqual([{ historyId: "48230" }]);
  });

  test("filters the sync by the configured label, in messages.list and history.list alike", async () => {
    const api = gmailApi({ labelId: "INBOX" });
    server.use(...api.handlers);
    const labelled = { ...config, labelId: "INBOX" };

    await runStream(gmail, "messages", { config: labelled });
    await runStream(gmail, "messages", { config: labelled, cursor: { historyId: "48230" } });

    expect(calls(api.seen, "/messages").map((url) => url.searchParams.get("labelIds"))).toEqual([
      "INBOX",
      "INBOX",
    ]);
    expect(calls(api.seen, "/history").map((url) => url.searchParams.get("labelId"))).toEqual([
      "INBOX",
      "INBOX",
    ]);
  });

  test("keeps the users.watch on the Pub/Sub topic alive, renewing it only when it runs out within 6 days", async () => {
    const api = gmailApi();
    const watches: unknown[] = [];
    server.use(
      http.post(`${API}/watch`, async ({ request }) => {
        if (request.headers.get("authorization") !== `Bearer ${TOKEN}`) return googleError(401);
        watches.push(await request.json());
        return HttpResponse.json(fixture("watch.json"));
      }),
      ...api.handlers,
    );
    const watched = { ...config, pubsubTopic: "projects/acme-cx/topics/gmail-support" };

    const first = await runStream(gmail, "messages", { config: watched, cursor: { historyId: "48230" } });
    expect(watches).toEqual([{ topicName: "projects/acme-cx/topics/gmail-support" }]);
    const expiration = fixture("watch.json").expiration;
    expect(first.checkpoints.at(-1)).toEqual({ historyId: "48251", watchExpiration: expiration });

    const later = String(Date.now() + 7 * 24 * 60 * 60 * 1000);
    const second = await runStream(gmail, "messages", {
      config: watched,
      cursor: { historyId: "48251", watchExpiration: later },
    });
    expect(watches).toHaveLength(1);
    expect(second.checkpoints.at(-1)).toEqual({ historyId: "48251", watchExpiration: later });
  });

  test("does not call users.watch during a dry run, which changes nothing at Google either", async () => {
    const api = gmailApi();
    const watches: unknown[] = [];
    server.use(
      http.post(`${API}/watch`, async ({ request }) => {
        watches.push(await request.json());
        return HttpResponse.json(fixture("watch.json"));
      }),
      ...api.handlers,
    );
    const watched = { ...config, pubsubTopic: "projects/acme-cx/topics/gmail-support" };

    const dry = await runStream(gmail, "messages", {
      config: watched,
      cursor: { historyId: "48230" },
      dryRun: true,
    });
    expect(watches).toEqual([]);
    expect(dry.checkpoints.at(-1)).toEqual({ historyId: "48251" });
    expect(dry.records.length).toBeGreaterThan(0);
  });

  test("renews the access token with the refresh token when there is none or Gmail refuses it", async () => {
    const refreshed = fixture("token-refresh.json").access_token;
    const forms: URLSearchParams[] = [];
    const api = gmailApi({ token: refreshed });
    server.use(
      http.post(TOKEN_ENDPOINT, async ({ request }) => {
        const form = new URLSearchParams(await request.text());
        forms.push(form);
        return form.get("refresh_token") === "1//0refresh-token-abcdef"
          ? HttpResponse.json(fixture("token-refresh.json"))
          : HttpResponse.json({ error: "invalid_grant", error_description: "Bad Request" }, { status: 400 });
      }),
      ...api.handlers,
    );
    const oauth = {
      mailbox: MAILBOX,
      refreshToken: "1//0refresh-token-abcdef",
      clientId: "1234567890-abc.apps.googleusercontent.com",
      clientSecret: "GOCSPX-client-secret",
    };

    const fresh = await runStream(gmail, "messages", { config: oauth, cursor: { historyId: "48230" } });
    const stale = await runStream(gmail, "messages", {
      config: { ...oauth, accessToken: "ya29.expired-token-0000" },
      cursor: { historyId: "48230" },
    });

    expect(fresh.checkpoints.at(-1)).toEqual({ historyId: "48251" });
    expect(stale.checkpoints.at(-1)).toEqual({ historyId: "48251" });
    expect(forms).toHaveLength(2);
    expect(Object.fromEntries(forms[0] ?? [])).toEqual({
      grant_type: "refresh_token",
      refresh_token: "1//0refresh-token-abcdef",
      client_id: "1234567890-abc.apps.googleusercontent.com",
      client_secret: "GOCSPX-client-secret",
    });

    const revoked = await runStream(gmail, "messages", {
      config: { ...oauth, refreshToken: "1//0revoked-token-000" },
      cursor: { historyId: "48230" },
    }).catch((error) => error);
    expect(revoked).toBeInstanceOf(HttpError);
    expect(revoked.message).toMatch(
      /refused to refresh the access token \(400 invalid_grant\).*connect the mailbox again/,
    );
  });

  test("refuses a stored cursor of another shape, and a configuration without credentials", async () => {
    server.use(...gmailApi().handlers);
    await expect(runStream(gmail, "messages", { config, cursor: { page: 3 } })).rejects.toThrow(
      /stored checkpoint of stream "messages" of plugin .*Reset the stream's checkpoint/,
    );
    await expect(runStream(gmail, "messages", { config: { mailbox: MAILBOX } })).rejects.toThrow(
      /accessToken: Give an access token, or a refresh token/,
    );
  });
});

describe("the Gmail connector's check", () => {
  test("names the mailbox the token opens, or says why it cannot", async () => {
    server.use(...gmailApi().handlers);

    expect(await runCheck(gmail, { config })).toEqual({
      ok: true,
      message: "Connected to the Gmail mailbox support@acme.example (4 messages).",
    });
    expect(await runCheck(gmail, { config: { ...config, accessToken: "ya29.wrong-token-000" } })).toEqual({
      ok: false,
      message: "Google refused the access token (Invalid Credentials): connect the mailbox again.",
    });
    expect(await runCheck(gmail, { config: { ...config, mailbox: "sales@acme.example" } })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^The token opens support@acme\.example, not sales@acme\.example/),
    });
  });
});

describe("the Gmail connector's push notifications", () => {
  const push = (body: unknown, token: string | null = PUSH_TOKEN) =>
    webhookRequest({
      body,
      url: `https://hub.example.com/webhooks/gmail${token === null ? "" : `?token=${token}`}`,
      headers: { "user-agent": "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)" },
    });

  test("accepts a Pub/Sub push with the right token: no records, a sync of the messages stream now", async () => {
    const run = await runWebhook(gmail, push(fixture("push-notification.json")), { config });

    expect(run.status).toBe(200);
    expect(run.verification).toEqual({ valid: true, deliveryId: "2070443601311540" });
    expect(run.records).toEqual([]);
    expect(run.sync).toEqual({
      reason: "Gmail reports changes in support@acme.example up to historyId 48251",
    });
  });

  test("answers 401 to a push without the token or with another one", async () => {
    const body = fixture("push-notification.json");
    const wrong = await runWebhook(gmail, push(body, "push-secret-someone-else"), { config });
    expect(wrong).toMatchObject({ status: 401, records: [] });
    expect(wrong.verification).toEqual({ valid: false, reason: "the push URL's token is missing or wrong" });
    expect((await runWebhook(gmail, push(body, null), { config })).status).toBe(401);

    const unconfigured = await runWebhook(gmail, push(body), {
      config: { mailbox: MAILBOX, accessToken: TOKEN },
    });
    expect(unconfigured.verification).toEqual({ valid: false, reason: "no push token is configured" });
  });

  test("answers 400 to a push body it cannot read", async () => {
    const notJson = await runWebhook(gmail, push("{ message: "), { config });
    expect(notJson).toMatchObject({
      status: 400,
      error: expect.stringMatching(/^The webhook body is not JSON/),
    });

    const noData = await runWebhook(
      gmail,
      push({ message: { messageId: "1" }, subscription: "projects/p/subscriptions/s" }),
      {
        config,
      },
    );
    expect(noData).toMatchObject({
      status: 400,
      error: expect.stringMatching(/^Not a Pub\/Sub push envelope: message\.data/),
    });

    const notGmail = await runWebhook(
      gmail,
      push({
        message: {
          data: Buffer.from(JSON.stringify({ hello: "world" })).toString("base64url"),
          messageId: "2",
        },
        subscription: "projects/p/subscriptions/s",
      }),
      { config },
    );
    expect(notGmail).toMatchObject({
      status: 400,
      error: expect.stringMatching(/^message\.data is not a Gmail notification .*emailAddress/),
    });
  });

  test("ignores a push about another mailbox sharing the topic", async () => {
    const body = fixture("push-notification.json");
    body.message.data = Buffer.from(
      JSON.stringify({ emailAddress: "sales@acme.example", historyId: 9 }),
    ).toString("base64url");
    const run = await runWebhook(gmail, push(body), { config });
    expect(run).toMatchObject({ status: 200, records: [] });
  });
});

describe("importing saved mail", () => {
  const imported = async (input: string | Uint8Array) => {
    const values = [];
    for await (const value of importMailbox(input, { mailbox: MAILBOX })) values.push(value);
    return values.map((value) => {
      const result = validateRecord(value);
      if (!result.success) throw new Error(result.reason);
      return result.data;
    });
  };

  test("an .eml message gives the same records as the stream, keyed by its Message-ID", async () => {
    const records = await imported(readFileSync(fixtureUrl("customer-reply.eml")));

    expect(records.map((record) => record.type)).toEqual(["customer", "interaction"]);
    expect(records[0]).toEqual({
      type: "customer",
      identities: [email("ana.souza@example.com")],
      displayName: "Ana Souza",
    });
    const [reply] = interactions(records);
    expect(reply).toEqual({
      type: "interaction",
      externalId: "CAJx7Lm4sX1d9Kf2Jq6Nw0Pe8Ub3Ya5Tr7c@mail.example.com",
      identities: [email("ana.souza@example.com")],
      channel: "email",
      kind: "email.received",
      direction: "inbound",
      occurredAt: new Date("2026-03-06T08:14:20Z"),
      summary: "Re: My kettle arrived broken – refund?",
      body: expect.stringMatching(
        /^Hello again,\n\nThe replacement kettle leaks as well\. I am really disappointed and angry\. Please refund the 49,90 €\.\n\nAna\n\nOn Mon/,
      ),
      sentiment: expect.any(Number),
      // The thread's first message, from References.
      conversationId: "CAJx7Lm0fQ2r8T1kZp4u9WcHq3Nn5yB6vXo@mail.example.com",
      metadata: {
        from: "ana.souza@example.com",
        to: [MAILBOX],
        cc: [],
        messageId: "CAJx7Lm4sX1d9Kf2Jq6Nw0Pe8Ub3Ya5Tr7c@mail.example.com",
      },
    });
    // Ana's own words: disappointed −2, angry −3, please +1, s = −4: −0.718. The quoted reply (support
    // +2 twice, sorry −1) does not count: the whole body would score −1 / √16 = −0.25.
    expect(reply?.sentiment).toBe(-0.718);

    // The same shape as the Gmail stream's interactions, metadata aside (imports have no labels), and
    // without a version: a saved file has no internalDate, the version Gmail documents for a message.
    server.use(...gmailApi().handlers);
    const synced = interactions((await runStream(gmail, "messages", { config })).records);
    const shape = (record: ConnectorRecord) =>
      Object.keys(record)
        .filter((key) => key !== "sourceUpdatedAt")
        .sort();
    expect(shape(reply as ConnectorRecord)).toEqual(shape(synced[3] as ConnectorRecord));
  });

  test("an mbox is split on its From_ lines, with >From lines unescaped and each part in its charset", async () => {
    const records = await imported(readFileSync(fixtureUrl("support-inbox.mbox")));
    const [question, answer, thanks] = interactions(records);

    expect(interactions(records)).toHaveLength(3);
    expect(question).toMatchObject({
      externalId: "1772616000.77215.li.wei@example.org",
      identities: [email("li.wei@example.org")],
      direction: "inbound",
      body: "Hello,\n\nCould you send me the invoice for order 1043?\nFrom the order page I only get a receipt.\n>From what I read, invoices are sent on request.\n\nThanks,\nLi",
      occurredAt: new Date("2026-03-04T09:20:00Z"),
      conversationId: "1772616000.77215.li.wei@example.org",
    });
    expect(answer).toMatchObject({
      kind: "email.sent",
      direction: "outbound",
      // The customer, not the inbox's colleague in Cc.
      identities: [email("li.wei@example.org")],
      body: expect.stringContaining("the total is 38,50 €.\nFrom now on you can download invoices"),
      conversationId: "1772616000.77215.li.wei@example.org",
    });
    expect(answer).not.toHaveProperty("sentiment");
    expect(thanks).toMatchObject({
      externalId: "20260305123000.7C1D2E3F40@mx.example.es",
      identities: [email("jose.perez@example.es")],
      summary: "Molinillo de café",
      body: "Hola,\n\nThe grinder is great, thanks a lot!\n\nJosé",
      // No Date header: the time on the From_ line.
      occurredAt: new Date("2026-03-05T12:30:00Z"),
    });
    // great +3, thanks +2: s = 5, 0.791.
    expect(thanks?.sentiment).toBe(0.791);

    // Read as text rather than bytes, the mbox says the same.
    expect(await imported(readFileSync(fixtureUrl("support-inbox.mbox"), "utf8"))).toEqual(records);
  });
});
