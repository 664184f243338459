// Outgoing webhooks for admins: endpoints (never their secrets), each event's deliveries with their
// attempts (the delivery log: response codes, durations, errors), and the lists of both. The mutations
// are webhooks-mutations.ts; the rules are src/webhooks/.

import { PAYLOAD_TYPES } from "../../domain/webhooks/webhook-events.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { WebhookDeliveryStatus, WebhookEventType, WebhookFormat } from "../../generated/prisma/enums.ts";
import { webhookMessageId } from "../../webhooks/deliver-webhooks.ts";
import { builder, pagedConnection } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";

/** Endpoints, their secrets' lifecycle and their delivery log are for admins alone. */
export const WEBHOOK_ADMINS = { admin: true } as const;

export const WebhookEventTypeEnum = builder.enumType(WebhookEventType, {
  name: "WebhookEventType",
  description:
    "What an endpoint can subscribe to. The payload's `type` is the dotted name given with each value.",
  values: {
    ALERT_RAISED: {
      description:
        "alert.raised: a churn-risk alert was raised (data: alertId, customer, level, score, previousScore, reasons).",
    },
    ALERT_RESOLVED: {
      description:
        "alert.resolved: an alert was resolved by a person or because the risk fell (data: alertId, customer, level, reason, note, resolvedById).",
    },
    SYNC_FAILED: {
      description:
        "sync.failed: a connector's sync run ended FAILED (data: runId, connectorId, connectorName, trigger, error).",
    },
    SEGMENT_ENTERED: {
      description:
        "segment.entered: a customer entered a saved segment, after a write or at the daily check (data: segment {id, name}, customer, enteredAt).",
    },
  },
});

export const WebhookFormatEnum = builder.enumType(WebhookFormat, {
  name: "WebhookFormat",
  description: "The body an endpoint receives. Both are signed the same way.",
  values: {
    STANDARD: { description: "The Standard Webhooks JSON: {type, timestamp, data}." },
    SLACK: {
      description:
        "A Slack incoming-webhook message, {text, blocks}: paste a Slack webhook URL as the endpoint.",
    },
  },
});

export const WebhookDeliveryStatusEnum = builder.enumType(WebhookDeliveryStatus, {
  name: "WebhookDeliveryStatus",
  description: "Where a delivery of one event to one endpoint stands.",
  values: {
    PENDING: { description: "Waiting for its next attempt (nextAttemptAt)." },
    SENDING: { description: "An attempt is in flight." },
    SUCCEEDED: { description: "The endpoint answered with a 2xx status." },
    DEAD: {
      description:
        "Dead-lettered: every attempt of the retry schedule failed, or the endpoint answered 410 Gone. replayWebhookDelivery sends it again.",
    },
  },
});

builder.prismaNode("WebhookEndpoint", {
  description:
    "A URL the hub posts events to, each signed per Standard Webhooks (webhook-id, webhook-timestamp and webhook-signature headers) with the endpoint's own secret. Admins only. The secret is shown once, by createWebhookEndpoint and rotateWebhookEndpointSecret.",
  id: { field: "id", description: "The endpoint's global ID." },
  authScopes: WEBHOOK_ADMINS,
  fields: (t) => ({
    url: t.exposeString("url", { description: "Where events are posted." }),
    description: t.exposeString("description", { nullable: true, description: "What the endpoint is for." }),
    eventTypes: t.field({
      type: [WebhookEventTypeEnum],
      description: "The event types it receives.",
      resolve: (endpoint) => endpoint.eventTypes,
    }),
    format: t.expose("format", { type: WebhookFormatEnum, description: "The body it receives." }),
    includePersonalData: t.exposeBoolean("includePersonalData", {
      description:
        "Whether payloads carry personal data unmasked (names, notes); false: masked as for a key without the pii scope.",
    }),
    enabled: t.exposeBoolean("enabled", { description: "Whether events are delivered to it." }),
    disabledReason: t.exposeString("disabledReason", {
      nullable: true,
      description: "Why the hub disabled it (the endpoint answered 410 Gone); null otherwise.",
    }),
    secretRotatedAt: t.expose("secretRotatedAt", {
      type: "DateTime",
      nullable: true,
      description: "When its secret was last rotated; null if never.",
    }),
    previousSecretExpiresAt: t.expose("previousSecretExpiresAt", {
      type: "DateTime",
      nullable: true,
      description:
        "Until when the secret before the last rotation still signs beside the new one (two signatures in webhook-signature); null when only one secret signs.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was created." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When it last changed." }),
    deliveries: t.relatedConnection("deliveries", {
      description: "Its deliveries, newest first: the delivery log.",
      cursor: "id",
      totalCount: true,
      ...pagedConnection,
      args: {
        status: t.arg({ type: [WebhookDeliveryStatusEnum], description: "Only deliveries in these states." }),
      },
      query: (args) => ({
        where: args.status?.length ? { status: { in: [...args.status] } } : {},
        orderBy: NEWEST_DELIVERY_FIRST,
      }),
    }),
  }),
});

const NEWEST_DELIVERY_FIRST: Prisma.OutgoingWebhookDeliveryOrderByWithRelationInput[] = [
  { createdAt: "desc" },
  { id: "desc" },
];

builder.prismaObject("WebhookEvent", {
  description: "One event, as every endpoint subscribed to its type receives it.",
  authScopes: WEBHOOK_ADMINS,
  fields: (t) => ({
    webhookId: t.string({
      description:
        "The webhook-id header (msg_…): the same on every retry and replay, for receivers to drop repeats.",
      resolve: (event) => webhookMessageId(event.id),
    }),
    type: t.expose("type", { type: WebhookEventTypeEnum, description: "What happened." }),
    payloadType: t.string({
      description: 'The payload\'s `type` ("alert.raised").',
      resolve: (event) => PAYLOAD_TYPES[event.type],
    }),
    occurredAt: t.expose("occurredAt", {
      type: "DateTime",
      description: "When it happened: the payload's timestamp.",
    }),
  }),
});

builder.prismaNode("OutgoingWebhookDelivery", {
  name: "WebhookDelivery",
  description:
    "One event on its way to one endpoint: retried on the schedule (CXHUB_WEBHOOK_RETRY_DELAYS) until it succeeds or is dead-lettered.",
  id: { field: "id", description: "The delivery's global ID." },
  authScopes: WEBHOOK_ADMINS,
  fields: (t) => ({
    endpoint: t.relation("endpoint", { description: "Where it goes." }),
    event: t.relation("event", { description: "What it carries." }),
    status: t.expose("status", { type: WebhookDeliveryStatusEnum, description: "Where it stands." }),
    attemptCount: t.exposeInt("attemptCount", { description: "Attempts made so far." }),
    nextAttemptAt: t.expose("nextAttemptAt", {
      type: "DateTime",
      nullable: true,
      description:
        "When the next retry is due (PENDING); null for a first attempt (due at once) and when none is due.",
    }),
    lastStatusCode: t.exposeInt("lastStatusCode", {
      nullable: true,
      description: "The last attempt's response status; null before any, or when no response came.",
    }),
    lastError: t.exposeString("lastError", {
      nullable: true,
      description: "Why the last attempt failed; null when it succeeded or none was made.",
    }),
    succeededAt: t.expose("succeededAt", {
      type: "DateTime",
      nullable: true,
      description: "When it succeeded.",
    }),
    deadLetteredAt: t.expose("deadAt", {
      type: "DateTime",
      nullable: true,
      description: "When it was dead-lettered.",
    }),
    replayOf: t.prismaField({
      type: "OutgoingWebhookDelivery",
      nullable: true,
      description: "The delivery this one replays, if it is a replay.",
      resolve: (query, delivery, _args, context) =>
        delivery.replayOfId
          ? context.prisma.outgoingWebhookDelivery.findUnique({
              ...query,
              where: { id: delivery.replayOfId },
            })
          : null,
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was created." }),
    attempts: t.relation("attempts", {
      description: "Its attempts, first first: status codes, durations and errors.",
      query: { orderBy: { number: "asc" } },
    }),
  }),
});

builder.prismaObject("OutgoingWebhookAttempt", {
  name: "WebhookAttempt",
  description: "One HTTP attempt of a delivery.",
  authScopes: WEBHOOK_ADMINS,
  fields: (t) => ({
    number: t.exposeInt("number", { description: "1 for the delivery's first attempt." }),
    attemptedAt: t.expose("attemptedAt", {
      type: "DateTime",
      description: "When it was made: the webhook-timestamp it was signed with.",
    }),
    durationMs: t.exposeInt("durationMs", {
      description: "Milliseconds until the response was read, or the failure.",
    }),
    statusCode: t.exposeInt("statusCode", {
      nullable: true,
      description: "The response's status; null when none came (timeout, refused connection).",
    }),
    error: t.exposeString("error", { nullable: true, description: "Why it failed; null when it succeeded." }),
    responseBody: t.exposeString("responseBody", {
      nullable: true,
      description: "The start of the response body (at most 1,000 characters).",
    }),
  }),
});

builder.queryFields((t) => ({
  webhookEndpoints: t.prismaConnection(
    {
      type: "WebhookEndpoint",
      cursor: "id",
      ...pagedConnection,
      authScopes: WEBHOOK_ADMINS,
      description: "The outgoing webhook endpoints, newest first. Admins only.",
      totalCount: (_parent, _args, context) => context.prisma.webhookEndpoint.count(),
      resolve: (query, _parent, _args, context) =>
        context.prisma.webhookEndpoint.findMany({
          ...query,
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        }),
    },
    { name: "WebhookEndpointConnection" },
    { name: "WebhookEndpointEdge" },
  ),
  webhookDeliveries: t.prismaConnection(
    {
      type: "OutgoingWebhookDelivery",
      cursor: "id",
      ...pagedConnection,
      authScopes: WEBHOOK_ADMINS,
      description:
        "The delivery log across endpoints (or of one), newest first: each delivery with its attempts. Admins only.",
      args: {
        endpointId: t.arg.globalID({ description: "Only deliveries to this endpoint." }),
        status: t.arg({
          type: [WebhookDeliveryStatusEnum],
          description: "Only deliveries in these states (DEAD: the dead letters).",
        }),
      },
      totalCount: (_parent, args, context) =>
        context.prisma.outgoingWebhookDelivery.count({ where: deliveriesFilter(args) }),
      resolve: (query, _parent, args, context) =>
        context.prisma.outgoingWebhookDelivery.findMany({
          ...query,
          where: deliveriesFilter(args),
          orderBy: NEWEST_DELIVERY_FIRST,
        }),
    },
    { name: "WebhookDeliveryConnection" },
    { name: "WebhookDeliveryEdge" },
  ),
}));

function deliveriesFilter(args: {
  endpointId?: { typename: string; id: string } | null;
  status?: WebhookDeliveryStatus[] | null;
}): Prisma.OutgoingWebhookDeliveryWhereInput {
  return {
    ...(args.endpointId && {
      endpointId: expectGlobalId(args.endpointId, "WebhookEndpoint", ["endpointId"]),
    }),
    ...(args.status?.length && { status: { in: [...args.status] } }),
  };
}
