// Conversations whose every time is known, for the response speed tests: a reopened email thread
// (reopened after a quiet spell, then resolved by a status change), an unanswered social mention, and
// a support ticket closed by a reply's status and reopened by the customer. The expected figures are
// worked out by hand in the tests, for elapsed time and for business hours (Mon–Fri 09:00–17:00 UTC).
import { randomUUID } from "node:crypto";
import type { Database } from "../../../src/db/database.ts";
import type { Channel, Direction } from "../../../src/generated/prisma/enums.ts";

/** The request's "now": Tuesday 20 January 2026, 12:00 UTC. */
export const AS_OF = new Date("2026-01-20T12:00:00Z");
/** The week the openings fall in: Monday 12 January to Monday 19 January (exclusive). */
export const PERIOD = { from: new Date("2026-01-12T00:00:00Z"), to: new Date("2026-01-19T00:00:00Z") };

interface Message {
  at: string;
  direction: Direction;
  kind?: string;
  metadata?: { status: string };
}

export async function conversation(
  db: Database,
  customerId: string,
  channel: Channel,
  conversationId: string,
  messages: Message[],
) {
  await db.prisma.interaction.createMany({
    data: messages.map((message) => ({
      customerId,
      source: "fixture",
      externalId: randomUUID(),
      channel,
      kind: message.kind ?? (message.direction === "INBOUND" ? "message.received" : "message.sent"),
      direction: message.direction,
      occurredAt: new Date(message.at),
      conversationId,
      metadata: message.metadata,
    })),
  });
}

export async function seedConversations(db: Database) {
  const [alice, bob] = await Promise.all(
    ["Alice Manager", "Bob Manager"].map((name) => db.prisma.principal.create({ data: { name } })),
  );
  if (!alice || !bob) throw new Error("the principals were not created");
  const ada = await db.prisma.customer.create({ data: { displayName: "Ada", ownerId: alice.id } });
  const grace = await db.prisma.customer.create({ data: { displayName: "Grace", ownerId: bob.id } });

  await conversation(db, ada.id, "EMAIL", "thread-1", [
    // Opening 1: two messages wait as one; first response 2 h, next response 1 h, then quiet: resolved
    // at the last reply (4 h after opening) once 72 h pass without a word.
    { at: "2026-01-12T10:00:00Z", direction: "INBOUND" },
    { at: "2026-01-12T10:30:00Z", direction: "INBOUND" },
    { at: "2026-01-12T12:00:00Z", direction: "OUTBOUND" },
    { at: "2026-01-12T13:00:00Z", direction: "INBOUND" },
    { at: "2026-01-12T14:00:00Z", direction: "OUTBOUND" },
    // Opening 2 (a reopening, 74 h later), Friday 16:00: answered Monday 10:00 (66 h; 2 business
    // hours), resolved by a status change Monday 11:00 (67 h; 3 business hours).
    { at: "2026-01-16T16:00:00Z", direction: "INBOUND" },
    { at: "2026-01-19T10:00:00Z", direction: "OUTBOUND" },
    { at: "2026-01-19T11:00:00Z", direction: "OUTBOUND", kind: "conversation.resolved" },
  ]);
  await conversation(db, grace.id, "SOCIAL", "mention-1", [
    // Never answered: waiting 171 h at AS_OF (43 business hours).
    { at: "2026-01-13T09:00:00Z", direction: "INBOUND" },
  ]);
  await conversation(db, ada.id, "SUPPORT", "ticket-1", [
    // Answered in 30 minutes by a reply that closes the ticket; reopened half an hour later and
    // waiting since (146 h at AS_OF; 34 business hours).
    { at: "2026-01-14T09:00:00Z", direction: "INBOUND" },
    { at: "2026-01-14T09:30:00Z", direction: "OUTBOUND", metadata: { status: "closed" } },
    { at: "2026-01-14T10:00:00Z", direction: "INBOUND" },
  ]);
  // Outside the period, and outbound only: neither counts.
  await conversation(db, ada.id, "EMAIL", "thread-old", [
    { at: "2025-12-01T10:00:00Z", direction: "INBOUND" },
    { at: "2025-12-01T11:00:00Z", direction: "OUTBOUND" },
  ]);
  await conversation(db, ada.id, "EMAIL", "newsletter", [
    { at: "2026-01-13T08:00:00Z", direction: "OUTBOUND" },
  ]);
  // A reply that arrives after AS_OF does not exist yet.
  await conversation(db, grace.id, "SOCIAL", "mention-1", [
    { at: "2026-01-21T09:00:00Z", direction: "OUTBOUND" },
  ]);
  return { alice, bob, ada, grace };
}
