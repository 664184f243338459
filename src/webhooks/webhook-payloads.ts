// The body an endpoint receives for an event. STANDARD: the specification's JSON, `{type, timestamp,
// data}`, with `timestamp` the moment the event happened (the attempt's is the webhook-timestamp
// header). SLACK: an incoming-webhook message, `{text, blocks}`, for pasting a Slack webhook URL as
// the endpoint. An endpoint without includePersonalData gets the data as a caller without the `pii`
// scope reads it: names, notes and messages with their emails and phones masked (src/auth/mask.ts).
import { maskFreeText } from "../auth/mask.ts";
import { maskQuotedValues } from "../auth/mask-payload.ts";
import {
  type AlertRaisedData,
  type AlertResolvedData,
  PAYLOAD_TYPES,
  type SegmentEnteredData,
  type SyncFailedData,
  type WebhookCustomer,
  type WebhookEventDataByType,
} from "../domain/webhooks/webhook-events.ts";
import type { WebhookEvent } from "../generated/prisma/client.ts";
import type { WebhookEventType, WebhookFormat } from "../generated/prisma/enums.ts";

/** An event as stored, its data typed by its type. */
type TypedEvent = {
  [T in WebhookEventType]: { type: T; occurredAt: Date; data: WebhookEventDataByType[T] };
}[WebhookEventType];

const asTyped = (event: Pick<WebhookEvent, "type" | "occurredAt" | "data">) => event as unknown as TypedEvent;

/** The body to send, exactly as it is signed. */
export function renderWebhookBody(
  event: Pick<WebhookEvent, "type" | "occurredAt" | "data">,
  endpoint: { format: WebhookFormat; includePersonalData: boolean },
): string {
  const typed = asTyped(event);
  const shown = endpoint.includePersonalData ? typed : maskEvent(typed);
  if (endpoint.format === "SLACK") return JSON.stringify(slackMessage(shown));
  return JSON.stringify({
    type: PAYLOAD_TYPES[shown.type],
    timestamp: shown.occurredAt.toISOString(),
    data: shown.data,
  });
}

/** The event's data with its personal values masked; one rule per type, so a new type must say its own. */
function maskEvent(event: TypedEvent): TypedEvent {
  switch (event.type) {
    case "ALERT_RAISED":
      return { ...event, data: maskAlertRaised(event.data) };
    case "ALERT_RESOLVED":
      return {
        ...event,
        data: {
          ...event.data,
          customer: maskCustomer(event.data.customer),
          note: maskFreeText(event.data.note),
        },
      };
    case "SYNC_FAILED":
      // A provider's error may quote the record it refused, an email address among them.
      return {
        ...event,
        data: { ...event.data, error: event.data.error && maskQuotedValues(event.data.error) },
      };
    case "SEGMENT_ENTERED":
      // The segment's name is an admin's label, not the customer's data: only the customer is masked.
      return { ...event, data: { ...event.data, customer: maskCustomer(event.data.customer) } };
  }
}

function maskCustomer(customer: WebhookCustomer): WebhookCustomer {
  return { ...customer, displayName: maskFreeText(customer.displayName) };
}

function maskAlertRaised(data: AlertRaisedData): AlertRaisedData {
  const reasons = Array.isArray(data.reasons)
    ? data.reasons.map((reason: unknown) =>
        reason &&
        typeof reason === "object" &&
        "explanation" in reason &&
        typeof reason.explanation === "string"
          ? { ...reason, explanation: maskFreeText(reason.explanation) }
          : reason,
      )
    : data.reasons;
  return { ...data, customer: maskCustomer(data.customer), reasons };
}

/** Slack's mrkdwn reserves &, < and >: escaped, a name cannot turn into a link or a mention. */
const escapeSlack = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

function slackMessage(event: TypedEvent): { text: string; blocks: unknown[] } {
  const text = escapeSlack(headline(event));
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text } },
      {
        type: "context",
        elements: [
          { type: "mrkdwn", text: `${PAYLOAD_TYPES[event.type]} · ${event.occurredAt.toISOString()}` },
        ],
      },
    ],
  };
}

/** One sentence a person reads in a channel. */
function headline(event: TypedEvent): string {
  switch (event.type) {
    case "ALERT_RAISED":
      return alertRaisedLine(event.data);
    case "ALERT_RESOLVED":
      return alertResolvedLine(event.data);
    case "SYNC_FAILED":
      return syncFailedLine(event.data);
    case "SEGMENT_ENTERED":
      return segmentEnteredLine(event.data);
  }
}

const customerName = (customer: WebhookCustomer) => customer.displayName ?? `customer ${customer.id}`;
const percent = (score: number) => `${Math.round(score * 100)}%`;

function alertRaisedLine(data: AlertRaisedData): string {
  const from = data.previousScore === null ? "" : ` (was ${percent(data.previousScore)})`;
  return `${data.level} churn risk: ${customerName(data.customer)} is at ${percent(data.score)}${from}.`;
}

function alertResolvedLine(data: AlertResolvedData): string {
  const why =
    data.reason === "RESOLVED_BY_USER" ? `resolved${data.note ? `: ${data.note}` : ""}` : "the risk fell";
  return `${data.level} churn-risk alert for ${customerName(data.customer)} closed, ${why}.`;
}

function syncFailedLine(data: SyncFailedData): string {
  return `Sync of connector ${data.connectorName} failed${data.error ? `: ${data.error}` : ""}.`;
}

function segmentEnteredLine(data: SegmentEnteredData): string {
  return `${customerName(data.customer)} entered the segment ${data.segment.name}.`;
}
