// Feedback dashboards: NPS, CSAT, CES and good/bad ratings over a slice of answers, and their trend
// over time.
// An account manager's figures cover only the customers they own.
import { visibleOwnerId } from "../../auth/visibility.ts";
import type {
  CesMetrics,
  CsatMetrics,
  GoodBadMetrics,
  NpsMetrics,
} from "../../domain/feedback/feedback-metrics.ts";
import { type FeedbackFilterInput, feedbackMetrics } from "../../domain/feedback/feedback-metrics.ts";
import { feedbackTrend } from "../../domain/feedback/feedback-trend.ts";
import { builder } from "../builder.ts";
import type { GraphContext } from "../context.ts";
import { expectGlobalId } from "../global-ids.ts";
import { FeedbackKindEnum } from "./feedback.ts";
import { ChannelEnum } from "./interaction.ts";
import { segmentMembersFor } from "./segment-scope.ts";

export const Nps = builder.objectRef<NpsMetrics>("NpsMetrics").implement({
  description: "Net Promoter Score over the answers in the slice: %promoters (9–10) − %detractors (0–6).",
  fields: (t) => ({
    score: t.exposeFloat("score", {
      nullable: true,
      description: "The NPS, −100 to 100; null when nobody answered.",
    }),
    responses: t.exposeInt("responses", { description: "How many NPS answers the slice holds." }),
    promoters: t.exposeInt("promoters", { description: "Answers of 9 or 10." }),
    passives: t.exposeInt("passives", { description: "Answers of 7 or 8." }),
    detractors: t.exposeInt("detractors", { description: "Answers of 0 to 6." }),
    promoterPercent: t.exposeFloat("promoterPercent", {
      nullable: true,
      description: "Promoters as a percentage of answers.",
    }),
    passivePercent: t.exposeFloat("passivePercent", {
      nullable: true,
      description: "Passives as a percentage of answers.",
    }),
    detractorPercent: t.exposeFloat("detractorPercent", {
      nullable: true,
      description: "Detractors as a percentage of answers.",
    }),
  }),
});

const Csat = builder.objectRef<CsatMetrics>("CsatMetrics").implement({
  description: "Customer Satisfaction over the answers in the slice: the percentage of 4s and 5s.",
  fields: (t) => ({
    score: t.exposeFloat("score", {
      nullable: true,
      description: "The CSAT percentage, 0 to 100; null when nobody answered.",
    }),
    responses: t.exposeInt("responses", { description: "How many CSAT answers the slice holds." }),
    satisfied: t.exposeInt("satisfied", { description: "Answers of 4 or 5." }),
  }),
});

const CesCount = builder.objectRef<{ score: number; count: number }>("CesScoreCount").implement({
  description: "How many answers gave one CES score.",
  fields: (t) => ({
    score: t.exposeInt("score", { description: "The score, 1 (effortless) to 7 (very hard)." }),
    count: t.exposeInt("count", { description: "How many answers gave it." }),
  }),
});

const Ces = builder.objectRef<CesMetrics>("CesMetrics").implement({
  description: "Customer Effort Score over the answers in the slice: average and distribution.",
  fields: (t) => ({
    average: t.exposeFloat("average", {
      nullable: true,
      description: "The mean score; null when nobody answered.",
    }),
    responses: t.exposeInt("responses", { description: "How many CES answers the slice holds." }),
    distribution: t.field({
      type: [CesCount],
      description: "Every score from 1 to 7, in order, with its count (0 included).",
      resolve: (ces) => ces.distribution,
    }),
  }),
});

const GoodBad = builder.objectRef<GoodBadMetrics>("GoodBadMetrics").implement({
  description:
    "Two-point satisfaction ratings (GOOD_BAD, such as Zendesk's) over the answers in the slice: the share of good ones.",
  fields: (t) => ({
    score: t.exposeFloat("score", {
      nullable: true,
      description: "Good ratings as a percentage of good and bad ones, 0 to 100; null when nobody rated.",
    }),
    responses: t.exposeInt("responses", { description: "How many good/bad ratings the slice holds." }),
    good: t.exposeInt("good", { description: "Ratings of good (1)." }),
    bad: t.exposeInt("bad", { description: "Ratings of bad (0)." }),
  }),
});

const FeedbackMetrics = builder
  .objectRef<Awaited<ReturnType<typeof feedbackMetrics>>>("FeedbackMetrics")
  .implement({
    description: "The standard survey measures over one slice of answers.",
    fields: (t) => ({
      nps: t.field({ type: Nps, description: "Net Promoter Score.", resolve: (metrics) => metrics.nps }),
      csat: t.field({
        type: Csat,
        description: "Customer Satisfaction.",
        resolve: (metrics) => metrics.csat,
      }),
      ces: t.field({ type: Ces, description: "Customer Effort Score.", resolve: (metrics) => metrics.ces }),
      goodBad: t.field({
        type: GoodBad,
        description: "Good/bad satisfaction ratings (GOOD_BAD).",
        resolve: (metrics) => metrics.goodBad,
      }),
    }),
  });

const TrendPoint = builder
  .objectRef<{ bucketStart: Date; responses: number; score: number | null }>("FeedbackTrendPoint")
  .implement({
    description: "One bucket of a feedback trend.",
    fields: (t) => ({
      bucketStart: t.expose("bucketStart", {
        type: "DateTime",
        description: "The bucket's first instant (local midnight in the trend's time zone).",
      }),
      responses: t.exposeInt("responses", { description: "How many answers fell in the bucket." }),
      score: t.exposeFloat("score", {
        nullable: true,
        description:
          "The measure over the bucket (NPS, CSAT %, CES average or good %); null when nobody answered.",
      }),
    }),
  });

export const TrendBucket = builder.enumType("TrendBucket", {
  description: "The width of a trend's buckets.",
  values: {
    DAY: { description: "One bucket per calendar day." },
    WEEK: { description: "One bucket per ISO week (Monday first)." },
    MONTH: { description: "One bucket per calendar month." },
  },
});

const FeedbackFilter = builder.inputType("FeedbackFilter", {
  description: "Which answers to count; every given condition must hold.",
  fields: (t) => ({
    from: t.field({ type: "DateTime", description: "Answers given at or after this moment." }),
    to: t.field({ type: "DateTime", description: "Answers given before this moment (exclusive)." }),
    channel: t.field({ type: ChannelEnum, description: "Answers given on this channel." }),
    ownerId: t.globalID({
      description: "Answers of customers owned by this account manager (a Principal ID).",
    }),
    segmentId: t.globalID({
      description: "Answers of the customers in this segment (a Segment ID) now, among those you may see.",
    }),
  }),
});

/** The slice an account manager may measure is always their own book. */
async function scopedFilter(
  context: GraphContext,
  filter: typeof FeedbackFilter.$inferInput | null | undefined,
): Promise<FeedbackFilterInput> {
  return {
    from: filter?.from ?? undefined,
    to: filter?.to ?? undefined,
    channel: filter?.channel ?? undefined,
    ownerId:
      visibleOwnerId(context.viewer) ??
      (filter?.ownerId ? expectGlobalId(filter.ownerId, "Principal", ["filter", "ownerId"]) : undefined),
    ...(filter?.segmentId && {
      customersIn: await segmentMembersFor(context, filter.segmentId, ["filter", "segmentId"]),
    }),
  };
}

builder.queryFields((t) => ({
  feedbackMetrics: t.field({
    type: FeedbackMetrics,
    authScopes: { $any: { admin: true, analyst: true, accountManager: true } },
    description:
      "NPS, CSAT, CES and the share of good good/bad ratings over the answers that match the filter, with the counts behind every percentage. An account manager's figures cover only the customers they own.",
    args: {
      filter: t.arg({ type: FeedbackFilter, description: "Which answers to count; all of them by default." }),
    },
    resolve: async (_parent, args, context) =>
      feedbackMetrics(context.prisma, await scopedFilter(context, args.filter)),
  }),
  feedbackTrend: t.field({
    type: [TrendPoint],
    authScopes: { $any: { admin: true, analyst: true, accountManager: true } },
    description:
      "One measure over time, in buckets from `filter.from` to `filter.to` (both required here), empty buckets included. At most 1,000 buckets.",
    args: {
      kind: t.arg({ type: FeedbackKindEnum, required: true, description: "Which measure." }),
      bucket: t.arg({ type: TrendBucket, required: true, description: "The width of each bucket." }),
      filter: t.arg({
        type: FeedbackFilter,
        required: true,
        description: "The window (from and to) and slice.",
      }),
      timeZone: t.arg.string({
        description: "The IANA time zone whose midnights start the buckets (Europe/Paris); UTC by default.",
      }),
    },
    resolve: async (_parent, args, context) =>
      feedbackTrend(context.prisma, {
        ...(await scopedFilter(context, args.filter)),
        kind: args.kind,
        bucket: args.bucket,
        timeZone: args.timeZone ?? undefined,
      } as Parameters<typeof feedbackTrend>[1]),
  }),
}));
