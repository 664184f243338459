import { describe, expect } from "vitest";
import {
  businessClock,
  businessClockSql,
  businessSchedule,
} from "../../../src/domain/analytics/business-clock.ts";
import { Prisma } from "../../../src/generated/prisma/client.ts";
import { businessHoursSchema } from "../../../src/policy/response-speed-settings.ts";
import { test } from "../../helpers/database.ts";

describe("the business clock in SQL", () => {
  test("reads the same as the TypeScript clock, across weekends and clock changes", async ({ db }) => {
    const schedule = businessSchedule(
      businessHoursSchema.parse({
        timeZone: "America/New_York",
        saturday: [{ from: "10:00", to: "14:00" }],
        wednesday: [
          { from: "08:00", to: "12:00" },
          { from: "13:00", to: "19:30" },
        ],
      }),
    );
    // Every 97 minutes (so every time of day comes round) for five weeks around the March change.
    const instants = Array.from(
      { length: 500 },
      (_, index) => new Date(Date.UTC(2026, 1, 22) + index * 97 * 60_000 + 123),
    );
    const rows = await db.prisma.$queryRaw<Array<{ clock: number }>>`
      SELECT ${businessClockSql(Prisma.sql`at`, schedule)} AS clock
        FROM unnest(${instants.map((instant) => instant.toISOString())}::timestamptz[]) WITH ORDINALITY AS t(at, n)
       ORDER BY n`;
    expect(rows.map((row) => row.clock)).toEqual(instants.map((instant) => businessClock(instant, schedule)));
  });
});
