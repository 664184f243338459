// From Tiny Desk's payloads to the hub's normalized records. Pure functions: easy to test, and the
// same mapping serves the stream and the webhooks.
import { type ConnectorRecordInput, identity, record } from "cx-hub/sdk";
import type { TinyDeskTicket } from "./client.ts";

/** What a ticket says: who the customer is, the ticket itself, and their satisfaction rating if any. */
export function ticketRecords(ticket: TinyDeskTicket): ConnectorRecordInput[] {
  const externalId = `ticket:${ticket.id}`;
  if (ticket.status === "deleted") {
    // The provider no longer has it: the hub removes what this connector recorded for it.
    const deletions: ConnectorRecordInput[] = [
      record.deletion({ entity: "interaction", externalId, deletedAt: ticket.updated_at }),
    ];
    deletions.push(
      record.deletion({ entity: "feedback", externalId: `csat:${ticket.id}`, deletedAt: ticket.updated_at }),
    );
    return deletions;
  }
  const identities = [
    identity.email(ticket.customer.email),
    identity.external("tinydesk", ticket.customer.id),
  ];
  const records: ConnectorRecordInput[] = [];
  if (ticket.customer.name) records.push(record.customer({ identities, displayName: ticket.customer.name }));
  records.push(
    record.interaction({
      externalId,
      identities,
      channel: "support",
      kind: "ticket.opened",
      direction: "inbound",
      occurredAt: ticket.created_at,
      summary: ticket.subject,
      // No sentiment: the body is the customer's own words, which the hub scores on its one scale.
      body: ticket.body,
      conversationId: ticket.id,
      metadata: { status: ticket.status },
      // Tiny Desk's version of the ticket: a replayed delivery or a slow page cannot roll it back.
      sourceUpdatedAt: ticket.updated_at,
    }),
  );
  if (ticket.satisfaction) {
    records.push(
      record.feedback({
        externalId: `csat:${ticket.id}`,
        identities,
        kind: "csat",
        score: ticket.satisfaction.score,
        comment: ticket.satisfaction.comment ?? undefined,
        channel: "support",
        touchpoint: "support.ticket.solved",
        interactionExternalId: externalId,
        respondedAt: ticket.satisfaction.rated_at,
        sourceUpdatedAt: ticket.updated_at,
      }),
    );
  }
  return records;
}
