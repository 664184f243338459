// Alerts as outgoing webhook events: ALERT_RAISED for each alert raised, ALERT_RESOLVED for each one
// resolved (by the hub when the risk fell, or by a person), recorded in the transaction that raised
// or resolved them, so that an event goes out exactly when its alert committed. Nothing is read or
// written when no enabled endpoint subscribes.

import {
  hasWebhookSubscribers,
  type NewWebhookEvent,
  recordWebhookEvents,
} from "../domain/webhooks/webhook-events.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { WebhookEventType } from "../generated/prisma/enums.ts";

interface AlertRow {
  id: string;
  customerId: string;
  level: "HIGH" | "CRITICAL" | "LOW" | "MEDIUM";
  score: number;
  previousScore: number | null;
  reasons: unknown;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedById: string | null;
  resolutionReason: string | null;
  resolutionNote: string | null;
  displayName: string | null;
  ownerId: string | null;
}

/** The event types of these alerts: what an endpoint must subscribe to for them to be recorded. */
export function alertWebhookTypes({ raised, resolved }: { raised: unknown[]; resolved: unknown[] }) {
  return [
    ...(raised.length > 0 ? (["ALERT_RAISED"] as const) : []),
    ...(resolved.length > 0 ? (["ALERT_RESOLVED"] as const) : []),
  ] as WebhookEventType[];
}

/**
 * Records the webhook events of alerts raised and resolved in this transaction. `subscribed`: whether
 * an enabled endpoint subscribes to their types (alertWebhookTypes), when the caller asked already in
 * a statement of its own; asked here otherwise.
 */
export async function recordAlertWebhooks(
  tx: Prisma.TransactionClient,
  { raised, resolved }: { raised: string[]; resolved: string[] },
  now: Date,
  subscribed?: boolean,
): Promise<void> {
  const types = alertWebhookTypes({ raised, resolved });
  if (types.length === 0 || !(subscribed ?? (await hasWebhookSubscribers(tx, types)))) return;
  const rows = await tx.$queryRaw<AlertRow[]>`
    SELECT a."id", a."customerId", a."level"::text AS level, a."score", a."previousScore", a."reasons",
      a."createdAt", a."resolvedAt", a."resolvedById", a."resolutionReason"::text AS "resolutionReason",
      a."resolutionNote", c."displayName", c."ownerId"
    FROM "Alert" a JOIN "Customer" c ON c."id" = a."customerId"
    WHERE a."id" = ANY(${[...raised, ...resolved]}::uuid[])`;
  const byId = new Map(rows.map((row) => [row.id, row]));
  const customer = (row: AlertRow) => ({
    id: row.customerId,
    displayName: row.displayName,
    ownerId: row.ownerId,
  });
  const events: NewWebhookEvent[] = [];
  for (const id of raised) {
    const row = byId.get(id);
    if (!row || (row.level !== "HIGH" && row.level !== "CRITICAL")) continue;
    events.push({
      type: "ALERT_RAISED",
      occurredAt: row.createdAt,
      customerId: row.customerId,
      data: {
        alertId: row.id,
        customer: customer(row),
        level: row.level,
        score: row.score,
        previousScore: row.previousScore,
        reasons: row.reasons,
      },
    });
  }
  for (const id of resolved) {
    const row = byId.get(id);
    if (!row) continue;
    events.push({
      type: "ALERT_RESOLVED",
      occurredAt: row.resolvedAt ?? now,
      customerId: row.customerId,
      data: {
        alertId: row.id,
        customer: customer(row),
        level: row.level,
        reason: row.resolutionReason ?? "RESOLVED_BY_USER",
        note: row.resolutionNote,
        resolvedById: row.resolvedById,
      },
    });
  }
  await recordWebhookEvents(tx, events, now);
}
