// The hub scores what a customer wrote when the record gives no sentiment: plugins give either a
// score on the hub's scale or the text, and stored facts stay comparable on a re-sync.
import { describe, expect } from "vitest";
import {
  type RecordInteractionInput,
  recordInteractionInputSchema,
} from "../../../src/domain/interactions/interaction-input.ts";
import { test } from "../../helpers/database.ts";
import { recordInteraction } from "../../helpers/writes.ts";

// thanks +2, broken −1, disappointed −2: s = −1, and −1 / √(1 + 15) = −0.25.
const COMPLAINT = "Thanks, but the kettle arrived broken and I am disappointed.";

function anEmail(overrides: Partial<RecordInteractionInput> = {}): RecordInteractionInput {
  return {
    customer: { identities: [{ kind: "EMAIL", value: "ana@example.com" }] },
    source: "support-inbox",
    externalId: "msg-1",
    channel: "EMAIL",
    kind: "email.received",
    direction: "INBOUND",
    occurredAt: "2026-01-05T10:00:00Z",
    summary: "My kettle",
    body: COMPLAINT,
    ...overrides,
  };
}

describe("sentiment of recorded interactions", () => {
  test("an inbound interaction recorded without a sentiment carries its body's score", async ({ db }) => {
    const { interaction } = await recordInteraction(db.prisma, anEmail());
    expect(interaction.sentiment).toBe(-0.25);
  });

  test("an inbound interaction recorded with a sentiment keeps the one it was given", async ({ db }) => {
    const { interaction } = await recordInteraction(db.prisma, anEmail({ sentiment: 0.3 }));
    expect(interaction.sentiment).toBe(0.3);
  });

  test("recording the same message again, without its sentiment, changes nothing", async ({ db }) => {
    await recordInteraction(db.prisma, anEmail());
    const repeat = await recordInteraction(db.prisma, anEmail());
    expect(repeat.outcome).toBe("unchanged");
    expect(repeat.interaction.sentiment).toBe(-0.25);
  });

  test("the business's own words, and messages without words, get no sentiment", async ({ db }) => {
    const reply = await recordInteraction(
      db.prisma,
      anEmail({
        externalId: "msg-2",
        kind: "email.sent",
        direction: "OUTBOUND",
        body: "Terrible news, sorry!",
      }),
    );
    const empty = await recordInteraction(db.prisma, anEmail({ externalId: "msg-3", body: "!!!" }));
    const bodiless = await recordInteraction(db.prisma, anEmail({ externalId: "msg-4", body: undefined }));
    expect([reply, empty, bodiless].map((result) => result.interaction.sentiment)).toEqual([
      null,
      null,
      null,
    ]);
  });

  test("parsing an input twice, or parsing what parsing gave, yields the same sentiment", () => {
    const first = recordInteractionInputSchema.parse(anEmail());
    expect(recordInteractionInputSchema.parse(anEmail()).sentiment).toBe(first.sentiment);
    expect(recordInteractionInputSchema.parse(first)).toEqual(first);
  });
});
