// Churn-risk alerts on the graph: the Alert type, the alerts list (a Relay connection with the
// stream cursor to go live from), and the alert policy in force. Mutations and subscriptions are in
// alerts-mutations.ts and alerts-subscriptions.ts.

import { encodeStreamCursor } from "../../alerts/stream-cursor.ts";
import { freeTextFor } from "../../auth/personal-data.ts";
import { canSeeRecordOf, visibleRecords } from "../../auth/visibility.ts";
import type { Customer, Prisma } from "../../generated/prisma/client.ts";
import { AlertResolutionReason, AlertStatus } from "../../generated/prisma/enums.ts";
import { resolveAlertPolicy } from "../../policy/alert-policy-settings.ts";
import type { ScoringPolicy } from "../../policy/scoring-policy.ts";
import { builder, pagedConnection } from "../builder.ts";
import type { GraphContext } from "../context.ts";
import { expectGlobalId } from "../global-ids.ts";
import { shownProbability, shownProbabilityOrNull } from "../probability.ts";
import { CustomerNode } from "./customer.ts";
import { DateTimeRange, dateTimeFilter } from "./date-time-range.ts";
import { ChurnRiskLevelEnum, ChurnRiskReasonRef, reasonsOf } from "./score.ts";
import { ScoringPolicyRef } from "./score-model.ts";
import { segmentCustomerWhere } from "./segment-scope.ts";

/** Who may read alerts: everyone but integrators (account managers only their customers'). */
export const ALERT_READERS = { $any: { admin: true, analyst: true, accountManager: true } };

export const AlertStatusEnum = builder.enumType(AlertStatus, {
  name: "AlertStatus",
  description: "Where an alert stands as account managers work it.",
  values: {
    OPEN: { description: "Raised and not yet taken up." },
    ACKNOWLEDGED: { description: "Someone is on it (acknowledgeAlert)." },
    RESOLVED: {
      description:
        "Closed: by a person with a note on what was done (resolveAlert), or by the hub when the risk went away (see resolutionReason).",
    },
  },
});

export const AlertResolutionReasonEnum = builder.enumType(AlertResolutionReason, {
  name: "AlertResolutionReason",
  description: "Why an alert was resolved.",
  values: {
    RESOLVED_BY_USER: {
      description: "An account manager or admin resolved it (resolveAlert); resolvedBy says who.",
    },
    RISK_FELL: {
      description:
        "The hub resolved it: the customer's churn risk fell below the alert's level less the hysteresis (alertPolicy), so the level was let go.",
    },
    MODEL_CHANGED: {
      description:
        "The hub resolved it when the scores were rebaselined after a refit or a change of the scoring rules: the new churn risk is below the alert's level.",
    },
  },
});

export const AlertNode = builder.prismaNode("Alert", {
  description:
    "A churn-risk alert: raised once when a customer's churn risk crosses into HIGH or CRITICAL (see alertPolicy), with the scores and reasons at that moment.",
  id: { field: "id", description: "The alert's global ID." },
  // Lists filter in SQL; this guards node lookups and every event a subscription delivers: the
  // viewer must be an alert reader and see the customer. A published alert carries its customer, so
  // for most events this answers without a promise (it runs per subscriber).
  authScopes: (alert, context) => {
    const visible = canSeeRecordOf(context.viewer, alert, context.loaders.ownerOfCustomer);
    return typeof visible === "boolean"
      ? visible && ALERT_READERS
      : visible.then((seen) => seen && ALERT_READERS);
  },
  fields: (t) => ({
    customer: t.field({
      type: CustomerNode,
      description: "The customer at risk.",
      // A published alert carries its customer, so thousands of subscribers do not each look it up.
      // findUnique calls of one tick are batched into one query by Prisma: a page of alerts is not N+1.
      resolve: async (alert, _args, context) => {
        const carried = (alert as typeof alert & { customer?: Customer }).customer;
        if (carried) return carried;
        const customer = await context.prisma.customer.findUnique({ where: { id: alert.customerId } });
        if (!customer)
          throw new Error(`Alert ${alert.id} names customer ${alert.customerId}, which does not exist.`);
        return customer;
      },
    }),
    owner: t.relation("owner", {
      nullable: true,
      description:
        "The customer's account manager when the alert was raised (the customer's owner now is customer.owner).",
    }),
    level: t.expose("level", {
      type: ChurnRiskLevelEnum,
      description:
        "The level the churn risk crossed into: HIGH, or CRITICAL (an escalation is an alert of its own).",
    }),
    churnRisk: t.float({
      resolve: (alert) => shownProbability(alert.score),
      description: "The churn risk that raised the alert, from 0 to 1, to 4 decimal places.",
    }),
    previousChurnRisk: t.float({
      nullable: true,
      resolve: (alert) => shownProbabilityOrNull(alert.previousScore),
      description:
        "The churn risk before the change that raised the alert, to 4 decimal places; null if there was none.",
    }),
    previousLevel: t.expose("previousLevel", {
      type: ChurnRiskLevelEnum,
      nullable: true,
      description: "The level before the change; null if there was none.",
    }),
    reasons: t.field({
      type: [ChurnRiskReasonRef],
      description: "The factors behind the churn risk when the alert was raised, the largest effect first.",
      resolve: (alert) => reasonsOf(alert.reasons, { table: "Alert", rowId: alert.id }),
    }),
    status: t.expose("status", { type: AlertStatusEnum, description: "Open, acknowledged or resolved." }),
    raisedAt: t.expose("createdAt", {
      type: "DateTime",
      description: "When the alert was raised, in the transaction that changed the score.",
    }),
    acknowledgedAt: t.expose("acknowledgedAt", {
      type: "DateTime",
      nullable: true,
      description: "When someone acknowledged it; null until then.",
    }),
    acknowledgedBy: t.relation("acknowledgedBy", {
      nullable: true,
      description: "Who acknowledged it.",
    }),
    resolvedAt: t.expose("resolvedAt", {
      type: "DateTime",
      nullable: true,
      description: "When it was resolved; null until then.",
    }),
    resolvedBy: t.relation("resolvedBy", {
      nullable: true,
      description:
        "Who resolved it; null until then, and when the hub resolved it (RISK_FELL, MODEL_CHANGED).",
    }),
    resolutionReason: t.expose("resolutionReason", {
      type: AlertResolutionReasonEnum,
      nullable: true,
      description:
        "Why it was resolved: by a person, or by the hub because the risk went away; null until resolved.",
    }),
    resolutionNote: t.string({
      nullable: true,
      description:
        'What was done, as the resolver wrote it; when the hub resolved it, a sentence saying how far the risk fell ("Churn risk fell to 41%, below HIGH (60%) less the 5-point hysteresis."). Emails and phones written in it are masked unless your API key has the `pii` scope.',
      resolve: (alert, _args, context) => freeTextFor(context.viewer, alert.resolutionNote),
    }),
    snoozedUntil: t.expose("snoozedUntil", {
      type: "DateTime",
      nullable: true,
      description: "Until when it was snoozed (it may have passed); null if never snoozed.",
    }),
    snoozed: t.boolean({
      description: "Whether it is snoozed right now (snoozedUntil is in the future).",
      resolve: (alert, _args, context) => alert.snoozedUntil !== null && alert.snoozedUntil > context.clock(),
    }),
    digest: t.relation("digest", {
      nullable: true,
      description:
        "The digest that delivered this alert live, when one rescore raised more alerts for its owner than alertPolicy.digestAbove; null when it was published on its own.",
    }),
    streamCursor: t.string({
      nullable: true,
      description:
        "The alert's place in the live stream: subscribe with churnRiskAlerts(since:) this cursor to receive every alert published after it. Null until published (moments after it is raised), and for an alert delivered in a digest (the digest has the cursor).",
      resolve: (alert) => (alert.streamPosition === null ? null : encodeStreamCursor(alert.streamPosition)),
    }),
  }),
});

const AlertFilter = builder.inputType("AlertFilter", {
  description: "Narrows the alert list; every given condition must hold.",
  fields: (t) => ({
    status: t.field({ type: [AlertStatusEnum], description: "Alerts in any of these states." }),
    resolutionReasons: t.field({
      type: [AlertResolutionReasonEnum],
      description: "Resolved alerts resolved for any of these reasons (RISK_FELL: those the hub closed).",
    }),
    levels: t.field({ type: [ChurnRiskLevelEnum], description: "Alerts of these levels (HIGH, CRITICAL)." }),
    ownerId: t.globalID({
      description: "Alerts about the customers this account manager (a Principal ID) owns now.",
    }),
    customerId: t.globalID({ description: "Alerts about this customer." }),
    raised: t.field({ type: DateTimeRange, description: "Alerts raised in this span." }),
    snoozed: t.boolean({
      description:
        "true: only alerts snoozed right now; false: only alerts that are not (what needs attention).",
    }),
    segmentId: t.globalID({
      description: "Alerts about the customers in this segment (a Segment ID) now.",
    }),
  }),
});

/** The alerts a viewer may see that match a filter. */
async function alertWhere(
  context: GraphContext,
  filter: typeof AlertFilter.$inferInput | null | undefined,
): Promise<Prisma.AlertWhereInput> {
  const now = context.clock();
  const and: Prisma.AlertWhereInput[] = [];
  and.push(visibleRecords(context.viewer));
  if (filter?.segmentId) {
    and.push({ customer: await segmentCustomerWhere(context, filter.segmentId, ["filter", "segmentId"]) });
  }
  if (filter?.status?.length) and.push({ status: { in: filter.status } });
  if (filter?.levels?.length) and.push({ level: { in: filter.levels } });
  if (filter?.resolutionReasons?.length) and.push({ resolutionReason: { in: filter.resolutionReasons } });
  if (filter?.ownerId)
    and.push({ customer: { ownerId: expectGlobalId(filter.ownerId, "Principal", ["filter", "ownerId"]) } });
  if (filter?.customerId)
    and.push({ customerId: expectGlobalId(filter.customerId, "Customer", ["filter", "customerId"]) });
  const createdAt = dateTimeFilter(filter?.raised);
  if (createdAt) and.push({ createdAt });
  if (filter?.snoozed === true) and.push({ snoozedUntil: { gt: now } });
  if (filter?.snoozed === false) and.push({ OR: [{ snoozedUntil: null }, { snoozedUntil: { lte: now } }] });
  return { AND: and };
}

const AlertPolicyRef = builder.objectRef<ScoringPolicy>("AlertPolicy").implement({
  description:
    "When a churn risk raises an alert: the alerts section of the CXHUB_SCORING_POLICY file (see the README's Alerts section).",
  fields: (t) => ({
    highThreshold: t.float({
      description: "An alert is raised when the churn risk crosses up to this (HIGH).",
      resolve: (p) => resolveAlertPolicy(p.alerts, p.levels).thresholds.HIGH,
    }),
    criticalThreshold: t.float({
      description:
        "An alert is raised when the churn risk crosses up to this (CRITICAL), even right after a HIGH one.",
      resolve: (p) => resolveAlertPolicy(p.alerts, p.levels).thresholds.CRITICAL,
    }),
    hysteresis: t.float({
      description:
        "A level stays reached until the risk falls this far below its threshold: wobbling around a threshold raises one alert.",
      resolve: (p) => p.alerts.hysteresis,
    }),
    coolDownMinutes: t.int({
      description:
        "After an alert, a new crossing into the same or a lower level within this many minutes raises nothing.",
      resolve: (p) => p.alerts.coolDownMinutes,
    }),
    alertOnFirstScore: t.boolean({
      description:
        "Whether a customer's first score raises an alert when it is already HIGH or CRITICAL (false: a first score is where a customer starts, not a change).",
      resolve: (p) => p.alerts.alertOnFirstScore,
    }),
    digestAbove: t.int({
      description:
        "When one rescore raises more alerts than this for one account manager (or for the customers nobody owns), subscribers hear one AlertDigest listing them instead of each alert.",
      resolve: (p) => p.alerts.digestAbove,
    }),
  }),
});

builder.objectField(ScoringPolicyRef, "alerts", (t) =>
  t.field({ type: AlertPolicyRef, description: "When churn risk raises alerts.", resolve: (p) => p }),
);

/**
 * The stream position read before each request's alert pages (the earliest, when a request has
 * several: a cursor too early only replays alerts the client drops by id).
 */
const positionsBeforePage = new WeakMap<GraphContext, bigint>();

builder.queryFields((t) => ({
  alerts: t.prismaConnection(
    {
      type: "Alert",
      cursor: "id",
      ...pagedConnection,
      authScopes: ALERT_READERS,
      description:
        "Churn-risk alerts you may see (an account manager: those about the customers they own), newest first.",
      args: { filter: t.arg({ type: AlertFilter, description: "Conditions every listed alert meets." }) },
      totalCount: async (_parent, args, context) =>
        context.prisma.alert.count({ where: await alertWhere(context, args.filter) }),
      resolve: async (query, _parent, args, context) => {
        // The stream's position is read before the page: an alert published in between is then
        // after the cursor (replayed, and dropped by id if the page has it), never before it and lost.
        // Digests share the stream: the position is the later of the two.
        const [alerts, digests] = await Promise.all([
          context.prisma.alert.aggregate({ _max: { streamPosition: true } }),
          context.prisma.alertDigest.aggregate({ _max: { streamPosition: true } }),
        ]);
        const [a, b] = [alerts._max.streamPosition ?? 0n, digests._max.streamPosition ?? 0n];
        const position = a > b ? a : b;
        const earlier = positionsBeforePage.get(context);
        if (earlier === undefined || position < earlier) positionsBeforePage.set(context, position);
        return context.prisma.alert.findMany({
          ...query,
          where: await alertWhere(context, args.filter),
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        });
      },
    },
    {
      name: "AlertConnection",
      fields: (t) => ({
        streamCursor: t.string({
          description:
            "The live stream's position when this page was read: subscribe with churnRiskAlerts(since:) this cursor to receive every alert published after it, none missed.",
          resolve: (_connection, _args, context) =>
            encodeStreamCursor(positionsBeforePage.get(context) ?? 0n),
        }),
      }),
    },
    { name: "AlertEdge" },
  ),
  alertPolicy: t.field({
    type: AlertPolicyRef,
    authScopes: ALERT_READERS,
    description: "When churn risk raises alerts: thresholds, hysteresis and cool-down in force.",
    resolve: (_parent, _args, context) => context.scoring,
  }),
}));
