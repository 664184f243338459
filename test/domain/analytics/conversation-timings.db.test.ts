import { describe, expect } from "vitest";
import { conversationTimings } from "../../../src/domain/analytics/conversation-timings.ts";
import { responseSpeedSettingsSchema } from "../../../src/policy/response-speed-settings.ts";
import { test } from "../../helpers/database.ts";
import { AS_OF, PERIOD, seedConversations } from "./conversation-fixture.ts";

const HOUR = 3600;
const context = { asOf: AS_OF, settings: responseSpeedSettingsSchema.parse({}) };

describe("conversation timings", () => {
  test("list every opening with its own timings, newest first", async ({ db }) => {
    await seedConversations(db);
    const rows = await conversationTimings(db.prisma, { ...PERIOD, limit: 10 }, context);
    expect(
      rows.map((row) => [
        row.conversationId,
        row.opening,
        row.reopened,
        row.firstResponseSeconds,
        row.nextResponses,
        row.nextResponseMeanSeconds,
        row.resolutionSeconds,
        row.waitingSeconds,
      ]),
    ).toEqual([
      ["thread-1", 2, true, 66 * HOUR, 0, null, 67 * HOUR, null],
      ["ticket-1", 2, true, null, 0, null, null, 146 * HOUR],
      ["ticket-1", 1, false, 0.5 * HOUR, 0, null, 0.5 * HOUR, null],
      ["mention-1", 1, false, null, 0, null, null, 171 * HOUR],
      ["thread-1", 1, false, 2 * HOUR, 1, HOUR, 4 * HOUR, null],
    ]);
  });

  test("list the waits past their target, longest first, in business hours when asked", async ({ db }) => {
    await seedConversations(db);
    const overdue = await conversationTimings(db.prisma, { status: "OVERDUE", limit: 10 }, context);
    expect(
      overdue.map((row) => [row.conversationId, row.waitingSince?.toISOString(), row.waitingTargetSeconds]),
    ).toEqual([
      ["mention-1", "2026-01-13T09:00:00.000Z", 4 * HOUR],
      ["ticket-1", "2026-01-14T10:00:00.000Z", 4 * HOUR],
    ]);
    const business = await conversationTimings(
      db.prisma,
      { status: "WAITING", businessHoursOnly: true, limit: 1, offset: 1 },
      context,
    );
    expect(business.map((row) => [row.conversationId, row.waitingSeconds])).toEqual([
      ["ticket-1", 34 * HOUR],
    ]);
    // With a looser target for social, the mention is no longer overdue in business hours.
    const loose = responseSpeedSettingsSchema.parse({
      channels: { SOCIAL: { firstResponseMinutes: 50 * 60 } },
    });
    const stillOverdue = await conversationTimings(
      db.prisma,
      { status: "OVERDUE", businessHoursOnly: true, limit: 10 },
      { asOf: AS_OF, settings: loose },
    );
    expect(stillOverdue.map((row) => row.conversationId)).toEqual(["ticket-1"]);
  });
});
