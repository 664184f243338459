// Outgoing webhook events: what each type carries, and recording events in the transaction that
// caused them. One statement stores the events that some enabled endpoint subscribes to and one
// delivery per (event, endpoint), due at once; pg_notify wakes the delivery workers at commit (and is
// dropped with everything else on a rollback). An event nobody subscribes to is not stored.
//
// A new event type is a value of the WebhookEventType enum, its
// data interface and payload type name below, and a masking rule in src/webhooks/webhook-payloads.ts.
import type { Db } from "../../db/database.ts";
import { transactionSql } from "../../db/transaction-sql.ts";
import { uuidv7 } from "../../db/uuid-v7.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { WebhookEventType } from "../../generated/prisma/enums.ts";

/** The channel that tells delivery workers that deliveries were committed (payload: nothing). */
export const WEBHOOKS_CHANNEL = "cxhub_webhooks";

/** The `type` of each event in its payload: hierarchical and full-stop delimited, as the specification recommends. */
export const PAYLOAD_TYPES: Record<WebhookEventType, string> = {
  ALERT_RAISED: "alert.raised",
  ALERT_RESOLVED: "alert.resolved",
  SYNC_FAILED: "sync.failed",
  SEGMENT_ENTERED: "segment.entered",
};

/** The customer an alert is about, as an event carries it. */
export interface WebhookCustomer {
  id: string;
  displayName: string | null;
  ownerId: string | null;
}

export interface AlertRaisedData {
  alertId: string;
  customer: WebhookCustomer;
  level: "HIGH" | "CRITICAL";
  score: number;
  previousScore: number | null;
  /** The reasons that drove the risk, as the alert stores them. */
  reasons: unknown;
}

export interface AlertResolvedData {
  alertId: string;
  customer: WebhookCustomer;
  level: string;
  /** RESOLVED_BY_USER, RISK_FELL or MODEL_CHANGED. */
  reason: string;
  note: string | null;
  resolvedById: string | null;
}

export interface SyncFailedData {
  runId: string;
  connectorId: string;
  connectorName: string;
  trigger: string;
  error: string | null;
}

export interface SegmentEnteredData {
  /** The saved segment, as it was named when the customer entered it. */
  segment: { id: string; name: string };
  customer: WebhookCustomer;
  enteredAt: string;
}

export interface WebhookEventDataByType {
  ALERT_RAISED: AlertRaisedData;
  ALERT_RESOLVED: AlertResolvedData;
  SYNC_FAILED: SyncFailedData;
  SEGMENT_ENTERED: SegmentEnteredData;
}

export type NewWebhookEvent = {
  [T in WebhookEventType]: {
    type: T;
    occurredAt: Date;
    data: WebhookEventDataByType[T];
    /** The customer it is about, so that an erasure can find it. */
    customerId?: string | null;
  };
}[WebhookEventType];

/**
 * The SQL condition "an enabled endpoint subscribes to any of the types in the text[] parameter
 * `typesParameter`" ($1, $2, …), for a caller that asks it inside a statement of its own.
 */
export const webhookSubscribersSql = (typesParameter: string) =>
  `EXISTS (SELECT 1 FROM "WebhookEndpoint"
            WHERE "enabled" AND "eventTypes" && ${typesParameter}::text[]::"WebhookEventType"[])`;

/** Whether an enabled endpoint subscribes to any of these types: callers skip building events otherwise. */
export async function hasWebhookSubscribers(
  tx: Prisma.TransactionClient,
  types: WebhookEventType[],
): Promise<boolean> {
  const [row] = await transactionSql(tx).query<{ any: boolean }>(
    `SELECT ${webhookSubscribersSql("$1")} AS any`,
    [types],
  );
  return row?.any ?? false;
}

/**
 * Records events and their deliveries in the caller's transaction; returns how many deliveries were
 * created. Their first attempts are due at once (nextAttemptAt null), whatever clock `now` came from:
 * sync runs are stamped with the machine's, alerts with the hub's.
 */
export async function recordWebhookEvents(
  tx: Prisma.TransactionClient,
  events: NewWebhookEvent[],
  now: Date,
): Promise<number> {
  if (events.length === 0) return 0;
  const column = <T>(pick: (event: NewWebhookEvent) => T) => events.map(pick);
  const [row] = await tx.$queryRaw<Array<{ deliveries: number }>>`
    WITH input AS (
      SELECT * FROM unnest(
        ${events.map(() => uuidv7())}::uuid[],
        ${column((e) => e.type)}::text[],
        ${column((e) => e.occurredAt.toISOString())}::timestamptz[],
        ${column((e) => JSON.stringify(e.data))}::jsonb[],
        ${column((e) => e.customerId ?? null)}::uuid[]
      ) AS t(id, type, "occurredAt", data, "customerId")
    ), subscribed AS (
      SELECT i.id AS "eventId", e.id AS "endpointId"
      FROM input i JOIN "WebhookEndpoint" e
        ON e."enabled" AND i.type::"WebhookEventType" = ANY(e."eventTypes")
    ), events AS (
      INSERT INTO "WebhookEvent" ("id", "type", "occurredAt", "data", "customerId")
      SELECT id, type::"WebhookEventType", "occurredAt", data, "customerId" FROM input
      WHERE id IN (SELECT "eventId" FROM subscribed)
      RETURNING "id"
    ), deliveries AS (
      INSERT INTO "OutgoingWebhookDelivery" ("id", "eventId", "endpointId", "createdAt")
      SELECT gen_random_uuid(), s."eventId", s."endpointId", ${now}
      FROM subscribed s JOIN events ev ON ev."id" = s."eventId"
      RETURNING 1
    )
    SELECT count(*)::int AS deliveries FROM deliveries`;
  const created = row?.deliveries ?? 0;
  if (created > 0) await tx.$executeRaw`SELECT pg_notify(${WEBHOOKS_CHANNEL}, '')`;
  return created;
}

/**
 * Erases what an erasure removes from the customers' webhook events (their name, a resolution's note),
 * so that a later replay or retry cannot send it again. The rest of the event stays, as the alert does.
 */
export async function eraseWebhookEventData(db: Db, customerIds: string[]): Promise<void> {
  if (customerIds.length === 0) return;
  await db.$executeRaw`
    UPDATE "WebhookEvent"
       SET "data" = jsonb_set(jsonb_set("data", '{customer,displayName}', 'null', false), '{note}', 'null', false)
     WHERE "customerId" = ANY(${customerIds}::uuid[])`;
}
