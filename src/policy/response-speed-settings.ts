// The `responseSpeed` section of the policy file (CXHUB_SCORING_POLICY): the response targets (SLAs)
// per channel, when a conversation counts as resolved by silence, and the business hours that
// response times may be counted in. Pure configuration; src/domain/analytics applies it. The README's
// "Response speed" section documents every setting.
import { z } from "zod";

/**
 * The channels targets may be set for: Prisma's Channel enum, spelled out because policy sits below
 * the database layer (a test keeps the two lists equal).
 */
export const TARGET_CHANNELS = [
  "EMAIL",
  "ECOMMERCE",
  "SOCIAL",
  "SUPPORT",
  "WEB",
  "PHONE",
  "CHAT",
  "OTHER",
] as const;
export type TargetChannel = (typeof TARGET_CHANNELS)[number];

const minutes = z
  .number()
  .int("a target is a whole number of minutes")
  .positive("a target is at least 1 minute")
  .max(60 * 24 * 365, "a target is at most a year");

/**
 * The targets one channel's conversations are held to; a null target is no SLA for that measure
 * (its share met is then null, never a made-up 100%).
 */
export const responseTargetSchema = z
  .object({
    /** From the customer's message that opens (or reopens) a conversation to our first reply. */
    firstResponseMinutes: minutes.nullable().default(4 * 60),
    /** From the first customer message after one of our replies to our next reply. */
    nextResponseMinutes: minutes.nullable().default(8 * 60),
    /** From the opening (or reopening) to the conversation's resolution. */
    resolutionMinutes: minutes.nullable().default(48 * 60),
  })
  .strict();
export type ResponseTarget = z.infer<typeof responseTargetSchema>;

/** A channel's own targets: only the settings it changes, without defaults of its own. */
const channelTargetSchema = z
  .object({
    firstResponseMinutes: minutes.nullable().optional(),
    nextResponseMinutes: minutes.nullable().optional(),
    resolutionMinutes: minutes.nullable().optional(),
  })
  .strict();

/** "HH:MM" on a 24-hour clock; "24:00" closes a day at midnight. */
const clockTime = z
  .string()
  .regex(
    /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/,
    'is a time of day such as "09:00" or "17:30" ("24:00" for midnight)',
  );

const openingHours = z
  .object({ from: clockTime, to: clockTime })
  .strict()
  .refine((hours) => hours.from < hours.to, {
    message: 'closes after it opens ("from" before "to"); split hours past midnight over two days',
  });

export const WEEKDAYS = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const officeDay = [{ from: "09:00", to: "17:00" }];

/** Weekly opening hours in a time zone; a day left empty is closed. */
export const businessHoursSchema = z
  .object({
    /** The IANA time zone the hours are read in (Europe/Paris, America/New_York). */
    timeZone: z
      .string()
      .default("UTC")
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat("en", { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, "is an IANA time zone such as UTC or Europe/Lisbon"),
    monday: z.array(openingHours).max(8).default(officeDay),
    tuesday: z.array(openingHours).max(8).default(officeDay),
    wednesday: z.array(openingHours).max(8).default(officeDay),
    thursday: z.array(openingHours).max(8).default(officeDay),
    friday: z.array(openingHours).max(8).default(officeDay),
    saturday: z.array(openingHours).max(8).default([]),
    sunday: z.array(openingHours).max(8).default([]),
  })
  .strict()
  .superRefine((hours, context) => {
    for (const day of WEEKDAYS) {
      const sorted = [...hours[day]].sort((a, b) => a.from.localeCompare(b.from));
      for (let index = 1; index < sorted.length; index++) {
        if ((sorted[index]?.from ?? "") < (sorted[index - 1]?.to ?? "")) {
          context.addIssue({ code: "custom", path: [day], message: "has opening hours that overlap" });
        }
      }
    }
    if (WEEKDAYS.every((day) => hours[day].length === 0)) {
      context.addIssue({ code: "custom", message: "opens on at least one day of the week" });
    }
  });
export type BusinessHours = z.infer<typeof businessHoursSchema>;

export const responseSpeedSettingsSchema = z
  .object({
    /** The targets of channels not listed under `channels`. */
    defaultTargets: responseTargetSchema.prefault({}),
    /** Targets per channel (EMAIL, SOCIAL, SUPPORT, …); each setting left out takes the default's. */
    channels: z.partialRecord(z.enum(TARGET_CHANNELS), channelTargetSchema).default({}),
    /**
     * A conversation whose last message is our reply, with no customer message for this many hours,
     * is resolved at that reply (email and social threads have no status). Null: only an explicit
     * `*.resolved` / `*.closed` interaction or a resolved/closed status resolves.
     */
    resolveAfterQuietHours: z
      .number()
      .positive()
      .max(24 * 365)
      .nullable()
      .default(72),
    /** The hours counted when a report asks for business hours. */
    businessHours: businessHoursSchema.prefault({}),
  })
  .strict();
export type ResponseSpeedSettings = z.infer<typeof responseSpeedSettingsSchema>;

/** The targets a channel's conversations are held to: its own settings over the defaults. */
export function responseTargetFor(settings: ResponseSpeedSettings, channel: TargetChannel): ResponseTarget {
  const own = settings.channels[channel] ?? {};
  const defaults = settings.defaultTargets;
  return {
    firstResponseMinutes:
      own.firstResponseMinutes !== undefined ? own.firstResponseMinutes : defaults.firstResponseMinutes,
    nextResponseMinutes:
      own.nextResponseMinutes !== undefined ? own.nextResponseMinutes : defaults.nextResponseMinutes,
    resolutionMinutes:
      own.resolutionMinutes !== undefined ? own.resolutionMinutes : defaults.resolutionMinutes,
  };
}
