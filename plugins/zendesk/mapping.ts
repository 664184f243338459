// From Zendesk's payloads to the hub's records. Pure functions: the streams fetch, these decide.
//
// A ticket is one conversation (conversationId = the ticket id): its public comments are messages,
// end users' inbound (the requester's and a CC'd customer's alike) and agents' and admins' outbound,
// by the author's role side-loaded with the audits; internal
// notes (private comments) are not messages to the customer and are left out. A status change to
// solved or closed is an interaction of its own whose kind ends in `.resolved` or `.closed`, which
// is what the hub's response-speed analysis reads as a resolution (src/domain/analytics/
// conversation-cycles.ts). The ticket's current status, priority, type and tags ride on every
// message's metadata as `ticketStatus`, … — never as `status`, which the analysis would read as "this
// message closed the conversation".
import { type ConnectorRecordInput, type IdentityInput, identity, type JsonValue, record } from "cx-hub/sdk";
import type {
  TicketAudits,
  ZendeskAuditEvent,
  ZendeskSatisfactionRating,
  ZendeskTicket,
  ZendeskUser,
} from "./client.ts";

/** The statuses that end a ticket's conversation, and the interaction kind each one becomes. */
const RESOLUTION_KINDS: Readonly<Record<string, string>> = {
  solved: "ticket.resolved",
  closed: "ticket.closed",
};

/** A satisfaction rating's score as a GOOD_BAD answer; offered and unoffered are not answers. */
const GOOD_BAD_SCORES: Readonly<Record<string, number>> = { good: 1, bad: 0 };

/** The requester's Zendesk user id, the identity every record of a ticket names the customer by. */
function requester(namespace: string, userId: number | null | undefined): IdentityInput[] {
  // No requester: the record has no identity, and the hub refuses it with that reason.
  return userId === null || userId === undefined ? [] : [identity.external(namespace, userId)];
}

/** What every message of the ticket carries about the ticket as it is now. */
function ticketMetadata(ticket: ZendeskTicket): Record<string, JsonValue> {
  const metadata: Record<string, JsonValue> = {
    ticketId: ticket.id,
    ticketStatus: ticket.status,
    tags: ticket.tags ?? [],
  };
  if (ticket.priority) metadata.priority = ticket.priority;
  if (ticket.type) metadata.ticketType = ticket.type;
  if (ticket.via?.channel) metadata.via = ticket.via.channel;
  if (ticket.satisfaction_rating?.score) metadata.satisfaction = ticket.satisfaction_rating.score;
  return metadata;
}

const isPublicComment = (event: ZendeskAuditEvent) => event.type === "Comment" && event.public === true;

/** The status a Create or Change event set, when it is one that ends the conversation. */
function resolutionStatus(event: ZendeskAuditEvent): string | undefined {
  if ((event.type !== "Change" && event.type !== "Create") || event.field_name !== "status") return undefined;
  return typeof event.value === "string" && event.value in RESOLUTION_KINDS ? event.value : undefined;
}

/**
 * Whether a comment is the customer's side speaking: its author is an end user. An author the
 * side-load did not name (a user deleted since) is judged as before roles were known: inbound when
 * they are the requester.
 */
function fromCustomer(
  event: ZendeskAuditEvent,
  ticket: ZendeskTicket,
  authorRoles: ReadonlyMap<number, string>,
): boolean {
  if (event.author_id === undefined) return false;
  const role = authorRoles.get(event.author_id);
  return role === undefined ? event.author_id === ticket.requester_id : role === "end-user";
}

/**
 * A ticket and its audits as records: one interaction per public comment and per resolution.
 * A deleted ticket yields nothing: its audits are gone, so the ids of its comments cannot be named.
 */
export function ticketRecords(
  namespace: string,
  ticket: ZendeskTicket,
  { audits, authorRoles }: TicketAudits,
): ConnectorRecordInput[] {
  if (ticket.status === "deleted") return [];
  const identities = requester(namespace, ticket.requester_id);
  const metadata = ticketMetadata(ticket);
  const conversationId = String(ticket.id);
  const summary = ticket.subject ?? undefined;
  // Zendesk's version of the ticket: every record made from it carries it, so that an older page
  // read late cannot roll the metadata back.
  const sourceUpdatedAt = ticket.updated_at;
  const records: ConnectorRecordInput[] = [];
  let opened = false;

  // Zendesk lists audits oldest first; their ids grow with them, so order by id whatever the paging did.
  const ordered = [...audits].sort((a, b) => a.id - b.id);
  for (const audit of ordered) {
    const withComment = audit.events.some(isPublicComment);
    for (const event of audit.events) {
      if (isPublicComment(event)) {
        const inbound = fromCustomer(event, ticket, authorRoles);
        const kind = !opened ? "ticket.opened" : inbound ? "ticket.message.received" : "ticket.reply.sent";
        opened = true;
        records.push(
          record.interaction({
            externalId: `comment:${event.id}`,
            identities,
            channel: "support",
            kind,
            direction: inbound ? "inbound" : "outbound",
            occurredAt: audit.created_at,
            summary,
            // No sentiment: an inbound comment is the customer's own words, which the hub scores.
            body: event.plain_body ?? event.body,
            conversationId,
            metadata: { ...metadata, authorId: event.author_id ?? null },
            sourceUpdatedAt,
          }),
        );
        continue;
      }
      const status = resolutionStatus(event);
      if (!status) continue;
      records.push(
        record.interaction({
          externalId: `status:${event.id}`,
          identities,
          channel: "support",
          kind: RESOLUTION_KINDS[status] as string,
          direction: "outbound",
          // An agent who replies and solves in one update makes one audit: the status is placed a
          // millisecond after the reply, so that the reply counts as the answer it was and not as
          // a message after the resolution.
          occurredAt: withComment ? new Date(Date.parse(audit.created_at) + 1) : audit.created_at,
          summary: `Ticket #${ticket.id} ${status}`,
          conversationId,
          metadata: { ...metadata, status, previousStatus: (event.previous_value as JsonValue) ?? null },
          sourceUpdatedAt,
        }),
      );
    }
  }
  return records;
}

/**
 * An end user as a customer, named by their Zendesk id, email and phone. Agents and admins are the
 * business's people, not customers; users no longer active (deleted or suspended) are left as they were.
 */
export function userRecords(namespace: string, user: ZendeskUser): ConnectorRecordInput[] {
  if (user.role !== "end-user" || !user.active) return [];
  const identities: IdentityInput[] = [identity.external(namespace, user.id)];
  const traits: Record<string, JsonValue> = {};
  // Anyone can open a web-form ticket under someone else's address, and an email identity merges
  // customers: the address names the customer only once Zendesk has verified it. Until then it is
  // a trait, shown but never matched on.
  if (user.email && user.verified === true) identities.push(identity.email(user.email));
  else if (user.email) traits.unverifiedEmail = user.email;
  // A phone in another form than +<country code><number> is left out by the hub, with a warning.
  if (user.phone) identities.push(identity.phone(user.phone));
  if (user.organization_id) traits.zendeskOrganizationId = user.organization_id;
  if (user.locale) traits.locale = user.locale;
  if (user.time_zone) traits.timeZone = user.time_zone;
  if (user.tags && user.tags.length > 0) traits.zendeskTags = user.tags;
  return [
    record.customer({
      identities,
      ...(user.name ? { displayName: user.name } : {}),
      ...(Object.keys(traits).length > 0 ? { traits } : {}),
      sourceUpdatedAt: user.updated_at,
    }),
  ];
}

/** What a good or bad rating says, wherever it was read: the ratings list or the rated ticket. */
interface RatingAnswer {
  id: number;
  score: string | null | undefined;
  comment: string | null | undefined;
  requesterId: number | null | undefined;
  /** When the customer last answered (the latest change is what the rating says). */
  answeredAt: string;
}

/**
 * A good or bad rating as a GOOD_BAD answer (1 good, 0 bad); a survey only offered is no answer.
 * Both streams name it `satisfaction:<rating id>`, so that reading it twice updates one answer.
 */
function goodBadAnswer(namespace: string, answer: RatingAnswer): ConnectorRecordInput[] {
  const score = answer.score ? GOOD_BAD_SCORES[answer.score] : undefined;
  if (score === undefined) return [];
  return [
    record.feedback({
      externalId: `satisfaction:${answer.id}`,
      identities: requester(namespace, answer.requesterId),
      kind: "good_bad",
      score,
      ...(answer.comment ? { comment: answer.comment } : {}),
      channel: "support",
      touchpoint: "support.ticket",
      respondedAt: answer.answeredAt,
      sourceUpdatedAt: answer.answeredAt,
    }),
  ];
}

/** A rating from the satisfaction ratings list. */
export function satisfactionRecords(
  namespace: string,
  rating: ZendeskSatisfactionRating,
): ConnectorRecordInput[] {
  return goodBadAnswer(namespace, {
    id: rating.id,
    score: rating.score,
    comment: rating.comment,
    requesterId: rating.requester_id,
    answeredAt: rating.updated_at,
  });
}

/**
 * The rating a ticket carries, as the tickets stream reads it. In the legacy CSAT a rating is created
 * when the survey is offered and only updated when the customer answers, and the ratings list filters
 * on creation: a late answer never shows there again. The answer is an update of the ticket, so the
 * ticket export brings it back; its time is the audit with the newest SatisfactionRating event. Without
 * one (a rating older than the audits kept) the ratings stream is left to tell it.
 */
export function ticketSatisfactionRecords(
  namespace: string,
  ticket: ZendeskTicket,
  { audits }: Pick<TicketAudits, "audits">,
): ConnectorRecordInput[] {
  const rating = ticket.satisfaction_rating;
  if (ticket.status === "deleted" || !rating?.id) return [];
  const rated = audits
    .filter((audit) => audit.events.some((event) => event.type === "SatisfactionRating"))
    .sort((a, b) => b.id - a.id)[0];
  if (!rated) return [];
  return goodBadAnswer(namespace, {
    id: rating.id,
    score: rating.score,
    comment: rating.comment,
    requesterId: ticket.requester_id,
    answeredAt: rated.created_at,
  });
}
