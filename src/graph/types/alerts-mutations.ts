// Working alerts: acknowledge, resolve with a note, snooze. Account managers work the alerts of the
// customers they own; admins work any. Each returns the alert or a typed error.
import { acknowledgeAlert, resolveAlert, snoozeAlert } from "../../alerts/work-alerts.ts";
import type { Alert } from "../../generated/prisma/client.ts";
import { builder } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { AlertNode } from "./alerts.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";

const ALERT_WORKERS = { $any: { admin: true, accountManager: true } };

const AlertPayload = builder.objectRef<{ alert: Alert }>("AlertPayload").implement({
  description: "An alert after a change.",
  fields: (t) => ({
    alert: t.field({ type: AlertNode, description: "The alert, as stored now.", resolve: (p) => p.alert }),
  }),
});

const AcknowledgeAlertInput = builder.inputType("AcknowledgeAlertInput", {
  description: "The alert you are taking up.",
  fields: (t) => ({ alertId: t.globalID({ required: true, description: "The alert's global ID." }) }),
});

const ResolveAlertInput = builder.inputType("ResolveAlertInput", {
  description: "The alert to close, and what was done.",
  fields: (t) => ({
    alertId: t.globalID({ required: true, description: "The alert's global ID." }),
    note: t.string({
      required: true,
      description: "What was done (1 to 2,000 characters): kept with the alert for whoever looks next.",
    }),
  }),
});

const SnoozeAlertInput = builder.inputType("SnoozeAlertInput", {
  description: "The alert to put aside, and until when.",
  fields: (t) => ({
    alertId: t.globalID({ required: true, description: "The alert's global ID." }),
    until: t.field({
      type: "DateTime",
      required: true,
      description: "When it needs attention again: a moment in the next 30 days.",
    }),
  }),
});

builder.mutationFields((t) => ({
  acknowledgeAlert: t.field({
    type: AlertPayload,
    authScopes: ALERT_WORKERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Marks an open alert as taken up by you. Acknowledging it again changes nothing; a resolved alert gives a ConflictError.",
    args: { input: t.arg({ type: AcknowledgeAlertInput, required: true, description: "The alert." }) },
    resolve: async (_parent, { input }, context) => ({
      alert: await acknowledgeAlert(
        context.prisma,
        expectGlobalId(input.alertId, "Alert", ["input", "alertId"]),
        context.viewer,
        context.clock(),
      ),
    }),
  }),
  resolveAlert: t.field({
    type: AlertPayload,
    authScopes: ALERT_WORKERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Closes an open or acknowledged alert with a note on what was done. A resolved alert gives a ConflictError.",
    args: {
      input: t.arg({ type: ResolveAlertInput, required: true, description: "The alert and the note." }),
    },
    resolve: async (_parent, { input }, context) => ({
      alert: await resolveAlert(
        context.prisma,
        expectGlobalId(input.alertId, "Alert", ["input", "alertId"]),
        { note: input.note },
        context.viewer,
        context.clock(),
      ),
    }),
  }),
  snoozeAlert: t.field({
    type: AlertPayload,
    authScopes: ALERT_WORKERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Puts an open or acknowledged alert aside until a time: alerts(filter: {snoozed: false}) leaves it out until then. Its status does not change.",
    args: {
      input: t.arg({ type: SnoozeAlertInput, required: true, description: "The alert and the time." }),
    },
    resolve: async (_parent, { input }, context) => ({
      alert: await snoozeAlert(
        context.prisma,
        expectGlobalId(input.alertId, "Alert", ["input", "alertId"]),
        { until: input.until },
        context.viewer,
        context.clock(),
      ),
    }),
  }),
}));
