// Response speed per conversation: every opening with its own timings, or only those waiting for our
// reply, or only those waiting longer than their channel's target — the list an account manager works
// through. The same openings as the report (conversation-cycles.ts), a page at a time.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { Channel } from "../../generated/prisma/enums.ts";
import type { ResponseSpeedSettings } from "../../policy/response-speed-settings.ts";
import { parseInput, ValidationError } from "../errors.ts";
import { businessSchedule } from "./business-clock.ts";
import { conversationCyclesSql } from "./conversation-cycles.ts";
import { clockAt, targetsSql } from "./response-speed.ts";

export const conversationTimingsSchema = z.object({
  from: z.date().optional(),
  to: z.date().optional(),
  channel: z.enum(Channel).optional(),
  ownerId: z.uuid().optional(),
  /** Only these customers: a `SELECT id` of customers, such as a segment's members (segment-members.ts). */
  customersIn: z.custom<Prisma.Sql>((value) => value instanceof Prisma.Sql).optional(),
  /** ALL openings, newest first; WAITING for our reply, or OVERDUE past the target, longest wait first. */
  status: z.enum(["ALL", "WAITING", "OVERDUE"]).default("ALL"),
  businessHoursOnly: z.boolean().default(false),
  limit: z.number().int().min(1).max(1000),
  offset: z.number().int().min(0).default(0),
});
export type ConversationTimingsInput = z.input<typeof conversationTimingsSchema>;

export interface ConversationTiming {
  customerId: string;
  conversationId: string;
  /** 1 for the conversation's first opening, 2 for its first reopening, … */
  opening: number;
  channel: Channel;
  openedAt: Date;
  reopened: boolean;
  firstResponseAt: Date | null;
  firstResponseSeconds: number | null;
  nextResponses: number;
  nextResponseMeanSeconds: number | null;
  resolvedAt: Date | null;
  resolutionSeconds: number | null;
  /** The first customer message still waiting for our reply; null when none is. */
  waitingSince: Date | null;
  waitingSeconds: number | null;
  /** The target the wait is held to (first or next response); null when the channel has none. */
  waitingTargetSeconds: number | null;
}

/** One page of openings; `asOf` is the request's "now" and `settings` the policy's responseSpeed section. */
export async function conversationTimings(
  db: Db,
  input: ConversationTimingsInput,
  context: { asOf: Date; settings: ResponseSpeedSettings },
): Promise<ConversationTiming[]> {
  const parsed = parseInput(conversationTimingsSchema, input, "The conversation list");
  if (parsed.from && parsed.to && parsed.from >= parsed.to) {
    throw new ValidationError(`The period is empty: "from" must be before "to" (exclusive).`, [
      { path: ["period", "to"], message: "must be after from" },
    ]);
  }
  const schedule = parsed.businessHoursOnly ? businessSchedule(context.settings.businessHours) : null;
  const now = clockAt(context.asOf, schedule);
  const status = {
    ALL: Prisma.sql`TRUE`,
    WAITING: Prisma.sql`waiting_since IS NOT NULL`,
    OVERDUE: Prisma.sql`waiting_seconds > waiting_target_seconds`,
  }[parsed.status];
  const order =
    parsed.status === "ALL"
      ? Prisma.sql`opened_at DESC, customer_id, conversation_id, opening`
      : Prisma.sql`waiting_since, customer_id, conversation_id, opening`;

  return db.$queryRaw<ConversationTiming[]>`
    WITH ${conversationCyclesSql({
      from: parsed.from,
      to: parsed.to,
      channel: parsed.channel,
      ownerId: parsed.ownerId,
      customersIn: parsed.customersIn,
      asOf: context.asOf,
      resolveAfterQuietHours: context.settings.resolveAfterQuietHours,
      schedule,
    })},
    ${targetsSql(context.settings)},
    listed AS (
      SELECT o.*, ${now}::float8 - o.waiting_clock AS waiting_seconds,
             CASE WHEN o.waiting_since IS NULL THEN NULL
                  WHEN o.waiting_since = o.opened_at THEN t.first_target ELSE t.next_target END AS waiting_target_seconds
        FROM openings o JOIN targets t ON t.channel = o.channel
    )
    SELECT customer_id::text AS "customerId", conversation_id AS "conversationId", opening::int AS opening,
           channel, opened_at AS "openedAt", reopened,
           first_response_at AS "firstResponseAt", first_response_seconds AS "firstResponseSeconds",
           next_responses AS "nextResponses",
           next_response_seconds_sum / NULLIF(next_responses, 0) AS "nextResponseMeanSeconds",
           resolved_at AS "resolvedAt", resolution_seconds AS "resolutionSeconds",
           waiting_since AS "waitingSince", waiting_seconds AS "waitingSeconds",
           waiting_target_seconds AS "waitingTargetSeconds"
      FROM listed
     WHERE ${status}
     ORDER BY ${order}
     LIMIT ${parsed.limit} OFFSET ${parsed.offset}`;
}
