// The words records are written in: channels, directions, identity kinds, survey kinds and lifecycle
// stages as lower-case literal lists (the SDK's spelling; the hub stores them upper-case), the answer
// scale of each survey kind, and what an instant looks like. Pure values with no hub behind them, so
// that a plugin builds without the hub's database client; the hub's domain input schemas use these
// same definitions and check at compile time that the lists match its database enums.
import { z } from "zod";

export const CHANNELS = ["email", "ecommerce", "social", "support", "web", "phone", "chat", "other"] as const;
/** The channel a connector, an interaction or a survey answer belongs to. */
export type Channel = (typeof CHANNELS)[number];

export const DIRECTIONS = ["inbound", "outbound"] as const;
/** inbound: the customer to the business; outbound: the business to the customer. */
export type Direction = (typeof DIRECTIONS)[number];

export const IDENTITY_KINDS = ["email", "phone", "shop_customer_id", "social_handle", "external_id"] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export const FEEDBACK_KINDS = ["nps", "csat", "ces", "good_bad"] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export const LIFECYCLE_STAGES = ["lead", "prospect", "customer", "evangelist", "churned"] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export const channelSchema = z.enum(CHANNELS, {
  error: `A channel is one of ${CHANNELS.join(", ")}.`,
});
export const directionSchema = z.enum(DIRECTIONS, {
  error: 'A direction is "inbound" (from the customer) or "outbound" (to the customer).',
});
export const identityKindSchema = z.enum(IDENTITY_KINDS, {
  error: `An identity kind is one of ${IDENTITY_KINDS.join(", ")}.`,
});
export const feedbackKindSchema = z.enum(FEEDBACK_KINDS, {
  error: "A feedback kind is nps, csat, ces or good_bad.",
});
export const lifecycleStageSchema = z.enum(LIFECYCLE_STAGES, {
  error: `A lifecycle stage is one of ${LIFECYCLE_STAGES.join(", ")}.`,
});

/**
 * The answer scale of each survey kind (a check constraint in SQL agrees). `good_bad` is a two-point
 * satisfaction rating, such as Zendesk's "good"/"bad": 1 is good, 0 is bad. It is kept apart from
 * CSAT because a two-point answer placed on CSAT's 1-5 scale would invent a neutral middle it never had.
 */
export const FEEDBACK_SCORE_RANGES: Readonly<
  Record<FeedbackKind, { readonly min: number; readonly max: number; readonly name: string }>
> = {
  nps: { min: 0, max: 10, name: "An NPS score" },
  csat: { min: 1, max: 5, name: "A CSAT score" },
  ces: { min: 1, max: 7, name: "A CES score" },
  good_bad: { min: 0, max: 1, name: "A good/bad rating (1 good, 0 bad)" },
};

/** What is wrong with a survey answer's score for its kind, or undefined when it is on the scale. */
export function feedbackScoreProblem(kind: FeedbackKind, score: number): string | undefined {
  const range = FEEDBACK_SCORE_RANGES[kind];
  if (score >= range.min && score <= range.max) return undefined;
  return `${range.name} is a whole number from ${range.min} to ${range.max}; got ${score}.`;
}

const INSTANT_MESSAGE =
  "Give a Date or an ISO 8601 date-time with a time zone, such as 2026-01-02T10:00:00Z.";

/** A Date, or an ISO 8601 date-time with its time zone (a time without one is ambiguous). */
export const instantSchema = z
  .union([z.date(), z.iso.datetime({ offset: true, error: INSTANT_MESSAGE })], { error: INSTANT_MESSAGE })
  .transform((value) => (typeof value === "string" ? new Date(value) : value));
