// The input of recordInteraction, and the instant, money and sentiment shapes other inputs share.
// Pure schemas with no database behind them, so the connector SDK can validate records with them.
import { z } from "zod";
import { Channel, Direction } from "../../generated/prisma/enums.ts";
import { customerReferenceSchema } from "../identities/identity-input.ts";

const currencies = new Set(Intl.supportedValuesOf("currency"));

const INSTANT_MESSAGE =
  "Give a Date or an ISO 8601 date-time with a time zone, such as 2026-01-02T10:00:00Z.";

/** A Date, or an ISO 8601 date-time with its time zone (a time without one is ambiguous). */
export const instantSchema = z
  .union([z.date(), z.iso.datetime({ offset: true, error: INSTANT_MESSAGE })], { error: INSTANT_MESSAGE })
  .transform((value) => (typeof value === "string" ? new Date(value) : value));

/** Money that moved: an exact decimal string (never a float) and its ISO 4217 currency. */
export const moneySchema = z.object({
  amount: z
    .string()
    .trim()
    .regex(
      /^-?\d{1,15}(\.\d{1,4})?$/,
      'An amount is a decimal string with at most 15 digits before the point and 4 after, such as "19.99".',
    ),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .refine((code) => currencies.has(code), "A currency is an ISO 4217 code, such as EUR or USD."),
});

export const sentimentSchema = z
  .number()
  .min(-1, "Sentiment lies between -1 (negative) and 1 (positive).")
  .max(1, "Sentiment lies between -1 (negative) and 1 (positive).");

export const recordInteractionInputSchema = z.object({
  customer: customerReferenceSchema,
  /** The connector instance or API client reporting it. */
  source: z.string().trim().min(1, "Name the source that reports this interaction.").max(200),
  /** Its id at the source; with the source, what makes a repeat recognizable. */
  externalId: z.string().trim().min(1, "Give the interaction's id at its source.").max(500),
  channel: z.enum(Channel),
  kind: z
    .string()
    .regex(
      /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/,
      'A kind is a dotted lower-case name of what happened, such as "order.placed" or "email.received".',
    )
    .max(100),
  direction: z.enum(Direction),
  occurredAt: instantSchema,
  summary: z.string().max(1000).optional(),
  body: z.string().max(200_000).optional(),
  amount: moneySchema.optional(),
  sentiment: sentimentSchema.optional(),
  conversationId: z.string().trim().min(1).max(500).optional(),
  metadata: z.record(z.string(), z.json(), "Metadata must be a JSON object.").optional(),
});
export type RecordInteractionInput = z.input<typeof recordInteractionInputSchema>;
