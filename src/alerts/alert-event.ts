// What the live alert stream carries (AlertStreamEvent): a published alert (AlertEvent: the stored
// alert row, its customer as it was at publishing, and its place in the stream) or a published digest
// (AlertDigestEvent: the digest row, which stands for the many alerts one transaction raised for one
// owner); with the schemas that check them wherever they cross a boundary, and their wire form
// between server instances.
//
// Two boundaries: the rows the dispatcher reads as JSON (one statement for both tables, so dates are
// ISO text and the position a number), and the messages Redis carries. Those are written with devalue,
// which keeps Dates, BigInts and undefined as they were, so no field list has to be kept by hand to
// revive them. Every field is checked at both, so a malformed row or message is refused with its
// reason instead of reaching thousands of subscribers half-built.
import { parse, stringify } from "devalue";
import { z } from "zod";
import type { Alert, AlertDigest, Customer } from "../generated/prisma/client.ts";
import {
  AlertResolutionReason,
  AlertStatus,
  ChurnRiskLevel,
  LifecycleStage,
} from "../generated/prisma/enums.ts";
import { churnReasonsSchema } from "../scoring/churn-risk.ts";

/** How a boundary carries the two kinds of value JSON has no type for. */
interface Carriers {
  date: z.ZodType<Date, unknown>;
  bigint: z.ZodType<bigint, unknown>;
}

function rowSchemas({ date, bigint }: Carriers) {
  const customer = z.object({
    id: z.string(),
    displayName: z.string().nullable(),
    traits: z.json(),
    lifecycleStage: z.enum(LifecycleStage),
    profileVersions: z.json(),
    ownerId: z.string().nullable(),
    firstSeenAt: date.nullable(),
    lastSeenAt: date.nullable(),
    mergedIntoId: z.string().nullable(),
    mergedAt: date.nullable(),
    createdAt: date,
    updatedAt: date,
  });
  const alert = z.object({
    id: z.string(),
    customerId: z.string(),
    ownerId: z.string().nullable(),
    level: z.enum(ChurnRiskLevel),
    score: z.number(),
    previousScore: z.number().nullable(),
    previousLevel: z.enum(ChurnRiskLevel).nullable(),
    reasons: churnReasonsSchema,
    status: z.enum(AlertStatus),
    triggerKey: z.string(),
    createdAt: date,
    acknowledgedAt: date.nullable(),
    acknowledgedById: z.string().nullable(),
    resolvedAt: date.nullable(),
    resolvedById: z.string().nullable(),
    resolutionReason: z.enum(AlertResolutionReason).nullable(),
    resolutionNote: z.string().nullable(),
    snoozedUntil: date.nullable(),
    publishedAt: date.nullable(),
    streamPosition: bigint.nullable(),
    digestId: z.string().nullable(),
    raisedInTransaction: bigint.nullable(),
  });
  const digest = z.object({
    id: z.string(),
    ownerId: z.string().nullable(),
    alertCount: z.int().positive(),
    highCount: z.int().nonnegative(),
    criticalCount: z.int().nonnegative(),
    createdAt: date,
    publishedAt: date.nullable(),
    streamPosition: bigint.nullable(),
  });
  return { customer, alert, digest };
}

/**
 * An alert as published. The row types are Prisma's (the graph reads the event as the row, and a
 * replay reads the same rows from the database); the schemas below are declared against them, so a
 * column added to Alert or Customer stops this compiling until the schemas check it too.
 */
export interface AlertEvent {
  position: bigint;
  alert: Alert & { customer: Customer };
}

/** A digest as published: it stands for its alerts, which are not published on their own. */
export interface AlertDigestEvent {
  position: bigint;
  digest: AlertDigest;
}

/** What the stream carries: an alert, or a digest of many. */
export type AlertStreamEvent = AlertEvent | AlertDigestEvent;

export const isDigestEvent = (event: AlertStreamEvent): event is AlertDigestEvent => "digest" in event;

/** The id of the alert or digest an event publishes (a subscriber drops a repeat by it). */
export const eventId = (event: AlertStreamEvent) => (isDigestEvent(event) ? event.digest.id : event.alert.id);

/** The owner whose topic an event goes to: the customer's now, or the digest's; null for nobody. */
export const eventOwnerId = (event: AlertStreamEvent) =>
  isDigestEvent(event) ? event.digest.ownerId : event.alert.customer.ownerId;

const live = rowSchemas({ date: z.date(), bigint: z.bigint() });

const liveAlertEventSchema: z.ZodType<AlertEvent> = z
  .object({ position: z.bigint(), alert: live.alert.extend({ customer: live.customer }) })
  .refine((event) => event.alert.streamPosition === event.position, {
    message: "the position is not the alert's stream position",
    path: ["position"],
  });

const liveDigestEventSchema: z.ZodType<AlertDigestEvent> = z
  .object({ position: z.bigint(), digest: live.digest })
  .refine((event) => event.digest.streamPosition === event.position, {
    message: "the position is not the digest's stream position",
    path: ["position"],
  });

/**
 * An event as the bus carries it, with every field checked (the reasons against churnReasonSchema).
 * The two kinds are told apart by their one different key, so that a bad alert is refused for what
 * is wrong with it rather than for not being a digest either.
 */
export const alertEventSchema: z.ZodType<AlertStreamEvent, unknown> = z.unknown().transform((value, ctx) => {
  const isDigest = typeof value === "object" && value !== null && "digest" in value;
  const result = (isDigest ? liveDigestEventSchema : liveAlertEventSchema).safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues)
    ctx.addIssue({ code: "custom", message: issue.message, path: issue.path, input: value });
  return z.NEVER;
});

// Rows read with row_to_json: timestamps as ISO text with their offset, bigint as a JSON number.
const json = rowSchemas({
  date: z.iso.datetime({ offset: true }).transform((text) => new Date(text)),
  bigint: z
    .union([z.int().nonnegative(), z.string().regex(/^\d{1,19}$/)])
    .transform((value) => BigInt(value)),
});

/** An alert the dispatcher claimed and its customer, each read as JSON by the claiming statement. */
export const claimedAlertSchema: z.ZodType<AlertEvent, unknown> = z
  .object({
    alert: json.alert.extend({ streamPosition: json.alert.shape.streamPosition.unwrap() }),
    customer: json.customer,
  })
  .transform(({ alert, customer }) => ({ position: alert.streamPosition, alert: { ...alert, customer } }));

/** A digest the dispatcher claimed, read as JSON by the claiming statement. */
export const claimedDigestSchema: z.ZodType<AlertDigestEvent, unknown> = z
  .object({ digest: json.digest.extend({ streamPosition: json.digest.shape.streamPosition.unwrap() }) })
  .transform(({ digest }) => ({ position: digest.streamPosition, digest }));

/** An event as Redis carries it between server instances. */
export function encodeAlertEvent(event: AlertStreamEvent): string {
  return stringify(event);
}

/**
 * An event from its wire form, or why it is refused: not devalue text, or not an alert event (sent by
 * another version of the hub, or by something else on the same channels).
 */
export function decodeAlertEvent(message: string): { event: AlertStreamEvent } | { refused: string } {
  let value: unknown;
  try {
    value = parse(message);
  } catch (error) {
    return { refused: `it is not an encoded alert event (${(error as Error).message})` };
  }
  const result = alertEventSchema.safeParse(value);
  if (result.success) return { event: result.data };
  const [first, ...others] = result.error.issues;
  const path = first?.path.length ? ` at ${first.path.map(String).join(".")}` : "";
  const more = others.length > 0 ? ` (and ${others.length} more)` : "";
  return { refused: `it is not an alert event${path}: ${first?.message ?? "invalid"}${more}` };
}
