// A segment as a filter on response speed: the report, the waiting list and the per-conversation list
// count only the segment's members' conversations, and for an account manager only their own
// customers among them. The figures are worked out by hand from conversation-fixture.ts.
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { createSegment } from "../../src/domain/segments/manage-segments.ts";
import { AS_OF, conversation, PERIOD, seedConversations } from "../domain/analytics/conversation-fixture.ts";
import {
  ConversationResponseTimesDocument,
  ConversationsWaitingDocument,
  ResponseSpeedDocument,
} from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const HOUR = 3600;
const clock = () => AS_OF;
const period = { from: PERIOD.from.toISOString(), to: PERIOD.to.toISOString() };
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");

/**
 * The fixture's conversations, and Hal's (Bob's customer): a support ticket answered in 1 h and
 * resolved in 2 h. The segment "Support contacts" holds Ada and Hal; Grace, only on social, is out.
 */
async function setUp(db: Database) {
  const seeded = await seedConversations(db);
  const hal = await db.prisma.customer.create({ data: { displayName: "Hal", ownerId: seeded.bob.id } });
  await conversation(db, hal.id, "SUPPORT", "ticket-2", [
    { at: "2026-01-15T09:00:00Z", direction: "INBOUND" },
    { at: "2026-01-15T10:00:00Z", direction: "OUTBOUND" },
    { at: "2026-01-15T11:00:00Z", direction: "OUTBOUND", kind: "conversation.resolved" },
  ]);
  const segment = await createSegment(
    db.prisma,
    { principalId: seeded.alice.id, mayEditAny: true },
    { name: "Support contacts", definition: { channel: "SUPPORT" } },
    AS_OF,
  );
  const client = (role: "ANALYST" | "ACCOUNT_MANAGER", principalId?: string) =>
    createTestClient(db, { role, principalId, clock });
  return { ...seeded, hal, segmentId: gid("Segment", segment.id), client };
}

type Client = Awaited<ReturnType<typeof createTestClient>>;

async function report(client: Client, filter: { period: typeof period; segmentId?: string }) {
  const result = await client.execute(ResponseSpeedDocument, { filter });
  expect(result.errors).toBeUndefined();
  const overall = result.data?.responseSpeed.overall;
  return {
    openings: overall?.openings,
    conversations: overall?.conversations,
    waiting: overall?.waiting,
    resolved: overall?.resolved,
    firstResponse: [overall?.firstResponse.count, overall?.firstResponse.p50Seconds],
    resolution: [overall?.resolution.count, overall?.resolution.p50Seconds],
  };
}

describe("responseSpeed with a segment", () => {
  test("measures only the segment's members, and for an account manager only their own among them", async ({
    db,
  }) => {
    const { alice, bob, segmentId, client } = await setUp(db);
    const analyst = await client("ANALYST");

    // Everyone: Ada's 4 openings, Grace's 1 and Hal's 1.
    expect((await report(analyst, { period })).openings).toBe(6);
    // Ada and Hal: first responses 0.5 h, 1 h, 2 h and 66 h (p50 1.5 h); resolutions 0.5 h, 2 h, 4 h
    // and 67 h (p50 3 h); Ada's reopened ticket still waits.
    expect(await report(analyst, { period, segmentId })).toEqual({
      openings: 5,
      conversations: 3,
      waiting: 1,
      resolved: 4,
      firstResponse: [4, 1.5 * HOUR],
      resolution: [4, 3 * HOUR],
    });
    // Alice owns Ada: 2 h, 66 h and 0.5 h; 4 h, 67 h and 0.5 h.
    expect(await report(await client("ACCOUNT_MANAGER", alice.id), { period, segmentId })).toEqual({
      openings: 4,
      conversations: 2,
      waiting: 1,
      resolved: 3,
      firstResponse: [3, 2 * HOUR],
      resolution: [3, 4 * HOUR],
    });
    // Bob owns Grace (not in the segment) and Hal.
    expect(await report(await client("ACCOUNT_MANAGER", bob.id), { period, segmentId })).toEqual({
      openings: 1,
      conversations: 1,
      waiting: 0,
      resolved: 1,
      firstResponse: [1, HOUR],
      resolution: [1, 2 * HOUR],
    });
  });

  test("narrows the waiting list and the per-conversation list to the segment's members", async ({ db }) => {
    const { bob, segmentId, client } = await setUp(db);
    const analyst = await client("ANALYST");
    const waiting = async (who: Client, filter?: { segmentId: string }) => {
      const result = await who.execute(ConversationsWaitingDocument, { filter });
      expect(result.errors).toBeUndefined();
      return result.data?.conversationsWaiting.edges.map((edge) => [
        edge.node.conversationId,
        edge.node.opening,
        edge.node.waitingSeconds,
      ]);
    };
    expect(await waiting(analyst)).toEqual([
      ["mention-1", 1, 171 * HOUR],
      ["ticket-1", 2, 146 * HOUR],
    ]);
    expect(await waiting(analyst, { segmentId })).toEqual([["ticket-1", 2, 146 * HOUR]]);
    const bobs = await client("ACCOUNT_MANAGER", bob.id);
    expect(await waiting(bobs)).toEqual([["mention-1", 1, 171 * HOUR]]);
    expect(await waiting(bobs, { segmentId })).toEqual([]);

    const listed = await analyst.execute(ConversationResponseTimesDocument, {
      filter: { period, segmentId },
    });
    expect(listed.errors).toBeUndefined();
    expect(
      listed.data?.conversationResponseTimes.edges.map((edge) => [
        edge.node.customer.displayName,
        edge.node.conversationId,
        edge.node.opening,
        edge.node.firstResponseSeconds,
      ]),
    ).toEqual([
      ["Ada", "thread-1", 2, 66 * HOUR],
      ["Hal", "ticket-2", 1, HOUR],
      ["Ada", "ticket-1", 2, null],
      ["Ada", "ticket-1", 1, 0.5 * HOUR],
      ["Ada", "thread-1", 1, 2 * HOUR],
    ]);
  });

  test("refuses an ID that is not a segment's, and a segment that does not exist, saying what to do", async ({
    db,
  }) => {
    const { alice, client } = await setUp(db);
    const analyst = await client("ANALYST");
    const wrongType = await analyst.execute(ResponseSpeedDocument, {
      filter: { segmentId: gid("Principal", alice.id) },
    });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const missing = await analyst.execute(ConversationsWaitingDocument, {
      filter: { segmentId: gid("Segment", "00000000-0000-4000-8000-000000000000") },
    });
    expect(missing.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(missing.errors?.[0]?.message).toMatch(/segments query/);
  });
});
