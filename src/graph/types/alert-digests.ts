// Alert digests on the graph: one live event standing for the many alerts one transaction (a
// scheduled rescore, a refit) raised for one account manager. The alerts themselves are ordinary
// alerts, listed here and in `alerts`; only the digest went out live.
import { encodeStreamCursor } from "../../alerts/stream-cursor.ts";
import { canSeeCustomer, visibleRecords } from "../../auth/visibility.ts";
import { builder, pagedConnection } from "../builder.ts";
import { ALERT_READERS } from "./alerts.ts";
import { ChurnRiskLevelEnum } from "./score.ts";

export const AlertDigestNode = builder.prismaNode("AlertDigest", {
  description:
    "Many churn-risk alerts delivered as one: when one rescore (a scheduled one, a refit) raises more alerts for one account manager than alertPolicy.digestAbove, subscribers hear this digest instead of each alert. The alerts are stored and worked as usual; list them with `alerts`.",
  id: { field: "id", description: "The digest's global ID." },
  // An account manager sees their own digests; admins and analysts every one.
  authScopes: (digest, context) => canSeeCustomer(context.viewer, digest) && ALERT_READERS,
  fields: (t) => ({
    owner: t.relation("owner", {
      nullable: true,
      description:
        "The account manager whose customers' alerts it lists; null for customers nobody owns (heard by admins and analysts).",
    }),
    raisedAt: t.expose("createdAt", {
      type: "DateTime",
      description: "When its alerts were raised, in the transaction that changed the scores.",
    }),
    alertCount: t.exposeInt("alertCount", { description: "How many alerts it lists." }),
    highCount: t.exposeInt("highCount", { description: "How many of them are HIGH." }),
    criticalCount: t.exposeInt("criticalCount", {
      description: "How many of them are CRITICAL: call these first.",
    }),
    alerts: t.relatedConnection("alerts", {
      description:
        "The alerts it lists, highest churn risk first: each with its customer, level, churn risk and reasons (the first reason is the largest).",
      cursor: "id",
      totalCount: true,
      ...pagedConnection,
      args: {
        levels: t.arg({ type: [ChurnRiskLevelEnum], description: "Only alerts of these levels." }),
      },
      // Rechecked per alert: a customer may have been given to another manager since.
      query: (args, context) => ({
        where: {
          ...visibleRecords(context.viewer),
          level: args.levels?.length ? { in: args.levels } : undefined,
        },
        orderBy: [{ score: "desc" }, { id: "asc" }],
      }),
    }),
    streamCursor: t.string({
      nullable: true,
      description:
        "The digest's place in the live stream: subscribe with churnRiskAlerts(since:) this cursor to receive everything published after it. Null until published (moments after it is raised).",
      resolve: (digest) =>
        digest.streamPosition === null ? null : encodeStreamCursor(digest.streamPosition),
    }),
  }),
});
