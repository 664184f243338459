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
  /** Only customers in this set: a `SELECT id` of customers, such as a segment's members. */
  customersIn?: Prisma.Sql;
  channel?: Channel;
  /** The request's "now": later interactions are ignored, and waits are measured up to it. */
  asOf: Date;
  /** Hours of silence after our reply that resolve an opening; null: only explicit resolutions. */
  resolveAfterQuietHours: number | null;
  /** Count business seconds on this schedule; null: every second. */
  schedule: BusinessSchedule | null;
  /** Whether the rows need their customer's owner (grouping by owner); skips a join when not. */
  withOwner?: boolean;
}

const iso = (date: Date) => Prisma.sql`${date.toISOString()}::timestamptz`;

/**
 * A status change: a kind ending in `.resolved` or `.closed`. Two suffix LIKEs rather than the regular
 * expression `\.(resolved|closed)$`, which matches the same kinds but cost a sixth of the report's time.
 */
const isStatusChange = Prisma.sql`(i."kind" LIKE '%.resolved' OR i."kind" LIKE '%.closed')`;

/**
 * `WITH`-less common table expressions ending in one relation:
 * - `openings`: one row per opening of a conversation in scope (customer_id, conversation_id,
 *   opening, channel, owner_id, opened_at, opened_clock, reopened, first_response_at,
 *   first_response_seconds, next_responses, next_response_seconds_sum, resolved_at,
 *   resolution_seconds, waiting_since, waiting_clock),
 *   and next_response_seconds, the array of every next response's wait.
 * The rules are evaluated with window functions over one ordering of each conversation's messages and
 * one GROUP BY, never by joining derived tables to each other: the planner cannot estimate those
 * joins, and a nested loop over them took minutes on the bench database.
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
  if (scope.customersIn) inScope.push(Prisma.sql`i."customerId" IN (${scope.customersIn})`);
  const quiet =
    scope.resolveAfterQuietHours === null
      ? Prisma.sql`NULL::interval`
      : Prisma.sql`make_interval(secs => ${scope.resolveAfterQuietHours * 3600})`;
  const clock = businessClockSql(Prisma.sql`i."occurredAt"`, scope.schedule);
  const inWindow = [
    ...(scope.from ? [Prisma.sql`opened_at >= ${iso(scope.from)}`] : []),
    ...(scope.to ? [Prisma.sql`opened_at < ${iso(scope.to)}`] : []),
    ...(scope.channel ? [Prisma.sql`channel = ${scope.channel}::"Channel"`] : []),
  ];
  const openingInScope = inWindow.length > 0 ? Prisma.join(inWindow, " AND ") : Prisma.sql`TRUE`;

  return Prisma.sql`
    messages AS (
      SELECT i."customerId" AS customer_id, i."conversationId" AS conversation_id, i."id", i."direction",
             i."occurredAt" AS at, ${clock} AS clock, i."channel" AS own_channel,
             ${scope.withOwner ? Prisma.sql`(SELECT c."ownerId" FROM "Customer" c WHERE c."id" = i."customerId")` : Prisma.sql`NULL::uuid`} AS owner_id,
             ${isStatusChange} AS is_status,
             ${isStatusChange} OR lower(i."metadata"->>'status') IN ('resolved', 'closed') AS closes
        FROM "Interaction" i
       WHERE i."conversationId" IS NOT NULL AND i."occurredAt" <= ${iso(scope.asOf)}
             ${
               // Openings start at customer messages, so with a window or a set of customers only
               // conversations with such a customer message matter; without, every one may hold openings.
               scope.from || scope.to || scope.ownerId || scope.customersIn
                 ? Prisma.sql`AND (i."customerId", i."conversationId") IN (
                     SELECT i."customerId", i."conversationId" FROM "Interaction" i WHERE ${Prisma.join(inScope, " AND ")})`
                 : Prisma.empty
             }
    ),
    earlier AS (
      -- What came before each message in its conversation (status changes are not messages).
      SELECT m.*,
             -- The first message's channel, over the same window as the rest so that it costs no pass
             -- of its own (the first message's frame is empty: its own channel).
             COALESCE(first_value(own_channel) OVER before_it, own_channel) AS channel,
             max(at) FILTER (WHERE NOT is_status AND direction = 'INBOUND') OVER before_it AS last_in_at,
             max(at) FILTER (WHERE NOT is_status AND direction = 'OUTBOUND') OVER before_it AS last_out_at,
             max(at) FILTER (WHERE closes) OVER before_it AS last_close_at
        FROM messages m
      WINDOW before_it AS (PARTITION BY customer_id, conversation_id ORDER BY at, id
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
    ),
    classified AS (
      SELECT e.*,
             -- A customer's message opens the conversation when it was not open.
             (NOT is_status AND direction = 'INBOUND'
              AND (last_in_at IS NULL
                   OR last_close_at >= last_in_at
                   OR (last_out_at >= last_in_at AND at - last_out_at >= ${quiet}))) AS opens,
             -- Our message answers when the last message before it was the customer's.
             (NOT is_status AND direction = 'OUTBOUND' AND last_in_at > COALESCE(last_out_at, '-infinity')) AS answers
        FROM earlier e
    ),
    flagged AS (
      SELECT c.*,
             sum(CASE WHEN opens THEN 1 ELSE 0 END) OVER running AS opening,
             max(CASE WHEN opens THEN at END) OVER running AS opened_at,
             max(CASE WHEN opens THEN clock END) OVER running AS opened_clock,
             -- The start of the latest run of customer messages: what a reply answers.
             max(CASE WHEN NOT is_status AND direction = 'INBOUND'
                       AND (opens OR last_out_at >= last_in_at) THEN at END) OVER running AS wait_at,
             max(CASE WHEN NOT is_status AND direction = 'INBOUND'
                       AND (opens OR last_out_at >= last_in_at) THEN clock END) OVER running AS wait_clock
        FROM classified c
      WINDOW running AS (PARTITION BY customer_id, conversation_id ORDER BY at, id ROWS UNBOUNDED PRECEDING)
    ),
    timed AS (
      SELECT f.*,
             -- A reply after the opening was resolved answers nothing.
             answers AND (last_close_at IS NULL OR last_close_at < wait_at) AS is_reply,
             wait_at = opened_at AS answers_opening,
             clock - wait_clock AS reply_seconds
        FROM flagged f
       WHERE opening > 0
    ),
    opening_facts AS (
      SELECT customer_id, conversation_id, opening,
             min(channel::text)::"Channel" AS channel, min(owner_id::text)::uuid AS owner_id,
             min(opened_at) AS opened_at, min(opened_clock) AS opened_clock,
             min(at) FILTER (WHERE closes) AS closed_at,
             min(clock) FILTER (WHERE closes) AS closed_clock,
             max(at) FILTER (WHERE NOT is_status AND direction = 'INBOUND') AS last_in_at,
             max(at) FILTER (WHERE NOT is_status AND direction = 'OUTBOUND') AS last_out_at,
             max(clock) FILTER (WHERE NOT is_status AND direction = 'OUTBOUND') AS last_out_clock,
             min(at) FILTER (WHERE is_reply AND answers_opening) AS first_response_at,
             min(reply_seconds) FILTER (WHERE is_reply AND answers_opening) AS first_response_seconds,
             count(*) FILTER (WHERE is_reply AND NOT answers_opening)::int AS next_responses,
             sum(reply_seconds) FILTER (WHERE is_reply AND NOT answers_opening) AS next_response_seconds_sum,
             -- Each next response's wait, kept in an array so that the messages are read by one plan.
             array_agg(reply_seconds) FILTER (WHERE is_reply AND NOT answers_opening) AS next_response_seconds,
             max(wait_at) AS wait_at, max(wait_clock) AS wait_clock
        FROM timed
       GROUP BY customer_id, conversation_id, opening
    ),
    resolved AS (
      SELECT f.*,
             lead(opened_at) OVER (PARTITION BY customer_id, conversation_id ORDER BY opening) AS next_opened_at
        FROM opening_facts f
    ),
    ends AS (
      SELECT r.*,
             CASE WHEN closed_at IS NOT NULL THEN closed_at
                  WHEN last_out_at > last_in_at
                   AND COALESCE(next_opened_at, ${iso(scope.asOf)}) - last_out_at >= ${quiet}
                  THEN last_out_at END AS resolved_at,
             CASE WHEN closed_at IS NOT NULL THEN closed_clock
                  WHEN last_out_at > last_in_at
                   AND COALESCE(next_opened_at, ${iso(scope.asOf)}) - last_out_at >= ${quiet}
                  THEN last_out_clock END AS resolved_clock
        FROM resolved r
    ),
    openings AS (
      SELECT customer_id, conversation_id, opening, channel, owner_id, opened_at, opened_clock,
             opening > 1 AS reopened, first_response_at, first_response_seconds,
             next_responses, next_response_seconds_sum, next_response_seconds,
             resolved_at, resolved_clock - opened_clock AS resolution_seconds,
             -- Waiting for us: unresolved, and the customer spoke last.
             CASE WHEN resolved_at IS NULL AND (last_out_at IS NULL OR last_in_at > last_out_at)
                  THEN wait_at END AS waiting_since,
             CASE WHEN resolved_at IS NULL AND (last_out_at IS NULL OR last_in_at > last_out_at)
                  THEN wait_clock END AS waiting_clock
        FROM ends
       WHERE ${openingInScope}
    )`;
}
