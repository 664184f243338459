// Conversations cut into openings and timed, in SQL, as common table expressions that the response
// speed report and the conversation lists build on. The rules (the README's "Response speed" section):
//
// - A conversation is the interactions of one customer that share a conversationId. Its channel is
//   the channel of its first interaction.
// - An opening starts at a customer's (INBOUND) message when the conversation was not open: its first
//   one, one after the conversation was resolved, or one after our last reply had been left without an
//   answer for the quiet period. Every later opening is a reopening, timed from itself.
// - A response is one of our (OUTBOUND) messages after one of theirs; it answers the first customer
//   message since our previous reply (several messages in a row wait as one). The first response of an
//   opening is its first response; later ones are next responses.
// - An opening is resolved at the first interaction in it whose kind ends in `.resolved` or `.closed`
//   (a status change, not a message) or whose metadata has status "resolved" or "closed"; or, when the
//   policy allows it, at our last reply if the customer then stayed quiet for `resolveAfterQuietHours`.
// - Only interactions up to `asOf` (the request's clock) exist.
//
// Durations are differences of a clock column: elapsed seconds, or business seconds (business-clock.ts).
import { Prisma } from "../../generated/prisma/client.ts";
import type { Channel } from "../../generated/prisma/enums.ts";
import { type BusinessSchedule, businessClockSql } from "./business-clock.ts";

export interface CycleScope {
  /** Openings from this moment on (inclusive) … */
  from?: Date;
  /** … and before this one (exclusive). */
  to?: Date;
  /** Only customers of this owner (an account manager's book). */
  ownerId?: string;
  channel?: Channel;
  /** The request's "now": later interactions are ignored, and waits are measured up to it. */
  asOf: Date;
  /** Hours of silence after our reply that resolve an opening; null: only explicit resolutions. */
  resolveAfterQuietHours: number | null;
  /** Count business seconds on this schedule; null: every second. */
  schedule: BusinessSchedule | null;
}

const iso = (date: Date) => Prisma.sql`${date.toISOString()}::timestamptz`;

/**
 * `WITH`-less common table expressions ending in two relations:
 * - `openings`: one row per opening of a conversation in scope (customer_id, conversation_id,
 *   opening, channel, owner_id, opened_at, opened_clock, reopened, first_response_at,
 *   first_response_seconds, next_responses, next_response_seconds_sum, resolved_at,
 *   resolution_seconds, waiting_since, waiting_clock, last_opening);
 * - `responses`: one row per response (customer_id, conversation_id, opening, replied_at,
 *   seconds, is_first).
 * Every value is a bound parameter; only the business-hours windows are validated integer literals.
 */
export function conversationCyclesSql(scope: CycleScope): Prisma.Sql {
  const inScope: Prisma.Sql[] = [
    Prisma.sql`i."conversationId" IS NOT NULL`,
    Prisma.sql`i."direction" = 'INBOUND'`,
    Prisma.sql`i."occurredAt" <= ${iso(scope.asOf)}`,
  ];
  // Openings start at customer messages, so a conversation matters only if one fell in the window.
  if (scope.from) inScope.push(Prisma.sql`i."occurredAt" >= ${iso(scope.from)}`);
  if (scope.to) inScope.push(Prisma.sql`i."occurredAt" < ${iso(scope.to)}`);
  if (scope.ownerId) {
    inScope.push(
      Prisma.sql`i."customerId" IN (SELECT c."id" FROM "Customer" c WHERE c."ownerId" = ${scope.ownerId}::uuid)`,
    );
  }
  const quiet =
    scope.resolveAfterQuietHours === null
      ? Prisma.sql`NULL::interval`
      : Prisma.sql`make_interval(secs => ${scope.resolveAfterQuietHours * 3600})`;
  const clock = businessClockSql(Prisma.sql`i."occurredAt"`, scope.schedule);

  return Prisma.sql`
    conversations AS (
      SELECT DISTINCT i."customerId" AS customer_id, i."conversationId" AS conversation_id
        FROM "Interaction" i
       WHERE ${Prisma.join(inScope, " AND ")}
    ),
    messages AS (
      SELECT i."customerId" AS customer_id, i."conversationId" AS conversation_id, i."id", i."direction",
             i."occurredAt" AS at, ${clock} AS clock, c."ownerId" AS owner_id,
             first_value(i."channel") OVER (PARTITION BY i."customerId", i."conversationId"
                                            ORDER BY i."occurredAt", i."id") AS channel,
             i."kind" ~ '\\.(resolved|closed)$' AS is_status,
             i."kind" ~ '\\.(resolved|closed)$'
               OR lower(i."metadata"->>'status') IN ('resolved', 'closed') AS closes
        FROM conversations s
        JOIN "Interaction" i ON i."customerId" = s.customer_id AND i."conversationId" = s.conversation_id
        JOIN "Customer" c ON c."id" = i."customerId"
       WHERE i."occurredAt" <= ${iso(scope.asOf)}
    ),
    earlier AS (
      SELECT m.*,
             max(at) FILTER (WHERE NOT is_status AND direction = 'INBOUND') OVER before_it AS last_in_at,
             max(at) FILTER (WHERE NOT is_status AND direction = 'OUTBOUND') OVER before_it AS last_out_at,
             max(at) FILTER (WHERE closes) OVER before_it AS last_close_at
        FROM messages m
      WINDOW before_it AS (PARTITION BY customer_id, conversation_id ORDER BY at, id
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
    ),
    opened AS (
      SELECT e.*,
             sum(CASE WHEN NOT is_status AND direction = 'INBOUND'
                       AND (last_in_at IS NULL
                            OR last_close_at >= last_in_at
                            OR (last_out_at >= last_in_at AND at - last_out_at >= ${quiet}))
                      THEN 1 ELSE 0 END)
               OVER (PARTITION BY customer_id, conversation_id ORDER BY at, id ROWS UNBOUNDED PRECEDING)
               AS opening
        FROM earlier e
    ),
    threaded AS (
      SELECT o.*, lag(direction) OVER in_opening AS previous_direction
        FROM opened o
       WHERE opening > 0 AND NOT is_status
      WINDOW in_opening AS (PARTITION BY customer_id, conversation_id, opening ORDER BY at, id)
    ),
    waits AS (
      -- The start of the latest run of customer messages, on every row of an opening.
      SELECT t.*,
             max(CASE WHEN direction = 'INBOUND' AND previous_direction IS DISTINCT FROM 'INBOUND' THEN at END)
               OVER running AS wait_at,
             max(CASE WHEN direction = 'INBOUND' AND previous_direction IS DISTINCT FROM 'INBOUND' THEN clock END)
               OVER running AS wait_clock
        FROM threaded t
      WINDOW running AS (PARTITION BY customer_id, conversation_id, opening ORDER BY at, id ROWS UNBOUNDED PRECEDING)
    ),
    responses AS (
      SELECT customer_id, conversation_id, opening, at AS replied_at, wait_at,
             clock - wait_clock AS seconds,
             row_number() OVER (PARTITION BY customer_id, conversation_id, opening ORDER BY at, id) = 1 AS is_first
        FROM waits
       -- A reply after the opening was resolved answers nothing.
       WHERE direction = 'OUTBOUND' AND previous_direction = 'INBOUND'
         AND (last_close_at IS NULL OR last_close_at < wait_at)
    ),
    opening_facts AS (
      SELECT customer_id, conversation_id, opening,
             min(channel::text)::"Channel" AS channel, min(owner_id::text)::uuid AS owner_id,
             min(at) FILTER (WHERE NOT is_status) AS opened_at,
             min(clock) FILTER (WHERE NOT is_status) AS opened_clock,
             min(at) FILTER (WHERE closes) AS closed_at,
             min(clock) FILTER (WHERE closes) AS closed_clock,
             max(at) FILTER (WHERE NOT is_status AND direction = 'INBOUND') AS last_in_at,
             max(at) FILTER (WHERE NOT is_status AND direction = 'OUTBOUND') AS last_out_at,
             max(clock) FILTER (WHERE NOT is_status AND direction = 'OUTBOUND') AS last_out_clock
        FROM opened
       WHERE opening > 0
       GROUP BY customer_id, conversation_id, opening
    ),
    latest_wait AS (
      SELECT customer_id, conversation_id, opening, max(wait_at) AS wait_at, max(wait_clock) AS wait_clock
        FROM waits
       GROUP BY customer_id, conversation_id, opening
    ),
    reply_facts AS (
      SELECT customer_id, conversation_id, opening,
             min(replied_at) FILTER (WHERE is_first) AS first_response_at,
             min(seconds) FILTER (WHERE is_first) AS first_response_seconds,
             count(*) FILTER (WHERE NOT is_first)::int AS next_responses,
             sum(seconds) FILTER (WHERE NOT is_first) AS next_response_seconds_sum
        FROM responses
       GROUP BY customer_id, conversation_id, opening
    ),
    resolved AS (
      SELECT f.*,
             lead(opened_at) OVER (PARTITION BY customer_id, conversation_id ORDER BY opening) AS next_opened_at
        FROM opening_facts f
    ),
    openings AS (
      SELECT r.customer_id, r.conversation_id, r.opening, r.channel, r.owner_id, r.opened_at, r.opened_clock,
             r.opening > 1 AS reopened, r.next_opened_at IS NULL AS last_opening,
             p.first_response_at, p.first_response_seconds,
             COALESCE(p.next_responses, 0) AS next_responses, p.next_response_seconds_sum,
             x.resolved_at, x.resolved_clock - r.opened_clock AS resolution_seconds,
             -- Waiting for us: unresolved, and the customer spoke last.
             CASE WHEN x.resolved_at IS NULL AND (r.last_out_at IS NULL OR r.last_in_at > r.last_out_at)
                  THEN w.wait_at END AS waiting_since,
             CASE WHEN x.resolved_at IS NULL AND (r.last_out_at IS NULL OR r.last_in_at > r.last_out_at)
                  THEN w.wait_clock END AS waiting_clock
        FROM resolved r
        CROSS JOIN LATERAL (
          SELECT CASE WHEN r.closed_at IS NOT NULL THEN r.closed_at
                      WHEN r.last_out_at > r.last_in_at
                       AND COALESCE(r.next_opened_at, ${iso(scope.asOf)}) - r.last_out_at >= ${quiet}
                      THEN r.last_out_at END AS resolved_at,
                 CASE WHEN r.closed_at IS NOT NULL THEN r.closed_clock
                      WHEN r.last_out_at > r.last_in_at
                       AND COALESCE(r.next_opened_at, ${iso(scope.asOf)}) - r.last_out_at >= ${quiet}
                      THEN r.last_out_clock END AS resolved_clock
        ) x
        LEFT JOIN reply_facts p USING (customer_id, conversation_id, opening)
        LEFT JOIN latest_wait w USING (customer_id, conversation_id, opening)
       WHERE TRUE ${scope.from ? Prisma.sql`AND r.opened_at >= ${iso(scope.from)}` : Prisma.empty}
             ${scope.to ? Prisma.sql`AND r.opened_at < ${iso(scope.to)}` : Prisma.empty}
             ${scope.channel ? Prisma.sql`AND r.channel = ${scope.channel}::"Channel"` : Prisma.empty}
    )`;
}
