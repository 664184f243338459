// The meta-comments connector against msw handlers that answer like the Graph API: Meta's documented
// payloads (plugins/meta-comments/fixtures), paged by `after` cursors, refusing a wrong token, wrong
// fields or an unknown cursor with Graph's error envelope, and throttling with its codes and headers.
import { readFileSync } from "node:fs";
import { hmacSha256, validateRecord } from "cx-hub/sdk";
import {
  expectAcceptance,
  runCheck,
  runStream,
  runWebhook,
  signedRequest,
  webhookRequest,
} from "cx-hub/sdk/testing";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import connector from "../../plugins/meta-comments/index.ts";
import { recordInteractionInputSchema } from "../../src/domain/interactions/interaction-input.ts";
import { toInteractionInput } from "../connectors/ingest/unparsed-inputs.ts";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are Meta's JSON, edited freely in tests.
type Json = any;
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../plugins/meta-comments/fixtures/${name}`, import.meta.url), "utf8"));

const GRAPH = "https://graph.facebook.com/v26.0";
const PAGE_ID = "104615345678901";
const IG_USER_ID = "17841405822304914";
const TOKEN = "EAAGm0PX4ZCpsBAFakePageAccessToken0123456789";
const APP_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const VERIFY_TOKEN = "acme-kitchen-webhooks-2026";
const PROOF = hmacSha256(APP_SECRET, TOKEN);

const fbConfig = {
  network: "facebook",
  accountId: PAGE_ID,
  accessToken: TOKEN,
  appSecret: APP_SECRET,
  verifyToken: VERIFY_TOKEN,
};
const igConfig = { ...fbConfig, network: "instagram", accountId: IG_USER_ID };

const POST_3 = `${PAGE_ID}_913200000000003`;
const POST_2 = `${PAGE_ID}_913200000000002`;
const POST_1 = `${PAGE_ID}_913200000000001`;
const COMMENT_FIELDS = "id,created_time,message,from,parent{id,from}";
const IG_COMMENT_FIELDS = "id,text,timestamp,username,from,parent_id,user";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Graph's error envelope with its HTTP status. */
function graphError(name: string, status = 400, headers?: Record<string, string>) {
  return HttpResponse.json(fixture(name), { status, headers });
}

/** Graph's answer to a wrong query: `(#100)` with the parameter named. */
function invalidParameter(message: string) {
  return HttpResponse.json(
    { error: { message: `(#100) ${message}`, type: "OAuthException", code: 100, fbtrace_id: "AzX0qTest" } },
    { status: 400 },
  );
}

/** Refuses a request without the connector's token and appsecret_proof, as Graph does. */
function refused(url: URL) {
  if (url.searchParams.get("access_token") !== TOKEN) return graphError("graph-error-token-expired.json");
  if (url.searchParams.get("appsecret_proof") !== PROOF) {
    return invalidParameter("Invalid appsecret_proof provided in the API argument");
  }
  return undefined;
}

/** Serves pages in order: no `after` → the first; a page's `after` cursor → the page following it. */
function paged(url: URL, pages: Json[]) {
  const after = url.searchParams.get("after");
  if (after === null) return HttpResponse.json(pages[0]);
  const index = pages.findIndex((page) => page.paging?.cursors?.after === after);
  const next = pages[index + 1];
  return index >= 0 && next ? HttpResponse.json(next) : invalidParameter("The after cursor is invalid");
}

/** Every item of `pages` created at or after the query's `since` (Unix seconds), in one page. */
function createdSince(url: URL, pages: Json[]) {
  const since = Number(url.searchParams.get("since")) * 1000;
  const items = pages.flatMap((page) => page.data as Array<{ created_time: string }>);
  return HttpResponse.json({ data: items.filter((item) => Date.parse(item.created_time) >= since) });
}

/** Checks the query a handler expects; answers Graph's (#100) when a parameter differs. */
function expectQuery(url: URL, expected: Record<string, string>) {
  for (const [key, value] of Object.entries(expected)) {
    if (url.searchParams.get(key) !== value) {
      return invalidParameter(`Param ${key} must be ${value}, got ${url.searchParams.get(key)}`);
    }
  }
  return undefined;
}

const COMMENT_PAGES: Record<string, Json[]> = {
  [POST_3]: [fixture("fb-comments-post-3-page-1.json"), fixture("fb-comments-post-3-page-2.json")],
  [POST_2]: [fixture("fb-comments-post-2.json")],
  [POST_1]: [fixture("fb-comments-post-1.json")],
};
const COMMENTS_SINCE: Record<string, Json> = {
  [POST_3]: fixture("fb-comments-post-3-since.json"),
  [POST_2]: fixture("fb-comments-post-2-since.json"),
  [POST_1]: fixture("fb-comments-post-1-since.json"),
};

/** The Page feed, its posts' comments and comment nodes; `seen` collects every request's URL. */
function facebookApi(
  options: {
    seen?: URL[];
    feedSince?: number;
    commentsSince?: number;
    comments?: Record<string, Json[]>;
    /**
     * Answer any `since` from the fixtures themselves, as Graph filters one Page at one moment (posts
     * and comments created at or after it, in one page), instead of the later "-since" fixtures.
     */
    filterSince?: boolean;
  } = {},
) {
  const seen = options.seen ?? [];
  const comments = options.comments ?? COMMENT_PAGES;
  return [
    http.get(`${GRAPH}/:pageId/feed`, ({ request, params }) => {
      const url = new URL(request.url);
      seen.push(url);
      if (params.pageId !== PAGE_ID) return invalidParameter("Unknown Page");
      const wrong =
        refused(url) ??
        expectQuery(url, { fields: "id,created_time", limit: "100" }) ??
        (options.feedSince === undefined
          ? undefined
          : expectQuery(url, { since: String(options.feedSince) }));
      if (wrong) return wrong;
      const feed = [fixture("fb-feed-page-1.json"), fixture("fb-feed-page-2.json")];
      if (options.filterSince && url.searchParams.has("since")) return createdSince(url, feed);
      if (options.feedSince === undefined && url.searchParams.has("since"))
        return invalidParameter("Unexpected since");
      return paged(url, feed);
    }),
    http.get(`${GRAPH}/:postId/comments`, ({ request, params }) => {
      const url = new URL(request.url);
      seen.push(url);
      const postId = String(params.postId);
      const wrong =
        refused(url) ??
        expectQuery(url, {
          fields: COMMENT_FIELDS,
          filter: "stream",
          order: "reverse_chronological",
          limit: "100",
        });
      if (wrong) return wrong;
      if (options.filterSince && url.searchParams.has("since"))
        return createdSince(url, comments[postId] ?? []);
      if (options.commentsSince !== undefined) {
        return (
          expectQuery(url, { since: String(options.commentsSince) }) ??
          HttpResponse.json(COMMENTS_SINCE[postId] ?? { data: [] })
        );
      }
      if (url.searchParams.has("since")) return invalidParameter("Unexpected since");
      const pages = comments[postId];
      return pages ? paged(url, pages) : invalidParameter(`Unknown object ${postId}`);
    }),
    http.get(`${GRAPH}/:id`, ({ request, params }) => {
      const url = new URL(request.url);
      seen.push(url);
      const wrong = refused(url);
      if (wrong) return wrong;
      if (params.id === PAGE_ID)
        return expectQuery(url, { fields: "id,name" }) ?? HttpResponse.json(fixture("fb-page.json"));
      if (params.id === "913200000000003_1200000000000303") {
        return (
          expectQuery(url, { fields: "id,from" }) ??
          HttpResponse.json(fixture("fb-comment-node-1200000000000303.json"))
        );
      }
      return invalidParameter(`Unsupported get request. Object with ID '${params.id}' does not exist`);
    }),
  ];
}

const unixSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const paths = (seen: URL[]) =>
  seen.map((url) => `${url.pathname}${url.searchParams.has("after") ? " after" : ""}`);

// The records the Facebook fixtures describe, as the hub receives them.
const anaComment = {
  type: "interaction",
  externalId: "913200000000003_1200000000000303",
  identities: [{ kind: "social_handle", namespace: "facebook", value: "7010000000000001" }],
  channel: "social",
  kind: "social.comment",
  direction: "inbound",
  occurredAt: new Date("2026-11-21T18:42:10Z"),
  sourceUpdatedAt: new Date("2026-11-21T18:42:10Z"),
  body: "Ordered the blue kettle on Monday and it still hasn't shipped. Really disappointed.",
  conversationId: "913200000000003_1200000000000303",
  metadata: { network: "facebook", postId: POST_3, authorName: "Ana Souza" },
};
const pageReplyToAna = {
  type: "interaction",
  externalId: "913200000000003_1200000000000305",
  identities: [{ kind: "social_handle", namespace: "facebook", value: "7010000000000001" }],
  channel: "social",
  kind: "social.reply",
  direction: "outbound",
  occurredAt: new Date("2026-11-21T19:05:00Z"),
  sourceUpdatedAt: new Date("2026-11-21T19:05:00Z"),
  body: "Sorry Ana! We've sent you a message with the tracking details.",
  conversationId: "913200000000003_1200000000000303",
  metadata: {
    network: "facebook",
    postId: POST_3,
    parentCommentId: "913200000000003_1200000000000303",
    authorName: "Acme Kitchen",
  },
};
const fullSyncCursor = {
  newestCommentAt: "2026-11-21T19:05:00.000Z",
  idsAtNewest: ["913200000000003_1200000000000305"],
};

describe("the meta-comments connector's comments stream, on a Facebook Page", () => {
  test("passes the SDK's acceptance checks on one Page, throttled with a 429", async () => {
    server.use(...facebookApi({ filterSince: true }));
    await expectAcceptance(connector, { config: fbConfig });
  });

  test("a full sync walks every post of the feed and every page of comments, then checkpoints the newest comment", async () => {
    const seen: URL[] = [];
    server.use(...facebookApi({ seen }));

    const run = await runStream(connector, "comments", { config: fbConfig });

    expect(run.invalid).toEqual([]);
    expect(paths(seen)).toEqual([
      `/v26.0/${PAGE_ID}/feed`,
      `/v26.0/${POST_3}/comments`,
      `/v26.0/${POST_3}/comments after`,
      `/v26.0/${POST_2}/comments`,
      `/v26.0/${PAGE_ID}/feed after`,
      `/v26.0/${POST_1}/comments`,
    ]);
    // Six comments, one reply from the Page; the Page's own top-level comment has no customer in it.
    expect(
      run.records.map((r) => (r.type === "interaction" ? [r.externalId, r.kind, r.direction] : r.type)),
    ).toEqual([
      ["913200000000003_1200000000000305", "social.reply", "outbound"],
      ["913200000000003_1200000000000303", "social.comment", "inbound"],
      ["913200000000003_1200000000000301", "social.comment", "inbound"],
      ["913200000000002_1200000000000207", "social.comment", "inbound"],
      ["913200000000002_1200000000000204", "social.comment", "inbound"],
      ["913200000000001_1200000000000102", "social.comment", "inbound"],
    ]);
    expect(run.records[1]).toEqual(anaComment);
    expect(run.records[0]).toEqual(pageReplyToAna);
    // A customer's reply to another customer stays inbound, in the thread of the comment it answers.
    expect(run.records[3]).toMatchObject({
      identities: [{ kind: "social_handle", namespace: "facebook", value: "7010000000000004" }],
      conversationId: "913200000000002_1200000000000204",
    });
    // One checkpoint, after every record: the walk does not follow comment time.
    expect(run.outputs.at(-1)).toEqual({ type: "checkpoint", cursor: fullSyncCursor });
    expect(run.checkpoints).toEqual([fullSyncCursor]);
  });

  test("gives each comment's text and no sentiment: the hub scores the customers' comments, not the Page's reply", async () => {
    server.use(...facebookApi());
    const run = await runStream(connector, "comments", { config: fbConfig });

    // What the hub stores, on its one scale s / √(s² + 15) of the AFINN-165 sum s.
    const stored = Object.fromEntries(
      run.records.map((raw) => {
        const valid = validateRecord(raw);
        if (!valid.success || valid.data.type !== "interaction")
          throw new Error(`not an interaction: ${raw.type}`);
        const input = toInteractionInput(valid.data, { source: "acme-facebook", channel: "social" });
        return [valid.data.externalId, recordInteractionInputSchema.parse(input).sentiment];
      }),
    );
    expect(run.records.every((record) => !("sentiment" in record))).toBe(true);
    expect(stored).toEqual({
      // The Page's own words: outbound, not the customer's mood.
      "913200000000003_1200000000000305": undefined,
      // disappointed −2: −2 / √19.
      "913200000000003_1200000000000303": -0.459,
      // love +3, best +3: 6 / √51.
      "913200000000003_1200000000000301": 0.84,
      // great +3: 3 / √24.
      "913200000000002_1200000000000207": 0.612,
      // Words, none of them in the list.
      "913200000000002_1200000000000204": 0,
      // great +3.
      "913200000000001_1200000000000102": 0.612,
    });
  });

  test("an incremental sync asks for comments since the cursor, skips the one already synced and finds those on older posts", async () => {
    const seen: URL[] = [];
    const feedSince = unixSeconds("2026-11-21T19:05:00Z") - 30 * 86_400;
    const commentsSince = unixSeconds("2026-11-21T19:05:00Z");
    server.use(...facebookApi({ seen, feedSince, commentsSince }));

    const run = await runStream(connector, "comments", { config: fbConfig, cursor: fullSyncCursor });

    expect(seen.map((url) => url.searchParams.get("since"))).toEqual([
      String(feedSince),
      String(commentsSince),
      String(commentsSince),
      String(feedSince),
      String(commentsSince),
    ]);
    // Graph's `since` includes the boundary comment (the Page's reply): it is not yielded twice.
    expect(run.records.map((r) => (r.type === "interaction" ? r.externalId : r.type))).toEqual([
      "913200000000003_1200000000000308",
      "913200000000001_1200000000000104",
    ]);
    expect(run.records[1]).toMatchObject({
      kind: "social.comment",
      occurredAt: new Date("2026-11-22T09:30:00Z"),
      metadata: { network: "facebook", postId: POST_1, authorName: "Tom Becker" },
    });
    expect(run.checkpoints).toEqual([
      { newestCommentAt: "2026-11-22T09:30:00.000Z", idsAtNewest: ["913200000000001_1200000000000104"] },
    ]);
  });

  test("does not visit posts created before the look-back window", async () => {
    const seen: URL[] = [];
    const feedSince = unixSeconds("2026-11-21T19:05:00Z") - 5 * 86_400;
    server.use(...facebookApi({ seen, feedSince, commentsSince: unixSeconds("2026-11-21T19:05:00Z") }));

    const run = await runStream(connector, "comments", {
      config: { ...fbConfig, lookbackDays: 5 },
      cursor: fullSyncCursor,
    });

    expect(paths(seen)).not.toContain(`/v26.0/${POST_1}/comments`);
    expect(run.records.map((r) => (r.type === "interaction" ? r.externalId : r.type))).toEqual([
      "913200000000003_1200000000000308",
    ]);
  });

  test("refuses a stored cursor of another shape instead of misreading it", async () => {
    server.use(...facebookApi());
    await expect(
      runStream(connector, "comments", { config: fbConfig, cursor: { since: "2026-11-01" } }),
    ).rejects.toThrow(/stored checkpoint of stream "comments" of plugin .*Reset the stream's checkpoint/);
  });

  test("waits as long as X-Business-Use-Case-Usage estimates after a #32 throttle, then goes on", async () => {
    const usage = fixture("usage-headers.json");
    let feedCalls = 0;
    server.use(
      http.get(`${GRAPH}/:pageId/feed`, () => {
        feedCalls++;
        return feedCalls === 1
          ? graphError("graph-error-page-request-limit.json", 403, {
              "X-Business-Use-Case-Usage": JSON.stringify(usage["x-business-use-case-usage"]),
            })
          : undefined;
      }),
      ...facebookApi(),
    );

    const run = await runStream(connector, "comments", { config: fbConfig });

    expect(run.waits.map((wait) => wait.ms)).toEqual([120_000]);
    expect(run.waits[0]?.reason).toMatch(
      /throttled the call \(#32\) Page request limit reached; waiting 2 min \(estimated_time_to_regain_access\)/,
    );
    expect(run.records).toHaveLength(6);
    expect(run.checkpoints).toEqual([fullSyncCursor]);
  });

  test("waits five minutes after a #613 throttle that gives no estimate", async () => {
    let commentCalls = 0;
    server.use(
      http.get(`${GRAPH}/:postId/comments`, () => {
        commentCalls++;
        return commentCalls === 1 ? graphError("graph-error-custom-rate-limit.json", 400) : undefined;
      }),
      ...facebookApi(),
    );

    const run = await runStream(connector, "comments", { config: fbConfig });

    expect(run.waits.map((wait) => [wait.ms, wait.reason])).toEqual([
      [
        300_000,
        "Graph API throttled the call (#613) Calls to this api have exceeded the rate limit.; waiting 5 min (no estimate given)",
      ],
    ]);
    expect(run.records).toHaveLength(6);
  });

  test("pauses before the next call when a success says the app's usage reached 100%", async () => {
    const usage = fixture("usage-headers.json");
    const now = Date.parse("2026-11-23T08:00:00Z");
    server.use(
      http.get(`${GRAPH}/:pageId/feed`, ({ request }) => {
        const url = new URL(request.url);
        if (url.searchParams.has("after")) return undefined;
        return HttpResponse.json(fixture("fb-feed-page-1.json"), {
          headers: { "X-App-Usage": JSON.stringify(usage["x-app-usage"]) },
        });
      }),
      ...facebookApi(),
    );

    const run = await runStream(connector, "comments", { config: fbConfig, now: () => now });

    // The call after the exhausted one waits. The kit does not sleep, so its clock never reaches the
    // end of the pause and every later call waits again; none is retried.
    expect(run.waits[0]).toMatchObject({ ms: 300_000, reason: "rate-limit window used up", attempt: 1 });
    expect(run.waits.every((wait) => wait.reason === "rate-limit window used up" && wait.attempt === 1)).toBe(
      true,
    );
    expect(run.waits[0]?.url).toContain(`/v26.0/${POST_3}/comments?`);
    expect(run.records).toHaveLength(6);
  });

  test("retries a 500 with backoff", async () => {
    let calls = 0;
    server.use(
      http.get(`${GRAPH}/${POST_2}/comments`, () => {
        calls++;
        return calls === 1 ? graphError("graph-error-unknown.json", 500) : undefined;
      }),
      ...facebookApi(),
    );

    const run = await runStream(connector, "comments", { config: fbConfig });

    expect(calls).toBe(2);
    expect(run.waits).toHaveLength(1);
    expect(run.waits[0]?.reason).toBe("500 Internal Server Error");
    expect(run.records).toHaveLength(6);
  });

  test("stops with Graph's reason and what to do when the token has expired, without showing the token", async () => {
    server.use(...facebookApi());

    const failure = await runStream(connector, "comments", {
      config: { ...fbConfig, accessToken: "EAAGm0PX4ZCpsBAnExpiredToken000000000" },
    }).catch((error: unknown) => error);

    expect(failure).toMatchObject({ name: "GraphApiError", status: 400, code: 190, subcode: 463 });
    const message = (failure as Error).message;
    expect(message).toMatch(/^GET https:\/\/graph\.facebook\.com\/v26\.0\/104615345678901\/feed\?/);
    expect(message).toMatch(
      /Session has expired .* \(OAuthException 190, subcode 463\)\. The access token has expired/,
    );
    expect(message).toContain("access_token=***");
    expect(message).not.toContain("ExpiredToken");
  });

  test("leaves the rest of a very long thread to webhooks when Graph pages no further, and goes on", async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} };
    server.use(
      http.get(`${GRAPH}/${POST_3}/comments`, ({ request }) =>
        new URL(request.url).searchParams.has("after")
          ? graphError("graph-error-after-cursor-limit.json")
          : undefined,
      ),
      ...facebookApi(),
    );

    const run = await runStream(connector, "comments", { config: fbConfig, logger });

    expect(run.records.map((r) => (r.type === "interaction" ? r.externalId : r.type))).not.toContain(
      "913200000000003_1200000000000301",
    );
    expect(run.records).toHaveLength(5);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `Graph pages no further into the comments of ${POST_3}: .*The After Cursor specified exceeds`,
        ),
      ),
    ]);
    expect(warnings[0]).not.toContain(TOKEN);
    expect(run.checkpoints).toEqual([fullSyncCursor]);
  });

  test("reports a comment without an id or a time as invalid and keeps the others", async () => {
    const broken = structuredClone(COMMENT_PAGES[POST_2]) as Json[];
    delete broken[0].data[0].created_time; // Mia's reply
    delete broken[0].data[1].id; // Rui's comment
    server.use(...facebookApi({ comments: { ...COMMENT_PAGES, [POST_2]: broken } }));

    const run = await runStream(connector, "comments", { config: fbConfig });

    expect(run.invalid.map((item) => [item.reason, item.issues.map((issue) => issue.path)])).toEqual([
      [expect.stringMatching(/^The interaction record is invalid at occurredAt/), ["occurredAt"]],
      [
        "The interaction record is invalid at externalId: Give the interaction's id at its source.",
        ["externalId"],
      ],
    ]);
    expect(run.invalid[0]?.payload).toMatchObject({ externalId: "913200000000002_1200000000000207" });
    expect(run.records).toHaveLength(4);
    expect(run.checkpoints).toEqual([fullSyncCursor]);
  });
});

describe("the meta-comments connector's check", () => {
  test("names the Page the token opens, or says the token expired and what to do", async () => {
    server.use(...facebookApi());

    expect(await runCheck(connector, { config: fbConfig })).toEqual({
      ok: true,
      message: "Connected to the Facebook Page Acme Kitchen (104615345678901).",
    });
    const expired = await runCheck(connector, {
      config: { ...fbConfig, accessToken: "EAAGm0PX4ZCpsBAnExpiredToken000000000" },
    });
    expect(expired).toEqual({
      ok: false,
      message:
        "Meta refused the access token: Error validating access token: Session has expired on Friday, 20-Nov-26 08:00:00 PST. The current time is Monday, 23-Nov-26 00:10:00 PST. (OAuthException 190, subcode 463). The access token has expired or was revoked: generate a new long-lived token and save it in the connector's settings.",
    });
  });
});

const IG_COMMENT_NODES: Record<string, string> = {
  "17873440459141021": "ig-comment-17873440459141021.json",
  "17870913679156914": "ig-comment-17870913679156914.json",
  "17858893269000001": "ig-comment-17858893269000001.json",
};

/** The account's media, their comments, the further pages of replies and comment nodes. */
function instagramApi(seen: URL[] = []) {
  const commentPages: Record<string, Json[]> = {
    "17895695668004550": [fixture("ig-comments-17895695668004550.json")],
    "17881042411086627": [fixture("ig-comments-17881042411086627.json")],
  };
  return [
    http.get(`${GRAPH}/${IG_USER_ID}/media`, ({ request }) => {
      const url = new URL(request.url);
      seen.push(url);
      return (
        refused(url) ??
        expectQuery(url, { fields: "id,timestamp,comments_count", limit: "50" }) ??
        paged(url, [fixture("ig-media-page-1.json"), fixture("ig-media-page-2.json")])
      );
    }),
    http.get(`${GRAPH}/:mediaId/comments`, ({ request, params }) => {
      const url = new URL(request.url);
      seen.push(url);
      const pages = commentPages[String(params.mediaId)];
      return (
        refused(url) ??
        expectQuery(url, {
          fields: `${IG_COMMENT_FIELDS},replies.limit(50){${IG_COMMENT_FIELDS}}`,
          limit: "50",
        }) ??
        (pages ? paged(url, pages) : invalidParameter(`Unknown media ${params.mediaId}`))
      );
    }),
    http.get(`${GRAPH}/17870913679156914/replies`, ({ request }) => {
      const url = new URL(request.url);
      seen.push(url);
      const first = fixture("ig-comments-17895695668004550.json").data[0].replies;
      return (
        refused(url) ??
        expectQuery(url, { fields: IG_COMMENT_FIELDS, limit: "50" }) ??
        paged(url, [first, fixture("ig-replies-17870913679156914-page-2.json")])
      );
    }),
    http.get(`${GRAPH}/:id`, ({ request, params }) => {
      const url = new URL(request.url);
      seen.push(url);
      const wrong = refused(url);
      if (wrong) return wrong;
      if (params.id === IG_USER_ID)
        return expectQuery(url, { fields: "id,username" }) ?? HttpResponse.json(fixture("ig-user.json"));
      const node = IG_COMMENT_NODES[String(params.id)];
      if (node) return expectQuery(url, { fields: IG_COMMENT_FIELDS }) ?? HttpResponse.json(fixture(node));
      return invalidParameter(`Unsupported get request. Object with ID '${params.id}' does not exist`);
    }),
  ];
}

const joaoComment = {
  type: "interaction",
  externalId: "17858893269000001",
  identities: [
    { kind: "social_handle", namespace: "instagram", value: "joao_p" },
    { kind: "external_id", namespace: "instagram", value: "6530000000000002" },
  ],
  channel: "social",
  kind: "social.comment",
  direction: "inbound",
  occurredAt: new Date("2026-11-19T13:15:00Z"),
  sourceUpdatedAt: new Date("2026-11-19T13:15:00Z"),
  body: "Terrible customer service, still no refund after three weeks.",
  conversationId: "17858893269000001",
  metadata: { network: "instagram", mediaId: "17895695668004550" },
};

describe("the meta-comments connector's comments stream, on an Instagram account", () => {
  test("a full sync reads the media with comments, their comments and every page of replies", async () => {
    const seen: URL[] = [];
    server.use(...instagramApi(seen));

    const run = await runStream(connector, "comments", { config: igConfig });

    expect(run.invalid).toEqual([]);
    // The media without comments (comments_count 0) is not asked for them.
    expect(paths(seen)).toEqual([
      `/v26.0/${IG_USER_ID}/media`,
      "/v26.0/17895695668004550/comments",
      "/v26.0/17870913679156914/replies after",
      `/v26.0/${IG_USER_ID}/media after`,
      "/v26.0/17881042411086627/comments",
    ]);
    expect(
      run.records.map((r) => (r.type === "interaction" ? [r.externalId, r.kind, r.conversationId] : r.type)),
    ).toEqual([
      ["17870913679156914", "social.comment", "17870913679156914"],
      ["17873440459141021", "social.reply", "17870913679156914"],
      ["17887288333072596", "social.comment", "17870913679156914"],
      ["17858893269000001", "social.comment", "17858893269000001"],
      ["17846368219000002", "social.comment", "17846368219000002"],
    ]);
    expect(run.records[3]).toEqual(joaoComment);
    // The brand's reply is recorded on the customer it answers.
    expect(run.records[1]).toMatchObject({
      direction: "outbound",
      identities: [
        { kind: "social_handle", namespace: "instagram", value: "lia.m" },
        { kind: "external_id", namespace: "instagram", value: "6530000000000001" },
      ],
      metadata: { network: "instagram", mediaId: "17895695668004550", parentCommentId: "17870913679156914" },
    });
    expect(run.checkpoints).toEqual([
      { newestCommentAt: "2026-11-21T10:02:00.000Z", idsAtNewest: ["17887288333072596"] },
    ]);
  });

  test("check names the account by its username", async () => {
    server.use(...instagramApi());
    expect(await runCheck(connector, { config: igConfig })).toEqual({
      ok: true,
      message: "Connected to the Instagram account @acmekitchen (17841405822304914).",
    });
  });
});

describe("the meta-comments connector's webhooks", () => {
  const signed = (body: unknown, secret = APP_SECRET) =>
    signedRequest({ body, secret, header: "X-Hub-Signature-256", prefix: "sha256=" });
  const handshakeRequest = (query: string) =>
    webhookRequest({ method: "GET", url: `https://hub.example.com/webhooks/meta?${query}`, body: "" });

  test("answers Meta's verification request with the challenge only when the verify token matches", async () => {
    const good = await runWebhook(
      connector,
      handshakeRequest(`hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY_TOKEN}`),
      { config: fbConfig },
    );
    expect(good).toMatchObject({ status: 200, handshake: { body: "1158201444" }, records: [] });

    const wrongToken = await runWebhook(
      connector,
      handshakeRequest("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock"),
      { config: fbConfig },
    );
    expect(wrongToken.status).toBe(403);
    expect(wrongToken.handshake?.body).not.toContain("1158201444");

    const noTokenConfigured = await runWebhook(
      connector,
      handshakeRequest(`hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY_TOKEN}`),
      { config: { ...fbConfig, verifyToken: undefined } },
    );
    expect(noTokenConfigured.status).toBe(403);

    expect(
      (await runWebhook(connector, handshakeRequest("hub.mode=unsubscribe"), { config: fbConfig })).status,
    ).toBe(400);
  });

  test("turns a signed comment notification into the same record the sync yields", async () => {
    server.use(...facebookApi());
    const synced = await runStream(connector, "comments", { config: fbConfig });
    const request = signed(fixture("webhook-feed-comment-add.json"));

    const run = await runWebhook(connector, request, { config: fbConfig });

    expect(run.status).toBe(200);
    // Meta sends no delivery id; the signature names the body, so a redelivery carries the same one.
    expect(run.verification).toEqual({
      valid: true,
      deliveryId: request.headers.get("x-hub-signature-256")?.slice("sha256=".length),
    });
    // The reaction and the entry for another Page served by the same app are not this connector's.
    expect(run.records).toEqual([
      synced.records.find(
        (r) => r.type === "interaction" && r.externalId === "913200000000003_1200000000000301",
      ),
    ]);
    expect(run.records[0]).toMatchObject({ occurredAt: new Date("2026-11-20T11:20:05Z") });
  });

  test("records the Page's reply on the customer it answers, reading who wrote the parent comment", async () => {
    const seen: URL[] = [];
    server.use(...facebookApi({ seen }));

    const run = await runWebhook(connector, signed(fixture("webhook-feed-page-reply.json")), {
      config: fbConfig,
    });

    expect(run.records).toEqual([pageReplyToAna]);
    expect(paths(seen)).toEqual(["/v26.0/913200000000003_1200000000000303"]);
  });

  test("turns a removed comment into a deletion of its interaction", async () => {
    const run = await runWebhook(connector, signed(fixture("webhook-feed-comment-remove.json")), {
      config: fbConfig,
    });
    expect(run.records).toEqual([
      {
        type: "deletion",
        entity: "interaction",
        externalId: "913200000000002_1200000000000204",
        deletedAt: new Date("2026-11-22T07:15:31Z"),
        reason: "The comment was removed on Facebook.",
      },
    ]);
  });

  test("refuses a delivery signed with another secret, changed after signing, unsigned, or with no app secret set", async () => {
    const body = fixture("webhook-feed-comment-add.json");

    const wrongSecret = await runWebhook(connector, signed(body, "another-apps-secret-0000000000"), {
      config: fbConfig,
    });
    expect(wrongSecret).toMatchObject({ status: 401, records: [] });
    expect(wrongSecret.verification).toEqual({
      valid: false,
      reason: "the X-Hub-Signature-256 does not match the body signed with the app secret",
    });

    const tampered = signed(body);
    tampered.rawBody = new TextEncoder().encode(
      new TextDecoder().decode(tampered.rawBody).replace("best purchase ever", "worst purchase ever"),
    );
    expect((await runWebhook(connector, tampered, { config: fbConfig })).status).toBe(401);

    expect((await runWebhook(connector, webhookRequest({ body }), { config: fbConfig })).status).toBe(401);

    const noSecret = await runWebhook(connector, signed(body), {
      config: { ...fbConfig, appSecret: undefined },
    });
    expect(noSecret.status).toBe(401);
  });

  test("answers 400 to a signed body that is not a Meta notification", async () => {
    const notJson = await runWebhook(connector, signed("{entry: oops"), { config: fbConfig });
    expect(notJson.status).toBe(400);
    expect(notJson.error).toMatch(/^The webhook body is not JSON/);

    const noEntries = await runWebhook(connector, signed({ object: "page" }), { config: fbConfig });
    expect(noEntries).toMatchObject({
      status: 400,
      error: "Not a Meta Webhooks notification: entry: Invalid input: expected array, received undefined.",
    });

    const badValue = structuredClone(fixture("webhook-feed-comment-add.json"));
    badValue.entry[0].changes[0].value = "comment";
    const unreadable = await runWebhook(connector, signed(badValue), { config: fbConfig });
    expect(unreadable.status).toBe(400);
    expect(unreadable.error).toMatch(/^The "feed" change has an unreadable value/);
  });

  test("reads an Instagram comment notification's comment for its time, giving the sync's record", async () => {
    const seen: URL[] = [];
    server.use(...instagramApi(seen));
    const synced = await runStream(connector, "comments", { config: igConfig });
    seen.length = 0;

    const run = await runWebhook(connector, signed(fixture("webhook-instagram-comment.json")), {
      config: igConfig,
    });

    expect(run.status).toBe(200);
    expect(paths(seen)).toEqual(["/v26.0/17858893269000001"]);
    expect(run.records).toEqual([joaoComment]);
    expect(run.records).toEqual(
      synced.records.filter((r) => r.type === "interaction" && r.externalId === "17858893269000001"),
    );
  });

  test("records the brand's Instagram reply on the customer it answers, as the sync does", async () => {
    const seen: URL[] = [];
    server.use(...instagramApi(seen));
    const synced = await runStream(connector, "comments", { config: igConfig });
    seen.length = 0;

    const run = await runWebhook(connector, signed(fixture("webhook-instagram-brand-reply.json")), {
      config: igConfig,
    });

    expect(paths(seen)).toEqual(["/v26.0/17873440459141021", "/v26.0/17870913679156914"]);
    expect(run.records).toEqual(
      synced.records.filter((r) => r.type === "interaction" && r.externalId === "17873440459141021"),
    );
    expect(run.records[0]).toMatchObject({
      kind: "social.reply",
      direction: "outbound",
      identities: [
        { kind: "social_handle", namespace: "instagram", value: "lia.m" },
        { kind: "external_id", namespace: "instagram", value: "6530000000000001" },
      ],
    });
  });

  test("fails a notification fast, for Meta to redeliver, when a lookup is throttled for long", async () => {
    const usage = {
      [IG_USER_ID]: [{ type: "instagram", call_count: 100, estimated_time_to_regain_access: 19 }],
    };
    server.use(
      http.get(`${GRAPH}/17858893269000001`, () =>
        graphError("graph-error-instagram-throttled.json", 403, {
          "X-Business-Use-Case-Usage": JSON.stringify(usage),
        }),
      ),
    );

    const failure = await runWebhook(connector, signed(fixture("webhook-instagram-comment.json")), {
      config: igConfig,
    }).catch((error: unknown) => error);

    expect(failure).toMatchObject({ name: "HttpError", attempts: 1 });
    expect((failure as Error).message).toMatch(
      /\(#80002\) There have been too many calls .* asked to wait 1140 s, more than the 5 s allowed/,
    );
  });

  test("ignores a notification for the other network", async () => {
    const run = await runWebhook(connector, signed(fixture("webhook-instagram-comment.json")), {
      config: fbConfig,
    });
    expect(run).toMatchObject({ status: 200, records: [], invalid: [] });
  });
});
