import { describe, expect } from "vitest";
import { NotFoundError, ValidationError } from "../../../src/domain/errors.ts";
import type { SubmitFeedbackInput } from "../../../src/domain/feedback/feedback-input.ts";
import { storeRecords } from "../../../src/domain/records/store-records.ts";
import type { PrismaClient } from "../../../src/generated/prisma/client.ts";
import { countingStatements } from "../../helpers/counted-statements.ts";
import { test } from "../../helpers/database.ts";
import { recordInteraction, submitFeedback } from "../../helpers/writes.ts";

function anAnswer(overrides: Partial<SubmitFeedbackInput> = {}): SubmitFeedbackInput {
  return {
    customer: { identities: [{ kind: "EMAIL", value: "ana@example.com" }] },
    source: "survey",
    externalId: "answer-1",
    kind: "NPS",
    score: 9,
    comment: "Fast delivery",
    touchpoint: "checkout",
    respondedAt: "2026-02-01T09:00:00Z",
    ...overrides,
  };
}

/** Ana's first order (2026-01-20 12:00): a customer named by id afterwards, seen since then. */
function anOrderOfAna(prisma: PrismaClient) {
  return recordInteraction(prisma, {
    customer: { identities: [{ kind: "EMAIL", value: "ana@example.com" }] },
    source: "shop",
    externalId: "order-1",
    channel: "ECOMMERCE",
    kind: "order.placed",
    direction: "INBOUND",
    occurredAt: "2026-01-20T12:00:00Z",
  });
}

describe("submitFeedback", () => {
  test.for([
    ["NPS", 11, "An NPS score is a whole number from 0 to 10; got 11."],
    ["NPS", -1, "An NPS score is a whole number from 0 to 10; got -1."],
    ["CSAT", 0, "A CSAT score is a whole number from 1 to 5; got 0."],
    ["CSAT", 6, "A CSAT score is a whole number from 1 to 5; got 6."],
    ["CES", 8, "A CES score is a whole number from 1 to 7; got 8."],
  ] as const)("refuses a %s score of %i at the path of the score", async ([kind, score, message], { db }) => {
    const attempt = submitFeedback(db.prisma, anAnswer({ kind, score }));
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ issues: [{ path: ["score"], message }] });
    expect(await db.prisma.customer.count()).toBe(0);
  });

  test("refuses a score that is not a whole number", async ({ db }) => {
    await expect(submitFeedback(db.prisma, anAnswer({ score: 7.5 }))).rejects.toMatchObject({
      issues: [{ path: ["score"], message: "A score is a whole number." }],
    });
  });

  test.for([
    ["NPS", 0],
    ["NPS", 10],
    ["CSAT", 1],
    ["CES", 7],
  ] as const)("accepts a %s score of %i", async ([kind, score], { db }) => {
    const result = await submitFeedback(db.prisma, anAnswer({ kind, score }));
    expect(result.feedback.score).toBe(score);
  });

  test("creates once, then reports a repeat as unchanged and a correction as updated", async ({ db }) => {
    const created = await submitFeedback(db.prisma, anAnswer());
    const repeat = await submitFeedback(
      db.prisma,
      anAnswer({ respondedAt: new Date("2026-02-01T09:00:00Z") }),
    );
    const corrected = await submitFeedback(db.prisma, anAnswer({ score: 6, comment: undefined }));
    expect([created.outcome, repeat.outcome, corrected.outcome]).toEqual(["created", "unchanged", "updated"]);
    expect(repeat.feedback).toEqual(created.feedback);
    expect(corrected.feedback).toMatchObject({ id: created.feedback.id, score: 6, comment: null });
    expect(await db.prisma.feedback.count()).toBe(1);
  });

  test("a new answer comes back from its insert as stored, so that the mutation answers without reading it again", async ({
    db,
  }) => {
    const now = new Date("2026-02-01T10:00:00Z");
    const { records } = await db.prisma.$transaction((tx) =>
      storeRecords(
        tx,
        [{ type: "feedback", input: anAnswer({ channel: "EMAIL", sentiment: 0.1 + 0.2, score: 10 }) }],
        { now },
      ),
    );
    const [stored] = records;
    const row = await db.prisma.feedback.findUniqueOrThrow({ where: { id: stored?.factId ?? "" } });
    expect(stored?.feedback).toEqual(row);
    expect(row).toMatchObject({ sentiment: 0.1 + 0.2, channel: "EMAIL", comment: "Fast delivery" });
  });

  test("moves the customer's last seen time to the answer", async ({ db }) => {
    const { customerId } = await anOrderOfAna(db.prisma);
    const result = await submitFeedback(db.prisma, anAnswer({ customer: { id: customerId } }));
    expect(result.customerId).toBe(customerId);
    const customer = await db.prisma.customer.findUniqueOrThrow({ where: { id: customerId } });
    expect(customer.firstSeenAt).toEqual(new Date("2026-01-20T12:00:00Z"));
    expect(customer.lastSeenAt).toEqual(new Date("2026-02-01T09:00:00Z"));
  });

  test("stores a new answer to a customer named by id in one statement, and a repeat through the full path", async ({
    db,
  }) => {
    const { customerId } = await anOrderOfAna(db.prisma);
    const store = (respondedAt: string) =>
      db.prisma.$transaction(async (tx) => {
        const counted = countingStatements(tx);
        const result = await storeRecords(
          counted.tx,
          [{ type: "feedback", input: anAnswer({ customer: { id: customerId }, respondedAt }) }],
          { now: new Date("2026-02-02T00:00:00Z") },
        );
        return { result, statements: counted.count() };
      });
    const created = await store("2026-02-01T09:00:00Z");
    // The customer locked, the answer inserted and the seen window widened: one round trip, not three.
    expect(created.statements).toBe(1);
    expect(created.result.records).toEqual([
      expect.objectContaining({
        outcome: "created",
        customerId,
        createdCustomer: false,
        movedFromCustomerId: null,
      }),
    ]);
    expect([...created.result.touched]).toEqual([customerId]);
    const row = await db.prisma.feedback.findUniqueOrThrow({
      where: { id: created.result.records[0]?.factId ?? "" },
    });
    expect(created.result.records[0]?.feedback).toEqual(row);
    const customer = await db.prisma.customer.findUniqueOrThrow({ where: { id: customerId } });
    expect([customer.firstSeenAt, customer.lastSeenAt]).toEqual([
      new Date("2026-01-20T12:00:00Z"),
      new Date("2026-02-01T09:00:00Z"),
    ]);
    // The same answer again is stored already: the general path compares it, as before.
    const repeat = await store("2026-02-01T09:00:00Z");
    expect(repeat.result.records[0]).toMatchObject({ outcome: "unchanged", factId: row.id });
    expect(await db.prisma.feedback.count()).toBe(1);
  });

  test("links the interaction the survey followed, and refuses one that does not exist", async ({ db }) => {
    const { interaction } = await recordInteraction(db.prisma, {
      customer: { identities: [{ kind: "EMAIL", value: "ana@example.com" }] },
      source: "support",
      externalId: "ticket-7",
      channel: "SUPPORT",
      kind: "support.ticket.closed",
      direction: "INBOUND",
      occurredAt: "2026-01-31T12:00:00Z",
    });
    const linked = await submitFeedback(
      db.prisma,
      anAnswer({ kind: "CSAT", score: 4, interactionId: interaction.id }),
    );
    expect(linked.feedback.interactionId).toBe(interaction.id);
    await expect(
      submitFeedback(
        db.prisma,
        anAnswer({ externalId: "answer-2", interactionId: "0190d5a4-8f6b-7c3e-9a1d-2b4c6e8f0a12" }),
      ),
    ).rejects.toSatisfy((error) => error instanceof NotFoundError && error.resource === "Interaction");
  });
});
