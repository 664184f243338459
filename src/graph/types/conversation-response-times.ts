// Response speed per conversation: every opening with its own timings, and the conversations waiting
// for our reply (past their channel's target, by default) — the list an account manager works through.
// Derived rows, not nodes: they are recomputed from the interactions on every request.
import { resolveOffsetConnection } from "@pothos/plugin-relay";
import {
  type ConversationTiming,
  type ConversationTimingsInput,
  conversationTimings,
} from "../../domain/analytics/conversation-timings.ts";
import { builder, checkedPageSize, connectionComplexity, DEFAULT_PAGE_SIZE } from "../builder.ts";
import type { GraphContext } from "../context.ts";
import { CustomerNode } from "./customer.ts";
import { ChannelEnum } from "./interaction.ts";
import {
  BUSINESS_HOURS_ARGUMENT_DESCRIPTION,
  ResponseSpeedFilter,
  scopedResponseFilter,
} from "./response-speed.ts";

const ConversationResponseTime = builder.objectRef<ConversationTiming>("ConversationResponseTime").implement({
  description:
    "One opening of a conversation (its first, or a reopening) with its timings. Seconds count business hours only when the query asked for them.",
  fields: (t) => ({
    conversationId: t.exposeString("conversationId", {
      description: "The conversation's id at its source (Interaction.conversationId).",
    }),
    customer: t.field({
      type: CustomerNode,
      description: "The customer the conversation is with.",
      // Prisma batches the findUnique calls of one tick into one query.
      resolve: (row, _args, context) =>
        context.prisma.customer.findUniqueOrThrow({ where: { id: row.customerId } }),
    }),
    channel: t.expose("channel", {
      type: ChannelEnum,
      description: "The channel of the conversation's first message.",
    }),
    opening: t.exposeInt("opening", {
      description: "1 for the conversation's first opening, 2 for its first reopening, and so on.",
    }),
    reopened: t.exposeBoolean("reopened", {
      description: "Whether this opening reopened a resolved conversation.",
    }),
    openedAt: t.expose("openedAt", {
      type: "DateTime",
      description: "The customer's message that opened it.",
    }),
    firstResponseAt: t.expose("firstResponseAt", {
      type: "DateTime",
      nullable: true,
      description: "Our first reply; null while none came.",
    }),
    firstResponseSeconds: t.exposeFloat("firstResponseSeconds", {
      nullable: true,
      description: "Seconds from the opening to our first reply; null while none came.",
    }),
    nextResponses: t.exposeInt("nextResponses", {
      description: "How many of our later replies answered a new message.",
    }),
    nextResponseMeanSeconds: t.exposeFloat("nextResponseMeanSeconds", {
      nullable: true,
      description: "The mean wait for those later replies, in seconds; null when there were none.",
    }),
    resolvedAt: t.expose("resolvedAt", {
      type: "DateTime",
      nullable: true,
      description: "When the opening was resolved; null while it is open.",
    }),
    resolutionSeconds: t.exposeFloat("resolutionSeconds", {
      nullable: true,
      description: "Seconds from the opening to its resolution; null while it is open.",
    }),
    waitingSince: t.expose("waitingSince", {
      type: "DateTime",
      nullable: true,
      description: "The first customer message still waiting for our reply; null when none is.",
    }),
    waitingSeconds: t.exposeFloat("waitingSeconds", {
      nullable: true,
      description:
        "How long that message has waited, in seconds, at the request's time; null when none is waiting.",
    }),
    waitingTargetSeconds: t.exposeFloat("waitingTargetSeconds", {
      nullable: true,
      description:
        "The target the wait is held to (the channel's first- or next-response target), in seconds; null when nothing waits or the channel has no target.",
    }),
    overdueSeconds: t.float({
      nullable: true,
      description: "How far the wait is past its target, in seconds; null when it is not past it.",
      resolve: (row) =>
        row.waitingSeconds !== null &&
        row.waitingTargetSeconds !== null &&
        row.waitingSeconds > row.waitingTargetSeconds
          ? row.waitingSeconds - row.waitingTargetSeconds
          : null,
    }),
  }),
});

type ConnectionArgs = {
  first?: number | null;
  last?: number | null;
  before?: string | null;
  after?: string | null;
};

/** One page of the openings, with the viewer's visibility and the request's clock and policy. */
function page(
  args: ConnectionArgs,
  context: GraphContext,
  input: Omit<ConversationTimingsInput, "limit" | "offset">,
) {
  return resolveOffsetConnection(
    { args, defaultSize: DEFAULT_PAGE_SIZE, maxSize: checkedPageSize(args) },
    ({ limit, offset }) =>
      conversationTimings(
        context.prisma,
        { ...input, limit, offset },
        { asOf: context.clock(), settings: context.scoring.responseSpeed },
      ),
  );
}

const readers = { $any: { admin: true, analyst: true, accountManager: true } } as const;

builder.queryFields((t) => ({
  conversationResponseTimes: t.connection(
    {
      type: ConversationResponseTime,
      authScopes: readers,
      complexity: connectionComplexity,
      description:
        "Every conversation opening in the filter with its own timings, newest first. An account manager sees only their customers' conversations.",
      args: {
        filter: t.arg({ type: ResponseSpeedFilter, description: "Which openings; all by default." }),
        businessHoursOnly: t.arg.boolean({ description: BUSINESS_HOURS_ARGUMENT_DESCRIPTION }),
      },
      resolve: async (_parent, args, context) =>
        page(args, context, {
          ...(await scopedResponseFilter(context, args.filter)),
          businessHoursOnly: args.businessHoursOnly ?? false,
        }),
    },
    { name: "ConversationResponseTimeConnection" },
    { name: "ConversationResponseTimeEdge" },
  ),
  conversationsWaiting: t.connection(
    {
      type: ConversationResponseTime,
      authScopes: readers,
      complexity: connectionComplexity,
      description:
        "Open conversations whose customer is waiting for our reply, longest wait first: by default only those waiting longer than their channel's target (the policy's SLA). An account manager sees only their customers' conversations.",
      args: {
        filter: t.arg({
          type: ResponseSpeedFilter,
          description: "Which openings; all by default (filter.period narrows to openings in it).",
        }),
        overdueOnly: t.arg.boolean({
          description: "Only waits past their target (true by default); false lists every wait.",
        }),
        businessHoursOnly: t.arg.boolean({ description: BUSINESS_HOURS_ARGUMENT_DESCRIPTION }),
      },
      resolve: async (_parent, args, context) =>
        page(args, context, {
          ...(await scopedResponseFilter(context, args.filter)),
          status: args.overdueOnly === false ? "WAITING" : "OVERDUE",
          businessHoursOnly: args.businessHoursOnly ?? false,
        }),
    },
    { name: "ConversationsWaitingConnection" },
    { name: "ConversationsWaitingEdge" },
  ),
}));
