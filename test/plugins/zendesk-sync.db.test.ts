// The Zendesk connector end to end: the sync engine reads an account (the fake API serving Zendesk's
// documented payloads) into the hub, the response-speed analysis then times the support
// conversations, and an incremental run reads only what changed from the stored after_cursor. Also
// through the engine: a 429's Retry-After is slept, a record without an identity is dead-lettered
// with its reason, and a run that fails mid-export resumes from the last page committed.

import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import zendesk from "../../plugins/zendesk/index.ts";
import { installConnector } from "../../src/connectors/connector-store.ts";
import { createPluginRegistry } from "../../src/connectors/plugin-registry.ts";
import { createSyncEngine } from "../../src/connectors/sync/sync-engine.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { SECRET_KEY } from "../connectors/helpers/hub.ts";
import { ConversationResponseTimesDocument, GoodBadRatingsDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";
import { writesAt } from "../helpers/writes.ts";
import {
  API,
  config,
  type FakeDesk,
  fakeZendeskApi,
  fixture,
  fixtureDesk,
} from "./helpers/fake-zendesk-api.ts";

const NAME = "acme-support";
const plugins = createPluginRegistry([zendesk]);
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const install = (db: PrismaClient) =>
  installConnector({ db, plugins, secretKey: SECRET_KEY }, { pluginId: "zendesk", name: NAME, config });

async function sync(db: PrismaClient, at: string, slept: number[] = []) {
  const engine = createSyncEngine({
    db,
    plugins,
    secretKey: SECRET_KEY,
    writes: writesAt(at),
    sleep: async (ms, signal) => {
      slept.push(ms);
      signal?.throwIfAborted();
    },
    http: { maxAttempts: 2 },
    checkpointIntervalMs: 0,
  });
  try {
    return await engine.run({ name: NAME });
  } finally {
    await engine.close();
  }
}

const cursors = async (db: PrismaClient) =>
  Object.fromEntries(
    (await db.syncCursor.findMany({ orderBy: { stream: "asc" } })).map((row) => [row.stream, row.cursor]),
  );

async function responseTimes(db: Parameters<typeof createTestClient>[0], asOf: string) {
  const client = await createTestClient(db, { role: "ANALYST", clock: () => new Date(asOf) });
  const result = await client.execute(ConversationResponseTimesDocument, {
    filter: { channel: "SUPPORT" },
    first: 10,
  });
  expect(result.errors).toBeUndefined();
  return (result.data?.conversationResponseTimes.edges ?? [])
    .map(({ node }) => [
      node.conversationId,
      node.opening,
      node.firstResponseSeconds,
      // Milliseconds are the resolution's precision (it is placed 1 ms after the reply that solved it).
      node.resolutionSeconds === null ? null : Math.round(node.resolutionSeconds * 1000) / 1000,
      node.waitingSince,
      node.customer.displayName,
    ])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

const usersCaughtUp = (desk: FakeDesk) => {
  const last = fixture("users-page-2.json");
  desk.users[last.after_cursor] = { ...last, users: [], before_cursor: last.after_cursor };
};

describe("a Zendesk account synced through the engine", () => {
  test("arrives as customers, timed support conversations and good/bad ratings; then only its changes arrive", async ({
    db,
  }) => {
    const desk = fixtureDesk();
    const slept: number[] = [];
    let throttled = false;
    server.use(
      http.get(`${API}/incremental/tickets/cursor.json`, () => {
        if (throttled) return undefined;
        throttled = true;
        return HttpResponse.text("Too Many Requests", { status: 429, headers: { "Retry-After": "41" } });
      }),
      ...fakeZendeskApi(desk),
    );
    await install(db.prisma);

    const full = await sync(db.prisma, "2026-03-05T18:00:00Z", slept);

    expect(full).toMatchObject({
      status: "SUCCEEDED",
      error: null,
      recordsDeadLettered: 0,
      identitiesDropped: 1,
    });
    expect(full.recordsFetched).toBe(3 + 10 + 2);
    // The export's 429 was waited out as Zendesk asked, then the same request went through.
    expect(slept).toEqual([41_000]);
    // The requester named by a ticket is the user of the users stream: one customer each.
    expect(await db.prisma.customer.count()).toBe(3);
    const ana = await db.prisma.customer.findFirstOrThrow({
      where: { identities: { some: { kind: "EMAIL", value: "ana.souza@example.com" } } },
      include: { interactions: { orderBy: { occurredAt: "asc" } }, feedback: true },
    });
    expect(ana.displayName).toBe("Ana Souza");
    expect(ana.interactions.map((i) => [i.kind, i.direction, i.conversationId])).toEqual([
      ["ticket.opened", "INBOUND", "35436"],
      ["ticket.reply.sent", "OUTBOUND", "35436"],
      ["ticket.message.received", "INBOUND", "35436"],
      ["ticket.reply.sent", "OUTBOUND", "35436"],
      ["ticket.resolved", "OUTBOUND", "35436"],
    ]);
    // The hub scored the customer's own words (inbound), not the agent's.
    expect(ana.interactions[0]?.sentiment).not.toBeNull();
    expect(ana.interactions[1]?.sentiment).toBeNull();
    expect(ana.feedback.map((f) => [f.kind, f.score, f.externalId])).toEqual([
      ["GOOD_BAD", 1, "satisfaction:1234"],
    ]);
    expect(await cursors(db.prisma)).toEqual({
      satisfaction_ratings: { startTime: Date.parse("2026-03-03T13:00:00Z") / 1000 },
      tickets: { afterCursor: fixture("tickets-page-2.json").after_cursor },
      users: { afterCursor: fixture("users-page-2.json").after_cursor },
    });

    // Response speed reads the tickets as support conversations: Ana's first answer came 50 minutes
    // after she wrote and the reply that solved it at 13:00; Rui still waits; Léa's took two hours.
    expect(await responseTimes(db, "2026-03-05T18:00:00Z")).toEqual([
      ["35436", 1, 50 * 60, 3 * 3600 + 45 * 60 + 0.001, null, "Ana Souza"],
      ["35437", 1, null, null, "2026-03-02T14:00:00.000Z", "Rui Costa"],
      ["35440", 1, 2 * 3600, 2 * 3600 + 0.001, null, "Léa Martin"],
    ]);

    // Later: Rui wrote again, an agent answered and solved, the ticket closed; Rui rated it good.
    desk.tickets[fixture("tickets-page-2.json").after_cursor] = fixture("tickets-since.json");
    desk.audits[35437] = [fixture("audits-35437-since.json")];
    usersCaughtUp(desk);
    const ratings = fixture("satisfaction-ratings-page-1.json");
    ratings.satisfaction_ratings[0] = {
      ...ratings.satisfaction_ratings[0],
      id: 1242,
      ticket_id: 35437,
      requester_id: 20978393,
      score: "good",
      comment: "Took long, but sorted",
      created_at: "2026-03-05T17:00:00Z",
      updated_at: "2026-03-05T17:00:00Z",
    };
    desk.ratings.first = { ...ratings, meta: { has_more: false, after_cursor: null } };
    const seen: URL[] = [];
    server.resetHandlers(...fakeZendeskApi(desk, seen));

    const incremental = await sync(db.prisma, "2026-03-06T09:00:00Z");

    expect(incremental).toMatchObject({ status: "SUCCEEDED", recordsDeadLettered: 0 });
    // Rui's first message is updated (the ticket's status, priority and tags moved on); four facts are new.
    expect(incremental).toMatchObject({ recordsCreated: 4 + 1, recordsUpdated: 1 });
    expect(
      seen.find((url) => url.pathname.endsWith("/tickets/cursor.json"))?.searchParams.get("cursor"),
    ).toBe(fixture("tickets-page-2.json").after_cursor);
    expect(
      seen.find((url) => url.pathname.endsWith("/satisfaction_ratings.json"))?.searchParams.get("start_time"),
    ).toBe(String(Date.parse("2026-03-03T13:00:00Z") / 1000));
    const first = await db.prisma.interaction.findFirstOrThrow({ where: { externalId: "comment:91011" } });
    expect(first.metadata).toMatchObject({
      ticketStatus: "solved",
      priority: "urgent",
      tags: ["refund", "escalated"],
    });
    const waited = (3 * 24 + 1) * 3600; // from Monday 14:00 to Thursday 15:00
    expect((await responseTimes(db, "2026-03-06T09:00:00Z")).find((row) => row[0] === "35437")).toEqual([
      "35437",
      1,
      waited,
      waited + 0.001,
      null,
      "Rui Costa",
    ]);

    const client = await createTestClient(db, {
      role: "ANALYST",
      clock: () => new Date("2026-03-06T09:00:00Z"),
    });
    const satisfaction = await client.execute(GoodBadRatingsDocument, {
      filter: { from: "2026-03-01T00:00:00.000Z", to: "2026-03-06T00:00:00.000Z" },
      bucket: "WEEK",
    });
    expect(satisfaction.data?.feedbackMetrics.goodBad).toEqual({
      score: 200 / 3,
      responses: 3,
      good: 2,
      bad: 1,
    });
  });

  test("a rating answered after the ratings cursor passed its survey arrives through the rated ticket, once", async ({
    db,
  }) => {
    // Léa's survey was offered when her ticket closed (3 March 12:40) and is not answered yet.
    const desk = fixtureDesk();
    const offered = { id: 1240, score: "offered", comment: null };
    desk.tickets[fixture("tickets-page-1.json").after_cursor].tickets[1].satisfaction_rating = offered;
    const ratingsPage2 = desk.ratings[fixture("satisfaction-ratings-page-1.json").meta.after_cursor];
    Object.assign(ratingsPage2.satisfaction_ratings[0], { score: "offered", comment: null, reason: null });
    server.use(...fakeZendeskApi(desk));
    await install(db.prisma);
    await sync(db.prisma, "2026-03-05T18:00:00Z");
    const lea = await db.prisma.customer.findFirstOrThrow({ where: { displayName: "Léa Martin" } });
    expect(await db.prisma.feedback.count({ where: { customerId: lea.id } })).toBe(0);
    // Ratings created since moved the ratings cursor past her survey's creation.
    await db.prisma.syncCursor.updateMany({
      where: { stream: "satisfaction_ratings" },
      data: { cursor: { startTime: Date.parse("2026-03-05T17:00:00Z") / 1000 } },
    });

    // On 6 March she answers "bad": Zendesk updates the rating (created_at stays) and the ticket.
    const answeredAt = "2026-03-06T09:30:00Z";
    Object.assign(ratingsPage2.satisfaction_ratings[0], {
      score: "bad",
      comment: "Slow and the address is still wrong",
      updated_at: answeredAt,
    });
    const page2 = fixture("tickets-page-2.json");
    const rated = {
      ...page2.tickets[1],
      updated_at: answeredAt,
      satisfaction_rating: { id: 1240, score: "bad", comment: "Slow and the address is still wrong" },
    };
    const afterRating = "MTc3Mjc4OTQwMC4wfHwzNTQ0MHw=";
    desk.tickets[page2.after_cursor] = {
      ...page2,
      tickets: [rated],
      after_cursor: afterRating,
      end_of_stream: true,
    };
    desk.tickets[afterRating] = { ...page2, tickets: [], after_cursor: afterRating, end_of_stream: true };
    const audits = fixture("audits-35440.json");
    audits.audits.push({
      ...audits.audits[2],
      id: 9204,
      created_at: answeredAt,
      events: [
        {
          id: 92041,
          type: "SatisfactionRating",
          score: "bad",
          assignee_id: 235323,
          body: "Slow and the address is still wrong",
        },
      ],
    });
    desk.audits[35440] = [audits];
    usersCaughtUp(desk);
    const seen: URL[] = [];
    server.resetHandlers(...fakeZendeskApi(desk, seen));

    await sync(db.prisma, "2026-03-06T12:00:00Z");

    // The ratings list, asked from its cursor, no longer shows the rating: the ticket brought it.
    const ratingsAsked = seen.find((url) => url.pathname.endsWith("/satisfaction_ratings.json"));
    expect(ratingsAsked?.searchParams.get("start_time")).toBe(
      String(Date.parse("2026-03-05T17:00:00Z") / 1000),
    );
    const answers = () =>
      db.prisma.feedback.findMany({ where: { customerId: lea.id }, orderBy: { externalId: "asc" } });
    const expected = [
      {
        kind: "GOOD_BAD",
        score: 0,
        externalId: "satisfaction:1240",
        comment: "Slow and the address is still wrong",
        respondedAt: new Date(answeredAt),
      },
    ];
    expect(await answers()).toMatchObject(expected);

    // Reading the ratings again from the start finds the same answer: one answer still, updated in place.
    await db.prisma.syncCursor.deleteMany({ where: { stream: "satisfaction_ratings" } });
    const again = await sync(db.prisma, "2026-03-06T13:00:00Z");
    expect(again).toMatchObject({ status: "SUCCEEDED", recordsDeadLettered: 0 });
    expect(await answers()).toMatchObject(expected);
  });

  test("dead-letters a ticket's messages without a requester, with the reason, and keeps the rest and the cursor", async ({
    db,
  }) => {
    const desk = fixtureDesk();
    desk.tickets.start.tickets[1].requester_id = null;
    server.use(...fakeZendeskApi(desk));
    await install(db.prisma);

    const run = await sync(db.prisma, "2026-03-05T18:00:00Z");

    expect(run).toMatchObject({ recordsDeadLettered: 1 });
    const letters = await db.prisma.deadLetter.findMany();
    expect(letters.map((letter) => [letter.stream, letter.reason])).toEqual([
      ["tickets", expect.stringMatching(/^The interaction record is invalid at identities/)],
    ]);
    expect(JSON.parse(letters[0]?.payload ?? "{}")).toMatchObject({
      externalId: "comment:91011",
      conversationId: "35437",
    });
    expect(await db.prisma.interaction.count()).toBe(9);
    expect((await cursors(db.prisma)).tickets).toEqual({
      afterCursor: fixture("tickets-page-2.json").after_cursor,
    });
  });

  test("a run that fails on the export's second page keeps the first page and resumes after it", async ({
    db,
  }) => {
    const desk = fixtureDesk();
    const page1Cursor = fixture("tickets-page-1.json").after_cursor;
    const broken = { ...desk, tickets: { start: desk.tickets.start } };
    server.use(
      http.get(`${API}/incremental/tickets/cursor.json`, ({ request }) =>
        new URL(request.url).searchParams.get("cursor") === page1Cursor
          ? new HttpResponse("Internal Server Error", { status: 500 })
          : undefined,
      ),
      ...fakeZendeskApi(broken),
    );
    await install(db.prisma);

    const failed = await sync(db.prisma, "2026-03-05T18:00:00Z");

    expect(failed.status).toBe("FAILED");
    expect(failed.error).toMatch(/500/);
    // Page 1's records were committed, then its checkpoint; page 2 was never read.
    expect(await db.prisma.interaction.count({ where: { conversationId: { in: ["35436", "35437"] } } })).toBe(
      6,
    );
    expect((await cursors(db.prisma)).tickets).toEqual({ afterCursor: page1Cursor });

    const seen: URL[] = [];
    usersCaughtUp(desk);
    server.resetHandlers(...fakeZendeskApi(desk, seen));
    const resumed = await sync(db.prisma, "2026-03-05T19:00:00Z");

    expect(resumed.status).toBe("SUCCEEDED");
    const exports = seen.filter((url) => url.pathname.endsWith("/tickets/cursor.json"));
    expect(exports.map((url) => url.searchParams.get("cursor"))).toEqual([page1Cursor]);
    expect(await db.prisma.interaction.count()).toBe(10);
  });
});
