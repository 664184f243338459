// Response speed over GraphQL: the typed operations of schema/operations/response-speed.graphql, the
// request's clock as "now", the policy's targets, and an account manager's book only.
import { describe, expect } from "vitest";
import { DEFAULT_SCORING_POLICY, scoringPolicySchema } from "../../src/policy/scoring-policy.ts";
import { AS_OF, PERIOD, seedConversations } from "../domain/analytics/conversation-fixture.ts";
import {
  ConversationMessagesDocument,
  ConversationResponseTimesDocument,
  ConversationsWaitingDocument,
  ResponseSpeedDocument,
} from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const HOUR = 3600;
const clock = () => AS_OF;
const period = { from: PERIOD.from.toISOString(), to: PERIOD.to.toISOString() };
const principalId = (id: string) => Buffer.from(`Principal:${id}`).toString("base64");

describe("responseSpeed", () => {
  test("gives the figures with their counts, per channel and owner, as of the request's clock", async ({
    db,
  }) => {
    const { alice } = await seedConversations(db);
    const client = await createTestClient(db, { role: "ANALYST", clock });
    const result = await client.execute(ResponseSpeedDocument, {
      filter: { period },
      groupBy: ["CHANNEL", "OWNER"],
      interval: "WEEK",
    });
    expect(result.errors).toBeUndefined();
    const report = result.data?.responseSpeed;
    expect(report?.asOf).toBe(AS_OF.toISOString());
    expect(report?.overall.firstResponse).toMatchObject({
      count: 3,
      p50Seconds: 2 * HOUR,
      metTarget: 2,
      missedTarget: 3,
      targetMetShare: 0.4,
    });
    expect(report?.trend.map((point) => [point.periodStart, point.figures.openings])).toEqual([
      ["2026-01-12T00:00:00.000Z", 5],
    ]);
    expect(report?.groups[0]).toMatchObject({ channel: "EMAIL", owner: { name: alice.name } });
  });

  test("shows an account manager only their own customers, whatever owner they ask for", async ({ db }) => {
    const { alice, bob } = await seedConversations(db);
    const bobs = await createTestClient(db, { role: "ACCOUNT_MANAGER", principalId: bob.id, clock });
    const asked = await bobs.execute(ResponseSpeedDocument, {
      filter: { period, ownerId: principalId(alice.id) },
      groupBy: ["OWNER"],
    });
    expect(asked.errors).toBeUndefined();
    expect(asked.data?.responseSpeed.overall).toMatchObject({ openings: 1, conversations: 1, waiting: 1 });
    expect(asked.data?.responseSpeed.groups.map((group) => group.owner?.name)).toEqual([bob.name]);

    const waiting = await bobs.execute(ConversationsWaitingDocument, {});
    expect(waiting.data?.conversationsWaiting.edges.map((edge) => edge.node.conversationId)).toEqual([
      "mention-1",
    ]);
    const all = await bobs.execute(ConversationResponseTimesDocument, { filter: { period } });
    expect(all.data?.conversationResponseTimes.edges.map((edge) => edge.node.customer.displayName)).toEqual([
      "Grace",
    ]);
  });

  test("refuses a trend without a period, with a code that says what to fix", async ({ db }) => {
    const client = await createTestClient(db, { role: "ANALYST", clock });
    const result = await client.execute(ResponseSpeedDocument, { interval: "DAY" });
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.message).toMatch(/period/);
  });
});

describe("conversationsWaiting", () => {
  test("lists waits past their target, longest first, page by page", async ({ db }) => {
    await seedConversations(db);
    const client = await createTestClient(db, { role: "ANALYST", clock });
    const first = await client.execute(ConversationsWaitingDocument, { first: 1 });
    expect(first.errors).toBeUndefined();
    const page = first.data?.conversationsWaiting;
    expect(page?.edges[0]?.node).toMatchObject({
      conversationId: "mention-1",
      channel: "SOCIAL",
      waitingSince: "2026-01-13T09:00:00.000Z",
      waitingSeconds: 171 * HOUR,
      waitingTargetSeconds: 4 * HOUR,
      overdueSeconds: 167 * HOUR,
    });
    expect(page?.pageInfo.hasNextPage).toBe(true);
    const next = await client.execute(ConversationsWaitingDocument, {
      first: 1,
      after: page?.pageInfo.endCursor,
    });
    expect(next.data?.conversationsWaiting.edges[0]?.node).toMatchObject({
      conversationId: "ticket-1",
      opening: 2,
    });
    expect(next.data?.conversationsWaiting.pageInfo.hasNextPage).toBe(false);
  });

  test("holds waits to the policy's targets, in business hours when asked", async ({ db }) => {
    await seedConversations(db);
    const scoringPolicy = scoringPolicySchema.parse({
      ...DEFAULT_SCORING_POLICY,
      responseSpeed: { channels: { SOCIAL: { firstResponseMinutes: 50 * 60 } } },
    });
    const client = await createTestClient(db, { role: "ANALYST", clock, scoringPolicy });
    const result = await client.execute(ConversationsWaitingDocument, { businessHoursOnly: true });
    expect(result.data?.conversationsWaiting.edges.map((edge) => edge.node.conversationId)).toEqual([
      "ticket-1",
    ]);
  });
});

describe("Interaction.conversationId and metadata", () => {
  test("show the thread and the provider's details, masked without the pii scope", async ({ db }) => {
    const customer = await db.prisma.customer.create({ data: { displayName: "Lin" } });
    await db.prisma.interaction.create({
      data: {
        customerId: customer.id,
        source: "desk",
        externalId: "1",
        channel: "SUPPORT",
        kind: "ticket.opened",
        direction: "INBOUND",
        occurredAt: AS_OF,
        conversationId: "ticket-9",
        metadata: { status: "open", requesterEmail: "lin@example.com", note: "call +14155550123" },
      },
    });
    const id = Buffer.from(`Customer:${customer.id}`).toString("base64");
    const analyst = await createTestClient(db, { role: "ANALYST", scopes: [] });
    const masked = await analyst.execute(ConversationMessagesDocument, { customerId: id });
    const node = masked.data?.node;
    const interaction = node && "timeline" in node ? node.timeline.edges[0]?.node : undefined;
    expect(interaction).toMatchObject({ conversationId: "ticket-9" });
    const metadata = interaction && "metadata" in interaction ? interaction.metadata : undefined;
    expect(metadata).toMatchObject({ status: "open" });
    expect(JSON.stringify(metadata)).not.toContain("lin@example.com");
    expect(JSON.stringify(metadata)).not.toContain("4155550123");

    const privileged = await createTestClient(db, { role: "ANALYST", scopes: ["pii"] });
    const whole = await privileged.execute(ConversationMessagesDocument, { customerId: id });
    expect(JSON.stringify(whole.data)).toContain("lin@example.com");
  });
});
