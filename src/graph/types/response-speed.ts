// Response speed: how fast inbound messages get answered and conversations resolved, against the
// policy's targets (SLAs) — overall, per channel and owner, and over time. An account manager's
// figures cover only the customers they own. The rules are in src/domain/analytics.
import { visibleOwnerId } from "../../auth/visibility.ts";
import {
  type ResponseSpeedFigures,
  type ResponseSpeedGroup,
  type ResponseSpeedTrendPoint,
  responseSpeed,
  type TimingStats,
} from "../../domain/analytics/response-speed.ts";
import { builder } from "../builder.ts";
import type { GraphContext } from "../context.ts";
import { expectGlobalId } from "../global-ids.ts";
import { DateTimeRange } from "./date-time-range.ts";
import { TrendBucket } from "./feedback-metrics.ts";
import { ChannelEnum } from "./interaction.ts";
import { PrincipalNode } from "./principal.ts";
import { segmentMembersFor } from "./segment-scope.ts";

const TimingStatsRef = builder.objectRef<TimingStats>("ResponseTimeStats").implement({
  description:
    "One kind of timing (first response, next response or resolution) over a slice of conversations: its percentiles, its mean and how it fared against the channel's target, each beside the count it stands on. Seconds count business hours only when the report asked for them.",
  fields: (t) => ({
    count: t.exposeInt("count", {
      description:
        "How many timings the figures stand on: openings for first response and resolution, replies for next response.",
    }),
    conversations: t.exposeInt("conversations", {
      description: "How many distinct conversations those timings come from.",
    }),
    p50Seconds: t.exposeFloat("p50Seconds", {
      nullable: true,
      description: "The median, in seconds (interpolated, percentile_cont); null when nothing was timed.",
    }),
    p90Seconds: t.exposeFloat("p90Seconds", {
      nullable: true,
      description: "The 90th percentile, in seconds (interpolated); null when nothing was timed.",
    }),
    meanSeconds: t.exposeFloat("meanSeconds", {
      nullable: true,
      description: "The mean, in seconds; null when nothing was timed.",
    }),
    metTarget: t.exposeInt("metTarget", { description: "Timings within their channel's target." }),
    missedTarget: t.exposeInt("missedTarget", {
      description:
        "Timings over their channel's target, including waits not yet over that have already passed it.",
    }),
    targetMetShare: t.exposeFloat("targetMetShare", {
      nullable: true,
      description:
        "metTarget / (metTarget + missedTarget), from 0 to 1; null when no timing has a target or a verdict yet.",
    }),
  }),
});

const FiguresRef = builder.objectRef<ResponseSpeedFigures>("ResponseSpeedFigures").implement({
  description:
    "Response speed over a slice of conversation openings (a reopened conversation counts once per opening, timed from its reopening).",
  fields: (t) => ({
    openings: t.exposeInt("openings", {
      description: "Conversations opened or reopened by a customer's message in the slice.",
    }),
    conversations: t.exposeInt("conversations", { description: "Distinct conversations among them." }),
    reopenings: t.exposeInt("reopenings", {
      description: "Openings that reopened a resolved conversation.",
    }),
    resolved: t.exposeInt("resolved", { description: "Openings resolved by the request's time." }),
    waiting: t.exposeInt("waiting", {
      description: "Openings whose customer is still waiting for our reply at the request's time.",
    }),
    firstResponse: t.field({
      type: TimingStatsRef,
      description: "From the opening message to our first reply.",
      resolve: (figures) => figures.firstResponse,
    }),
    nextResponse: t.field({
      type: TimingStatsRef,
      description: "From the first customer message after one of our replies to our next reply, per reply.",
      resolve: (figures) => figures.nextResponse,
    }),
    resolution: t.field({
      type: TimingStatsRef,
      description: "From the opening message to the opening's resolution.",
      resolve: (figures) => figures.resolution,
    }),
  }),
});

const PeriodRef = builder.objectRef<ResponseSpeedTrendPoint>("ResponseSpeedPeriod").implement({
  description: "The figures of the openings in one period of a trend.",
  fields: (t) => ({
    periodStart: t.expose("periodStart", {
      type: "DateTime",
      description: "The period's first instant (local midnight in the report's time zone).",
    }),
    figures: t.field({
      type: FiguresRef,
      description: "The figures of the openings in the period (zero counts when there were none).",
      resolve: (point) => point.figures,
    }),
  }),
});

const GroupRef = builder.objectRef<ResponseSpeedGroup>("ResponseSpeedGroup").implement({
  description: "The figures of one channel, one owner, or one channel of one owner (as groupBy asked).",
  fields: (t) => ({
    channel: t.expose("channel", {
      type: ChannelEnum,
      nullable: true,
      description: "The group's channel; null when the report is not grouped by channel.",
    }),
    owner: t.field({
      type: PrincipalNode,
      nullable: true,
      description:
        "The account manager who owns the group's customers; null when not grouped by owner, or for customers without an owner.",
      resolve: (group, _args, context) =>
        group.ownerId ? context.prisma.principal.findUnique({ where: { id: group.ownerId } }) : null,
    }),
    figures: t.field({
      type: FiguresRef,
      description: "The group's figures.",
      resolve: (group) => group.figures,
    }),
    trend: t.field({
      type: [PeriodRef],
      description: "The group's figures per period, every period present; empty without an interval.",
      resolve: (group) => group.trend,
    }),
  }),
});

const ReportRef = builder
  .objectRef<Awaited<ReturnType<typeof responseSpeed>> & { asOf: Date; businessHoursOnly: boolean }>(
    "ResponseSpeedReport",
  )
  .implement({
    description: "Response speed: overall, per group and over time.",
    fields: (t) => ({
      overall: t.field({
        type: FiguresRef,
        description: "The figures of every opening in the filter.",
        resolve: (report) => report.overall,
      }),
      trend: t.field({
        type: [PeriodRef],
        description: "The overall figures per period, every period present; empty without an interval.",
        resolve: (report) => report.trend,
      }),
      groups: t.field({
        type: [GroupRef],
        description: "The figures per group, busiest first; empty without groupBy.",
        resolve: (report) => report.groups,
      }),
      asOf: t.expose("asOf", {
        type: "DateTime",
        description: "The time the report was made at: waits are measured up to it.",
      }),
      businessHoursOnly: t.exposeBoolean("businessHoursOnly", {
        description: "Whether the seconds count only the policy's business hours.",
      }),
    }),
  });

export const ResponseSpeedFilter = builder.inputType("ResponseSpeedFilter", {
  description: "Which conversation openings to measure; every given condition must hold.",
  fields: (t) => ({
    period: t.field({
      type: DateTimeRange,
      description: "Openings (a customer's message opening or reopening a conversation) in this span.",
    }),
    channel: t.field({ type: ChannelEnum, description: "Conversations on this channel." }),
    ownerId: t.globalID({
      description:
        "Conversations of customers owned by this account manager (a Principal ID). An account manager always sees only their own.",
    }),
    segmentId: t.globalID({
      description:
        "Conversations of the customers in this segment (a Segment ID) now, among those you may see.",
    }),
  }),
});

const Dimension = builder.enumType("ResponseSpeedDimension", {
  description: "A dimension to split response speed by.",
  values: {
    CHANNEL: { description: "The conversation's channel (of its first message)." },
    OWNER: { description: "The account manager who owns the customer." },
  },
});

/** The filter with the viewer's visibility applied: an account manager measures only their book. */
export async function scopedResponseFilter(
  context: GraphContext,
  filter: typeof ResponseSpeedFilter.$inferInput | null | undefined,
) {
  return {
    from: filter?.period?.from ?? undefined,
    to: filter?.period?.to ?? undefined,
    channel: filter?.channel ?? undefined,
    ownerId:
      visibleOwnerId(context.viewer) ??
      (filter?.ownerId ? expectGlobalId(filter.ownerId, "Principal", ["filter", "ownerId"]) : undefined),
    customersIn: filter?.segmentId
      ? await segmentMembersFor(context, filter.segmentId, ["filter", "segmentId"])
      : undefined,
  };
}

export const BUSINESS_HOURS_ARGUMENT_DESCRIPTION =
  "Count only the business hours of the policy (responseSpeed.businessHours, in its time zone); targets are then business time too. Every hour by default.";

builder.queryFields((t) => ({
  responseSpeed: t.field({
    type: ReportRef,
    authScopes: { $any: { admin: true, analyst: true, accountManager: true } },
    description:
      "How fast customers' messages are answered and their conversations resolved, on every channel with conversations: first response, next response and resolution as p50, p90 and mean, with the share that met the policy's targets and the count behind every figure. A reopened conversation is timed from its reopening. An account manager's figures cover only the customers they own.",
    args: {
      filter: t.arg({ type: ResponseSpeedFilter, description: "Which openings to measure; all by default." }),
      groupBy: t.arg({
        type: [Dimension],
        description: "Split the figures by these dimensions too (the overall figures are always given).",
      }),
      interval: t.arg({
        type: TrendBucket,
        description:
          "Give a trend with periods of this width; needs filter.period with both ends. At most 1,000 periods.",
      }),
      timeZone: t.arg.string({
        description:
          "The IANA time zone whose midnights start the trend's periods (Europe/Paris); UTC by default.",
      }),
      businessHoursOnly: t.arg.boolean({ description: BUSINESS_HOURS_ARGUMENT_DESCRIPTION }),
    },
    resolve: async (_parent, args, context) => {
      const asOf = context.clock();
      const businessHoursOnly = args.businessHoursOnly ?? false;
      const report = await responseSpeed(
        context.prisma,
        {
          ...(await scopedResponseFilter(context, args.filter)),
          groupBy: args.groupBy ?? [],
          interval: args.interval ?? undefined,
          timeZone: args.timeZone ?? undefined,
          businessHoursOnly,
        },
        { asOf, settings: context.scoring.responseSpeed },
      );
      return { ...report, asOf, businessHoursOnly };
    },
  }),
}));
