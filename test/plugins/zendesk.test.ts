// The Zendesk Support connector against msw handlers serving Zendesk's documented payloads
// (plugins/zendesk/fixtures), through the SDK's test kit: the mapping of tickets, audits, users and
// ratings, the cursors of the incremental exports, throttling, bad records and the check.
import { HttpError } from "cx-hub/sdk";
import { expectAcceptance, runCheck, runStream } from "cx-hub/sdk/testing";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import zendesk from "../../plugins/zendesk/index.ts";
import {
  API,
  config,
  EMAIL,
  fakeZendeskApi,
  fixture,
  fixtureDesk,
  type Json,
  OAUTH_TOKEN,
  SUBDOMAIN,
} from "./helpers/fake-zendesk-api.ts";

const NAMESPACE = "acme.zendesk.com";
const ANA = { kind: "external_id", namespace: NAMESPACE, value: "20978392" };
const PAGE_1_CURSOR = fixture("tickets-page-1.json").after_cursor as string;
const PAGE_2_CURSOR = fixture("tickets-page-2.json").after_cursor as string;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const summary = (records: Json[]) =>
  records.map((r) => [r.externalId, r.kind, r.direction, new Date(r.occurredAt).toISOString()]);

describe("the zendesk connector", () => {
  test("passes the SDK's acceptance checks on every stream, throttled with a 429", async () => {
    server.use(...fakeZendeskApi(fixtureDesk()));
    const report = await expectAcceptance(zendesk, { config });
    // A requester's phone in local form ("555-1234") is given, and dropped by the hub with a warning.
    expect(report.streams.users?.droppedIdentities).toBe(1);
  });
});

describe("the zendesk connector's tickets stream", () => {
  test("a full sync turns public comments and resolutions into one conversation per ticket, a checkpoint after each page", async () => {
    const seen: URL[] = [];
    server.use(...fakeZendeskApi(fixtureDesk(), seen));

    const run = await runStream(zendesk, "tickets", { config });

    expect(run.invalid).toEqual([]);
    expect(run.outputs.map((output) => (output.type === "checkpoint" ? "checkpoint" : output.type))).toEqual([
      ...Array(6).fill("interaction"),
      "checkpoint",
      ...Array(4).fill("interaction"),
      "checkpoint",
    ]);
    expect(run.checkpoints).toEqual([{ afterCursor: PAGE_1_CURSOR }, { afterCursor: PAGE_2_CURSOR }]);
    // The internal note (90031) is not a message to the customer; the deleted ticket 35438 yields nothing.
    expect(summary(run.records)).toEqual([
      ["comment:90011", "ticket.opened", "inbound", "2026-03-02T09:15:00.000Z"],
      ["comment:90021", "ticket.reply.sent", "outbound", "2026-03-02T10:05:00.000Z"],
      ["comment:90041", "ticket.message.received", "inbound", "2026-03-02T12:30:00.000Z"],
      ["comment:90051", "ticket.reply.sent", "outbound", "2026-03-02T13:00:00.000Z"],
      // Solved in the same update as the reply: placed just after it.
      ["status:90052", "ticket.resolved", "outbound", "2026-03-02T13:00:00.001Z"],
      ["comment:91011", "ticket.opened", "inbound", "2026-03-02T14:00:00.000Z"],
      ["comment:92011", "ticket.opened", "inbound", "2026-03-03T10:00:00.000Z"],
      ["comment:92021", "ticket.reply.sent", "outbound", "2026-03-03T12:00:00.000Z"],
      ["status:92022", "ticket.resolved", "outbound", "2026-03-03T12:00:00.001Z"],
      // Closed by an update without a comment: at the update's own time.
      ["status:92032", "ticket.closed", "outbound", "2026-03-03T12:40:00.000Z"],
    ]);
    expect(run.records[0]).toEqual({
      type: "interaction",
      externalId: "comment:90011",
      identities: [ANA],
      channel: "support",
      kind: "ticket.opened",
      direction: "inbound",
      occurredAt: new Date("2026-03-02T09:15:00Z"),
      sourceUpdatedAt: new Date("2026-03-02T13:00:00Z"),
      summary: "Help, my printer is on fire!",
      body: "Help, my printer is on fire! The fire is very colorful.",
      conversationId: "35436",
      metadata: {
        ticketId: 35436,
        ticketStatus: "solved",
        priority: "high",
        ticketType: "incident",
        tags: ["enterprise", "printer"],
        via: "email",
        satisfaction: "good",
        authorId: 20978392,
      },
    });
    // The messages never carry `status`, which the response-speed analysis reads as a resolution.
    const comments = run.records.filter(
      (r) => r.type === "interaction" && r.externalId.startsWith("comment:"),
    );
    expect(comments).toHaveLength(7);
    expect(comments.filter((r) => r.type === "interaction" && "status" in (r.metadata ?? {}))).toEqual([]);
    expect(run.records[4]).toMatchObject({
      conversationId: "35436",
      identities: [ANA],
      metadata: { status: "solved", previousStatus: "open", ticketStatus: "solved" },
    });
    // Every ticket's audits, both pages of 35436's; none for the deleted ticket.
    expect(seen.map((url) => `${url.pathname}${url.search}`)).toEqual([
      "/api/v2/incremental/tickets/cursor.json?start_time=0",
      "/api/v2/tickets/35436/audits.json?include=users",
      "/api/v2/tickets/35436/audits.json?include=users&page=2",
      "/api/v2/tickets/35437/audits.json?include=users",
      `/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(PAGE_1_CURSOR)}`,
      "/api/v2/tickets/35440/audits.json?include=users",
    ]);
  });

  test("an incremental sync resumes from the stored after_cursor and reads the changed ticket's whole thread", async () => {
    const desk = fixtureDesk();
    desk.tickets[PAGE_2_CURSOR] = fixture("tickets-since.json");
    desk.audits[35437] = [fixture("audits-35437-since.json")];
    const seen: URL[] = [];
    server.use(...fakeZendeskApi(desk, seen));

    const run = await runStream(zendesk, "tickets", { config, cursor: { afterCursor: PAGE_2_CURSOR } });

    expect(seen[0]?.searchParams.get("cursor")).toBe(PAGE_2_CURSOR);
    expect(seen[0]?.searchParams.has("start_time")).toBe(false);
    expect(summary(run.records)).toEqual([
      ["comment:91011", "ticket.opened", "inbound", "2026-03-02T14:00:00.000Z"],
      ["comment:91021", "ticket.message.received", "inbound", "2026-03-04T09:00:00.000Z"],
      ["comment:91031", "ticket.reply.sent", "outbound", "2026-03-05T15:00:00.000Z"],
      ["status:91032", "ticket.resolved", "outbound", "2026-03-05T15:00:00.001Z"],
      ["status:91041", "ticket.closed", "outbound", "2026-03-05T16:00:00.000Z"],
    ]);
    // The ticket as it is now rides on every message: a re-read updates the older ones.
    expect(run.records[0]).toMatchObject({
      sourceUpdatedAt: new Date("2026-03-05T16:00:00Z"),
      metadata: { ticketStatus: "solved", priority: "urgent", tags: ["refund", "escalated"] },
    });
    expect(run.checkpoints).toEqual([{ afterCursor: fixture("tickets-since.json").after_cursor }]);
  });

  test("a comment by a CC'd end user is the customer's side speaking (inbound), whoever the requester is", async () => {
    const desk = fixtureDesk();
    // Ana, an end user CC'd on Léa's ticket 35440, writes after it was closed; Zendesk names her only
    // by id in the audit, and side-loads her user with include=users.
    const page = desk.audits[35440]?.[0] as Json;
    const ana = fixture("users-page-1.json").users[1];
    page.audits.push({
      ...page.audits[0],
      id: 9250,
      author_id: ana.id,
      created_at: "2026-03-03T13:00:00Z",
      events: [
        {
          ...page.audits[0].events[0],
          id: 92501,
          author_id: ana.id,
          body: "Same for me, any news?",
          plain_body: "Same for me, any news?",
        },
      ],
    });
    page.users.push(ana);
    server.use(...fakeZendeskApi(desk));

    const run = await runStream(zendesk, "tickets", { config });

    const ticket = run.records.filter((r) => r.type === "interaction" && r.conversationId === "35440");
    expect(summary(ticket)).toEqual([
      ["comment:92011", "ticket.opened", "inbound", "2026-03-03T10:00:00.000Z"],
      ["comment:92021", "ticket.reply.sent", "outbound", "2026-03-03T12:00:00.000Z"],
      ["status:92022", "ticket.resolved", "outbound", "2026-03-03T12:00:00.001Z"],
      ["status:92032", "ticket.closed", "outbound", "2026-03-03T12:40:00.000Z"],
      ["comment:92501", "ticket.message.received", "inbound", "2026-03-03T13:00:00.000Z"],
    ]);
    expect(ticket[4]).toMatchObject({ metadata: { authorId: ana.id } });
  });

  test("a rated ticket carries its rating as a GOOD_BAD answer, timed by the audit that recorded it", async () => {
    const desk = fixtureDesk();
    const audits = desk.audits[35440]?.[0] as Json;
    audits.audits.push({
      ...audits.audits[2],
      id: 9204,
      created_at: "2026-03-06T09:30:00Z",
      events: [
        { id: 92041, type: "SatisfactionRating", score: "bad", assignee_id: 235323, body: "Still wrong" },
      ],
    });
    // Ana's ticket carries a rating too, but no audit recorded it: the ratings stream tells that one.
    server.use(...fakeZendeskApi(desk));

    const run = await runStream(zendesk, "tickets", { config });

    expect(run.invalid).toEqual([]);
    expect(run.records.filter((r) => r.type === "feedback")).toEqual([
      {
        type: "feedback",
        externalId: "satisfaction:1240",
        identities: [{ kind: "external_id", namespace: NAMESPACE, value: "20978394" }],
        kind: "good_bad",
        score: 0,
        comment: "Slow and the address is still wrong",
        channel: "support",
        touchpoint: "support.ticket",
        respondedAt: new Date("2026-03-06T09:30:00Z"),
        sourceUpdatedAt: new Date("2026-03-06T09:30:00Z"),
      },
    ]);
  });

  test("the first sync starts at the configured startDate", async () => {
    const seen: URL[] = [];
    server.use(...fakeZendeskApi(fixtureDesk(), seen));

    await runStream(zendesk, "tickets", { config: { ...config, startDate: "2026-03-01T00:00:00Z" } });

    expect(seen[0]?.searchParams.get("start_time")).toBe(String(Date.parse("2026-03-01T00:00:00Z") / 1000));
  });

  test("refuses a stored cursor of another shape instead of misreading it", async () => {
    server.use(...fakeZendeskApi(fixtureDesk()));
    await expect(runStream(zendesk, "tickets", { config, cursor: { startTime: 0 } })).rejects.toThrow(
      /stored checkpoint of stream "tickets".*afterCursor/,
    );
  });

  test("waits as long as a 429's Retry-After says, then goes on from the same page", async () => {
    const desk = fixtureDesk();
    let throttled = 0;
    server.use(
      http.get(`${API}/incremental/tickets/cursor.json`, ({ request }) => {
        if (new URL(request.url).searchParams.get("cursor") === PAGE_1_CURSOR && throttled++ === 0) {
          return HttpResponse.text("Too Many Requests", { status: 429, headers: { "Retry-After": "53" } });
        }
        return undefined;
      }),
      ...fakeZendeskApi(desk),
    );

    const run = await runStream(zendesk, "tickets", { config });

    expect(throttled).toBe(2);
    expect(run.waits.map((wait) => wait.ms)).toEqual([53_000]);
    expect(run.records).toHaveLength(10);
    expect(run.checkpoints).toEqual([{ afterCursor: PAGE_1_CURSOR }, { afterCursor: PAGE_2_CURSOR }]);
  });

  test("retries a 503, and gives up with the status and attempts when it persists", async () => {
    let calls = 0;
    server.use(
      http.get(`${API}/tickets/35437/audits.json`, () =>
        calls++ === 0 ? new HttpResponse("busy", { status: 503 }) : undefined,
      ),
      ...fakeZendeskApi(fixtureDesk()),
    );
    const run = await runStream(zendesk, "tickets", { config });
    expect(run.waits).toHaveLength(1);
    expect(run.records).toHaveLength(10);

    server.use(
      http.get(`${API}/incremental/tickets/cursor.json`, () => new HttpResponse("busy", { status: 503 })),
    );
    const failure = await runStream(zendesk, "tickets", { config, http: { maxAttempts: 2 } }).catch((e) => e);
    expect(failure).toBeInstanceOf(HttpError);
    expect(failure).toMatchObject({ status: 503, attempts: 2 });
    // The credentials are in a header, never in the URL the error names.
    expect(failure.message).not.toContain(config.apiToken);
  });

  test("reports a ticket without a requester and a comment without a time as invalid, with reasons, and keeps the rest", async () => {
    const desk = fixtureDesk();
    desk.tickets.start.tickets[1].requester_id = null;
    (desk.audits[35436] as Json[])[1].audits[0].created_at = null;
    server.use(...fakeZendeskApi(desk));

    const run = await runStream(zendesk, "tickets", { config });

    expect(
      run.invalid.map((item) => [(item.payload as Json).externalId, item.issues.map((i) => i.path)]),
    ).toEqual([
      ["comment:90041", ["occurredAt"]],
      ["comment:91011", ["identities"]],
    ]);
    expect(run.invalid[1]?.reason).toMatch(/^The interaction record is invalid at identities/);
    expect(run.records).toHaveLength(8);
    // The page's checkpoint still follows its records: the bad ones are the hub's to keep as dead letters.
    expect(run.outputs.at(4)).toEqual({ type: "checkpoint", cursor: { afterCursor: PAGE_1_CURSOR } });
  });

  test("refuses to follow a next page to another host with the credentials", async () => {
    const desk = fixtureDesk();
    (desk.audits[35436] as Json[])[0].next_page =
      "https://evil.example/api/v2/tickets/35436/audits.json?page=2";
    server.use(...fakeZendeskApi(desk));

    await expect(runStream(zendesk, "tickets", { config })).rejects.toThrow(
      /next page on https:\/\/evil\.example, not on https:\/\/acme\.zendesk\.com/,
    );
  });
});

describe("the zendesk connector's users stream", () => {
  test("syncs end users as customers by Zendesk id, email and phone, skipping agents and inactive users", async () => {
    const seen: URL[] = [];
    server.use(...fakeZendeskApi(fixtureDesk(), seen));

    const run = await runStream(zendesk, "users", { config });

    expect(run.invalid).toEqual([]);
    expect(run.outputs.map((output) => output.type)).toEqual([
      "customer",
      "customer",
      "checkpoint",
      "customer",
      "checkpoint",
    ]);
    expect(run.records[0]).toEqual({
      type: "customer",
      identities: [
        ANA,
        { kind: "email", namespace: "", value: "ana.souza@example.com" },
        { kind: "phone", namespace: "", value: "+351912345678" },
      ],
      displayName: "Ana Souza",
      traits: { zendeskOrganizationId: 509974, locale: "en-US", timeZone: "Lisbon", zendeskTags: ["vip"] },
      sourceUpdatedAt: new Date("2026-02-20T09:00:00Z"),
    });
    // Rui's phone is a local number: left out with a warning, the record kept with the others.
    expect(run.droppedIdentities).toEqual([
      { index: 1, issues: [{ path: "identities.2.value", message: expect.stringContaining("555-1234") }] },
    ]);
    expect(run.checkpoints).toEqual([
      { afterCursor: fixture("users-page-1.json").after_cursor },
      { afterCursor: fixture("users-page-2.json").after_cursor },
    ]);
    expect(seen.map((url) => url.searchParams.toString())).toEqual([
      "start_time=0",
      `cursor=${encodeURIComponent(fixture("users-page-1.json").after_cursor)}`,
    ]);
  });

  test("keeps an email Zendesk has not verified as a trait, never as an identity that could merge customers", async () => {
    const desk = fixtureDesk();
    // Someone opened a web-form ticket as ana.souza@example.com without being her: Zendesk made an
    // end user with that address, unverified.
    const impostor = {
      ...desk.users.start.users[1],
      id: 20978399,
      name: "Not Ana",
      phone: null,
      verified: false,
    };
    desk.users.start.users.push(impostor);
    server.use(...fakeZendeskApi(desk));

    const run = await runStream(zendesk, "users", { config });

    const record = run.records.find(
      (r) => r.type === "customer" && r.identities.some((i) => i.value === "20978399"),
    );
    expect(record).toMatchObject({
      identities: [{ kind: "external_id", namespace: NAMESPACE, value: "20978399" }],
      traits: expect.objectContaining({ unverifiedEmail: "ana.souza@example.com" }),
    });
    // Ana herself, verified, is still named by her email.
    expect(run.records[0]).toMatchObject({
      identities: expect.arrayContaining([{ kind: "email", namespace: "", value: "ana.souza@example.com" }]),
    });
  });
});

describe("the zendesk connector's satisfaction_ratings stream", () => {
  test("turns good and bad ratings into GOOD_BAD answers, skips surveys only offered, and checkpoints at the end", async () => {
    const seen: URL[] = [];
    server.use(...fakeZendeskApi(fixtureDesk(), seen));

    const run = await runStream(zendesk, "satisfaction_ratings", { config });

    expect(run.invalid).toEqual([]);
    expect(run.records).toEqual([
      {
        type: "feedback",
        externalId: "satisfaction:1234",
        identities: [ANA],
        kind: "good_bad",
        score: 1,
        comment: "Great support!",
        channel: "support",
        touchpoint: "support.ticket",
        respondedAt: new Date("2026-03-02T13:20:00Z"),
        sourceUpdatedAt: new Date("2026-03-02T13:20:00Z"),
      },
      expect.objectContaining({
        externalId: "satisfaction:1240",
        score: 0,
        comment: "Slow and the address is still wrong",
      }),
    ]);
    expect(run.outputs.at(-1)).toEqual({
      type: "checkpoint",
      cursor: { startTime: Date.parse("2026-03-03T13:00:00Z") / 1000 },
    });
    expect(seen[0]?.searchParams.get("score")).toBe("received");
    expect(seen[0]?.searchParams.get("start_time")).toBe("0");
    expect(seen[1]?.searchParams.get("page[after]")).toBe(
      fixture("satisfaction-ratings-page-1.json").meta.after_cursor,
    );
  });

  test("resumes from the newest rating's creation time", async () => {
    const seen: URL[] = [];
    server.use(...fakeZendeskApi(fixtureDesk(), seen));

    await runStream(zendesk, "satisfaction_ratings", { config, cursor: { startTime: 1_772_542_800 } });

    expect(seen[0]?.searchParams.get("start_time")).toBe("1772542800");
  });
});

describe("the zendesk connector's check", () => {
  test("names the account and the admin the API token belongs to, or says what is wrong", async () => {
    server.use(...fakeZendeskApi(fixtureDesk()));
    expect(await runCheck(zendesk, { config })).toEqual({
      ok: true,
      message: "Connected to acme.zendesk.com as Aria Admin.",
    });
    expect(
      await runCheck(zendesk, { config: { subdomain: SUBDOMAIN, oauthAccessToken: OAUTH_TOKEN } }),
    ).toMatchObject({
      ok: true,
    });
    expect(await runCheck(zendesk, { config: { ...config, apiToken: "x".repeat(40) } })).toEqual({
      ok: false,
      message:
        "Zendesk refused the credentials for acme.zendesk.com: check the email and API token (or the OAuth token).",
    });
    expect(await runCheck(zendesk, { config: { subdomain: SUBDOMAIN, email: EMAIL } })).toEqual({
      ok: false,
      message: "Zendesk needs credentials: give email and apiToken (an API token), or oauthAccessToken.",
    });
  });

  test("refuses an agent's token and an anonymous answer", async () => {
    const agent = fixture("users-me.json");
    agent.user.role = "agent";
    server.use(http.get(`${API}/users/me.json`, () => HttpResponse.json(agent)));
    expect(await runCheck(zendesk, { config })).toMatchObject({
      ok: false,
      message:
        "Signed in as Aria Admin, whose role is agent: the incremental exports are for admins; use an admin's API token.",
    });

    server.use(http.get(`${API}/users/me.json`, () => HttpResponse.json(fixture("users-me-anonymous.json"))));
    expect(await runCheck(zendesk, { config })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/anonymous/),
    });
  });

  test("refuses a subdomain given as a URL, saying what to give", async () => {
    await expect(
      runCheck(zendesk, { config: { ...config, subdomain: "https://acme.zendesk.com" } }),
    ).rejects.toThrow(/Give the subdomain alone/);
  });
});
