// What account managers do with an alert: acknowledge it (I am on it), resolve it with a note (what
// was done), or snooze it until a time (remind me later). Each is a conditional update, so two people
// working the same alert at once cannot resolve it twice or acknowledge a resolved one.
import { z } from "zod";
import type { Viewer } from "../auth/api-keys.ts";
import { canSeeCustomer } from "../auth/visibility.ts";
import type { Db } from "../db/database.ts";
import { inTransaction } from "../db/transaction.ts";
import { ConflictError, ForbiddenError, NotFoundError, parseInput } from "../domain/errors.ts";
import type { Alert, AlertStatus } from "../generated/prisma/client.ts";
import { recordAlertWebhooks } from "./alert-webhooks.ts";

export const MAX_SNOOZE_DAYS = 30;

export const resolveAlertInput = z.object({
  note: z
    .string()
    .trim()
    .min(1, "say what was done: the note is kept with the alert")
    .max(2000, "a note is at most 2,000 characters"),
});

export const snoozeAlertInput = z.object({
  until: z.date(),
});

/** Marks an open alert as being worked on; acknowledging it again changes nothing. */
export async function acknowledgeAlert(db: Db, alertId: string, viewer: Viewer, now: Date): Promise<Alert> {
  const alert = await findWorkableAlert(db, alertId, viewer);
  if (alert.status === "ACKNOWLEDGED") return alert;
  return transition(db, alert, ["OPEN"], {
    status: "ACKNOWLEDGED",
    acknowledgedAt: now,
    acknowledgedById: viewer.principalId,
  });
}

/** Closes an alert with a note saying what was done. */
export async function resolveAlert(
  db: Db,
  alertId: string,
  input: z.input<typeof resolveAlertInput>,
  viewer: Viewer,
  now: Date,
): Promise<Alert> {
  const { note } = parseInput(resolveAlertInput, input, "The resolution");
  const alert = await findWorkableAlert(db, alertId, viewer);
  // The ALERT_RESOLVED webhook event commits with the resolution, or neither does.
  return inTransaction(db, async (tx) => {
    const resolved = await transition(tx, alert, ["OPEN", "ACKNOWLEDGED"], {
      status: "RESOLVED",
      resolvedAt: now,
      resolvedById: viewer.principalId,
      resolutionReason: "RESOLVED_BY_USER",
      resolutionNote: note,
      // Acknowledged on the way, if nobody had: the resolver was working it.
      acknowledgedAt: alert.acknowledgedAt ?? now,
      acknowledgedById: alert.acknowledgedById ?? viewer.principalId,
    });
    await recordAlertWebhooks(tx, { raised: [], resolved: [resolved.id] }, now);
    return resolved;
  });
}

/** Hides an open or acknowledged alert from the lists of snoozed-out alerts until `until`. */
export async function snoozeAlert(
  db: Db,
  alertId: string,
  input: z.input<typeof snoozeAlertInput>,
  viewer: Viewer,
  now: Date,
): Promise<Alert> {
  const latest = new Date(now.getTime() + MAX_SNOOZE_DAYS * 86_400_000);
  const { until } = parseInput(
    snoozeAlertInput.refine((value) => value.until > now && value.until <= latest, {
      path: ["until"],
      message: `snooze until a moment in the next ${MAX_SNOOZE_DAYS} days`,
    }),
    input,
    "The snooze",
  );
  const alert = await findWorkableAlert(db, alertId, viewer);
  return transition(db, alert, ["OPEN", "ACKNOWLEDGED"], { snoozedUntil: until });
}

async function findWorkableAlert(db: Db, alertId: string, viewer: Viewer) {
  const alert = await db.alert.findUnique({
    where: { id: alertId },
    include: { customer: { select: { ownerId: true } } },
  });
  if (!alert) throw new NotFoundError(`No alert has the id ${alertId}.`, "Alert", alertId);
  if (!canSeeCustomer(viewer, alert.customer)) {
    throw new ForbiddenError(
      "This alert is about a customer you do not own: ask their account manager, or an admin to reassign the customer.",
    );
  }
  const { customer: _customer, ...row } = alert;
  return row;
}

async function transition(
  db: Db,
  alert: Alert,
  from: AlertStatus[],
  data: Partial<
    Pick<
      Alert,
      | "status"
      | "acknowledgedAt"
      | "acknowledgedById"
      | "resolvedAt"
      | "resolvedById"
      | "resolutionReason"
      | "resolutionNote"
      | "snoozedUntil"
    >
  >,
): Promise<Alert> {
  const { count } = await db.alert.updateMany({ where: { id: alert.id, status: { in: from } }, data });
  if (count === 0) {
    const now = await db.alert.findUniqueOrThrow({ where: { id: alert.id } });
    throw new ConflictError(
      `The alert is already ${now.status.toLowerCase()}${now.resolvedAt ? ` (since ${now.resolvedAt.toISOString()})` : ""}: nothing more to do with it.`,
    );
  }
  return db.alert.findUniqueOrThrow({ where: { id: alert.id } });
}
