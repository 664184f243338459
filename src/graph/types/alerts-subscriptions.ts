// Subscriptions: churn-risk alerts as they are raised (with a replay from a cursor, so a reconnecting
// client misses nothing) and a customer's score as it changes. Served over graphql-ws (a WebSocket at
// /graphql) and over server-sent events (yoga, at /graphql), with the same API keys.
import { GraphQLError } from "graphql";
import { isDigestEvent } from "../../alerts/alert-event.ts";
import { type AlertStreamItem, MAX_LIVE_BACKLOG, openAlertStream } from "../../alerts/alert-stream.ts";
import type { LiveAlerts } from "../../alerts/live-alerts.ts";
import { decodeStreamCursor, encodeStreamCursor } from "../../alerts/stream-cursor.ts";
import { CUSTOMERS_SCOPE_ADVICE, canReadCustomers, canSeeCustomer } from "../../auth/visibility.ts";
import { findLiveCustomer } from "../../domain/customers/find-customer.ts";
import { ForbiddenError, NotFoundError } from "../../domain/errors.ts";
import type { Customer, Score } from "../../generated/prisma/client.ts";
import type { AlertLevel } from "../../policy/alert-policy-settings.ts";
import { mapAsyncIterator } from "../../streams/async-iterators.ts";
import { createAsyncQueue } from "../../streams/async-queue.ts";
import { builder } from "../builder.ts";
import type { GraphContext } from "../context.ts";
import { expectGlobalId } from "../global-ids.ts";
import { AlertDigestNode } from "./alert-digests.ts";
import { ALERT_READERS, AlertNode } from "./alerts.ts";
import { CustomerNode } from "./customer.ts";
import { CUSTOMER_READERS } from "./customer-scopes.ts";
import { ChurnRiskLevelEnum, CustomerScoreRef } from "./score.ts";

builder.subscriptionType({
  description:
    "Everything you can follow live: over graphql-ws (a WebSocket at /graphql, protocol graphql-transport-ws) or server-sent events (POST /graphql with Accept: text/event-stream), with the same API key as queries.",
});

const AlertScopeEnum = builder.enumType("AlertScope", {
  description: "Whose alerts a subscription follows.",
  values: {
    MINE: { description: "Alerts about the customers you own." },
    ALL: { description: "Every alert (admins and analysts only)." },
  },
});

const ChurnRiskAlertEvent = builder.objectRef<AlertStreamItem>("ChurnRiskAlertEvent").implement({
  description:
    "One event in the live stream, with the cursor to resume from after a disconnect: an alert, or a digest standing for many (exactly one of `alert` and `digest` is set).",
  fields: (t) => ({
    cursor: t.string({
      description:
        "The event's place in the stream: after a disconnect, subscribe again with since: the last cursor you received, and you get everything published since.",
      resolve: (item) => encodeStreamCursor(item.position),
    }),
    replayed: t.exposeBoolean("replayed", {
      description: "true for an event replayed from storage after `since`; false for one that arrived live.",
    }),
    alert: t.field({
      type: AlertNode,
      nullable: true,
      description: "The alert; null when this event is a digest.",
      resolve: (item) => (isDigestEvent(item) ? null : item.alert),
    }),
    digest: t.field({
      type: AlertDigestNode,
      nullable: true,
      description: `A digest of many alerts, when one rescore raised more of them for you than alertPolicy.digestAbove (a scheduled rescore, a refit): list them with digest.alerts. Those alerts do not arrive one by one. Null when this event is a single alert.`,
      resolve: (item) => (isDigestEvent(item) ? item.digest : null),
    }),
  }),
});

const CustomerScoreChange = builder
  .objectRef<{ customer: Customer; score: Score }>("CustomerScoreChange")
  .implement({
    description: "A customer's score after it changed.",
    fields: (t) => ({
      customer: t.field({ type: CustomerNode, description: "The customer.", resolve: (c) => c.customer }),
      score: t.field({ type: CustomerScoreRef, description: "The new score.", resolve: (c) => c.score }),
    }),
  });

export function liveOf(context: GraphContext): LiveAlerts {
  if (!context.live) {
    throw new GraphQLError("This server does not run live updates: connect to one started with npm start.", {
      extensions: { code: "SERVICE_UNAVAILABLE" },
    });
  }
  return context.live;
}

builder.subscriptionFields((t) => ({
  churnRiskAlerts: t.field({
    type: ChurnRiskAlertEvent,
    authScopes: ALERT_READERS,
    description: `Churn-risk alerts as they are raised (each once, after its transaction committed): about the customers you own, or all of them for admins and analysts. When one rescore raises more alerts for one account manager than alertPolicy.digestAbove, one event carries a digest of them instead (see ChurnRiskAlertEvent.digest). Alerts that resolve themselves are not events here: the alerts query shows them RESOLVED with their resolutionReason. Pass since: the last cursor you received to first replay every alert published after it. A subscriber that falls more than ${MAX_LIVE_BACKLOG} alerts behind (its connection not reading them as fast as they come) is ended with an error of code SLOW_CONSUMER: subscribe again with since: the last cursor you received, and nothing is lost.`,
    args: {
      minimumLevel: t.arg({
        type: ChurnRiskLevelEnum,
        required: true,
        defaultValue: "HIGH",
        description:
          "Only alerts of this level or higher: HIGH (every alert) or CRITICAL (and digests that list a CRITICAL alert).",
      }),
      scope: t.arg({
        type: AlertScopeEnum,
        required: true,
        defaultValue: "MINE",
        description: "MINE (the default) or ALL.",
      }),
      since: t.arg.string({
        description:
          "A cursor from an earlier event (or alerts.streamCursor): replay the alerts published after it before going live.",
      }),
    },
    subscribe: async (_parent, args, context) => {
      // authScopes guard each event's resolve; a subscription is refused here, before it starts.
      if (context.viewer.role === "INTEGRATOR") {
        throw new ForbiddenError(
          "Integrator keys do not receive alerts: use an admin, analyst or account manager key.",
        );
      }
      if (args.scope === "ALL" && context.viewer.role === "ACCOUNT_MANAGER") {
        throw new ForbiddenError(
          "Account managers follow the alerts of their own customers: subscribe with scope: MINE.",
        );
      }
      const minimumLevel: AlertLevel = args.minimumLevel === "CRITICAL" ? "CRITICAL" : "HIGH";
      return openAlertStream({
        prisma: context.prisma,
        bus: liveOf(context).bus,
        viewer: context.viewer,
        scope: args.scope,
        minimumLevel,
        since: args.since == null ? undefined : decodeStreamCursor(args.since),
      });
    },
    resolve: (item) => item,
  }),

  customerScoreChanged: t.field({
    type: CustomerScoreChange,
    // Guards each event; subscribe refuses before it starts (scope-auth does not run on subscribe).
    authScopes: CUSTOMER_READERS,
    description:
      "A customer's current score at once, then the new score each time it changes (after the change committed). Changes made while disconnected are not replayed: subscribing again starts from the score as it is then.",
    args: {
      customerId: t.arg.globalID({ required: true, description: "The customer's global ID." }),
    },
    subscribe: async (_parent, args, context) => {
      if (!canReadCustomers(context.viewer)) throw new ForbiddenError(CUSTOMERS_SCOPE_ADVICE);
      const id = expectGlobalId(args.customerId, "Customer", ["customerId"]);
      const customer = await findLiveCustomer(context.prisma, id);
      if (!customer) throw new NotFoundError(`No customer has the id ${id}.`, "Customer", id);
      if (!canSeeCustomer(context.viewer, customer)) {
        throw new ForbiddenError(
          "You may follow only the customers you own: ask an admin to reassign this one.",
        );
      }
      // Listening before the first read: a change committed in between is not lost, only read twice.
      // Changes coalesce: each read takes the score as it is then, so a change already waiting
      // covers any that follow it, and the queue never holds more than one.
      let stop = () => {};
      const changes = createAsyncQueue<string>({
        limit: 1,
        onClose: () => stop(),
        whenSlow: "Score changes coalesce, so a follower cannot fall behind.",
      });
      stop = liveOf(context).scoreChanges.listen(customer.id, () => {
        if (changes.size === 0) changes.push(customer.id);
      });
      changes.push(customer.id); // The current score first.
      return mapAsyncIterator(changes.iterator, async () => {
        const current = await context.prisma.customer.findUnique({
          where: { id: customer.id },
          include: { score: true },
        });
        // Ownership may have changed since subscribing: then this viewer hears no more.
        if (!current?.score || !canSeeCustomer(context.viewer, current)) return null;
        const { score, ...row } = current;
        return { customer: row, score };
      });
    },
    resolve: (change) => change,
  }),
}));
