// A published alert (AlertEvent): the stored alert row, its customer as it was at publishing, and its
// place in the stream; with the schemas that check it wherever it crosses a boundary, and its wire
// form between server instances.
//
// Two boundaries: the rows the dispatcher reads as JSON (one statement for both tables, so dates are
// ISO text and the position a number), and the messages Redis carries. Those are written with devalue,
// which keeps Dates, BigInts and undefined as they were, so no field list has to be kept by hand to
// revive them. Every field is checked at both, so a malformed row or message is refused with its
// reason instead of reaching thousands of subscribers half-built.
import { parse, stringify } from "devalue";
import { z } from "zod";
import type { Alert, Customer } from "../generated/prisma/client.ts";
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
  });
  return { customer, alert };
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

const live = rowSchemas({ date: z.date(), bigint: z.bigint() });

/** An event as the bus carries it, with every field checked (the reasons against churnReasonSchema). */
export const alertEventSchema: z.ZodType<AlertEvent> = z
  .object({ position: z.bigint(), alert: live.alert.extend({ customer: live.customer }) })
  .refine((event) => event.alert.streamPosition === event.position, {
    message: "the position is not the alert's stream position",
    path: ["position"],
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

/** An event as Redis carries it between server instances. */
export function encodeAlertEvent(event: AlertEvent): string {
  return stringify(event);
}

/**
 * An event from its wire form, or why it is refused: not devalue text, or not an alert event (sent by
 * another version of the hub, or by something else on the same channels).
 */
export function decodeAlertEvent(message: string): { event: AlertEvent } | { refused: string } {
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
