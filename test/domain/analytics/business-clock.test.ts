import { describe, expect, it } from "vitest";
import {
  businessClock,
  businessSchedule,
  businessSecondsBetween,
  wallClockSeconds,
} from "../../../src/domain/analytics/business-clock.ts";
import { Channel } from "../../../src/generated/prisma/enums.ts";
import {
  businessHoursSchema,
  responseSpeedSettingsSchema,
  responseTargetFor,
  TARGET_CHANNELS,
} from "../../../src/policy/response-speed-settings.ts";

const HOUR = 3600;
const paris = businessSchedule(businessHoursSchema.parse({ timeZone: "Europe/Paris" }));
const newYork = businessSchedule(businessHoursSchema.parse({ timeZone: "America/New_York" }));
const between = (start: string, end: string, schedule = paris) =>
  businessSecondsBetween(new Date(start), new Date(end), schedule);

describe("the business clock", () => {
  it("counts the hours inside one working day", () => {
    // Tuesday 10:00 to 12:30 in Paris (UTC+1 in January).
    expect(between("2026-01-13T09:00:00Z", "2026-01-13T11:30:00Z")).toBe(2.5 * HOUR);
  });

  it("skips nights and weekends", () => {
    // Friday 16:00 to Monday 10:00 in Paris: one hour on Friday, one on Monday.
    expect(between("2026-01-16T15:00:00Z", "2026-01-19T09:00:00Z")).toBe(2 * HOUR);
    // Saturday noon to Monday 09:30: only Monday's half hour.
    expect(between("2026-01-17T11:00:00Z", "2026-01-19T08:30:00Z")).toBe(0.5 * HOUR);
  });

  it("counts a whole week as its opening hours", () => {
    expect(between("2026-01-12T08:00:00Z", "2026-01-19T08:00:00Z")).toBe(40 * HOUR);
    expect(between("2026-01-12T08:00:00Z", "2026-02-09T08:00:00Z")).toBe(4 * 40 * HOUR);
  });

  it("keeps a working day eight hours across the spring and autumn clock changes", () => {
    // Paris springs forward on Sunday 29 March 2026: Friday 16:00 CET (15:00Z) to Monday 10:00 CEST (08:00Z).
    expect(between("2026-03-27T15:00:00Z", "2026-03-30T08:00:00Z")).toBe(2 * HOUR);
    // And falls back on Sunday 25 October: Friday 16:30 CEST (14:30Z) to Monday 09:15 CET (08:15Z).
    expect(between("2026-10-23T14:30:00Z", "2026-10-26T08:15:00Z")).toBe(0.75 * HOUR);
    // New York changes on 8 March 2026: Friday 16:00 EST (21:00Z) to Monday 10:00 EDT (14:00Z).
    expect(between("2026-03-06T21:00:00Z", "2026-03-09T14:00:00Z", newYork)).toBe(2 * HOUR);
    // A whole week that contains the change still holds 40 business hours.
    expect(between("2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z")).toBe(40 * HOUR);
  });

  it("reads the wall clock of the time zone, with milliseconds", () => {
    expect(wallClockSeconds(new Date("1970-01-01T00:00:00.250Z"), "UTC")).toBe(0.25);
    expect(wallClockSeconds(new Date("2026-07-01T10:00:00Z"), "Europe/Paris")).toBe(
      Date.UTC(2026, 6, 1, 12) / 1000,
    );
  });

  it("counts hours split over midnight as one stretch", () => {
    const lateShift = businessSchedule(
      businessHoursSchema.parse({
        friday: [{ from: "22:00", to: "24:00" }],
        saturday: [{ from: "00:00", to: "02:00" }],
        monday: [],
        tuesday: [],
        wednesday: [],
        thursday: [],
      }),
    );
    expect(lateShift.windows).toEqual([[4 * 86_400 + 22 * HOUR, 5 * 86_400 + 2 * HOUR]]);
    expect(lateShift.weekSeconds).toBe(4 * HOUR);
    expect(between("2026-01-16T23:00:00Z", "2026-01-17T01:00:00Z", lateShift)).toBe(2 * HOUR);
  });

  it("merges touching hours and counts nothing backwards", () => {
    const split = businessSchedule(
      businessHoursSchema.parse({
        monday: [
          { from: "12:00", to: "17:00" },
          { from: "09:00", to: "12:00" },
        ],
      }),
    );
    expect(split.windows[0]).toEqual([9 * HOUR, 17 * HOUR]);
    expect(between("2026-01-13T11:00:00Z", "2026-01-13T09:00:00Z")).toBe(0);
  });

  it("grows monotonically, so differences are never negative", () => {
    let previous = -Infinity;
    for (let hour = 0; hour < 24 * 21; hour += 7) {
      const value = businessClock(new Date(Date.UTC(2026, 2, 20) + hour * HOUR * 1000), paris);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
  });
});

describe("business hours settings", () => {
  it("refuse hours that close before they open, overlap, or never open", () => {
    const problem = (hours: object) => businessHoursSchema.safeParse(hours).error?.issues[0]?.message;
    expect(problem({ monday: [{ from: "17:00", to: "09:00" }] })).toMatch(/closes after it opens/);
    expect(
      problem({
        monday: [
          { from: "09:00", to: "13:00" },
          { from: "12:00", to: "17:00" },
        ],
      }),
    ).toMatch(/overlap/);
    expect(problem({ monday: [{ from: "9:00", to: "17:00" }] })).toMatch(/time of day/);
    expect(problem({ timeZone: "Mars/Olympus" })).toMatch(/IANA/);
    expect(
      problem({ monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] }),
    ).toMatch(/at least one day/);
  });
});

describe("response targets", () => {
  it("name every channel the database knows", () => {
    expect([...TARGET_CHANNELS].sort()).toEqual(Object.values(Channel).sort());
  });

  it("take a channel's own settings over the defaults, null included", () => {
    const settings = responseSpeedSettingsSchema.parse({
      channels: { SOCIAL: { firstResponseMinutes: 60, resolutionMinutes: null } },
    });
    expect(responseTargetFor(settings, "SOCIAL")).toEqual({
      firstResponseMinutes: 60,
      nextResponseMinutes: 480,
      resolutionMinutes: null,
    });
    expect(responseTargetFor(settings, "EMAIL")).toEqual(settings.defaultTargets);
  });
});
