// Key touchpoints: the driver analysis of which touchpoints move an outcome (NPS, CSAT, churn), each
// driver with an adjusted risk ratio, its 95% interval, the customers it covers and a sentence, ranked.
// An account manager's figures cover only the customers they own. The method is in src/domain/analytics.

import { visibleOwnerId } from "../../auth/visibility.ts";
import type { Interval } from "../../domain/analytics/driver-effects.ts";
import {
  type KeyDriver,
  type KeyTouchpoints,
  keyTouchpoints,
  MAX_FEATURES,
  MAX_KIND_FEATURES,
  MIN_OUTCOME_CUSTOMERS,
} from "../../domain/analytics/key-touchpoints.ts";
import { DRIVER_OUTCOMES, TOUCHPOINT_FAMILIES } from "../../domain/analytics/touchpoint-features.ts";
import { builder } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { DateTimeRange } from "./date-time-range.ts";
import { ChannelEnum } from "./interaction.ts";
import { segmentMembersFor } from "./segment-scope.ts";

const OUTCOME_DESCRIPTIONS: Record<(typeof DRIVER_OUTCOMES)[number], string> = {
  NPS_DETRACTOR:
    "The customer's latest NPS answer in the period is 0–6 (a detractor). Customers: those who answered NPS in the period; touchpoints before that answer count.",
  NPS_PROMOTER:
    "The customer's latest NPS answer in the period is 9–10 (a promoter). Customers: those who answered NPS in the period; touchpoints before that answer count.",
  CSAT_SATISFIED:
    "The customer's latest CSAT answer in the period is 4–5 (satisfied). Customers: those who answered CSAT in the period; touchpoints before that answer count.",
  HIGH_CHURN_RISK:
    "The customer's current churn risk is HIGH or CRITICAL. Customers: those with a score and a touchpoint in the period. Judged now, so period.to must be left out (or not be in the past): a past period.to is refused with BAD_USER_INPUT; use LAPSED for a past period.",
  LAPSED:
    "The customer lapsed: no purchase, inbound message or survey answer within the scoring policy's churn horizon after the period (the rule the churn model learns from). Needs period.to at least one horizon before now. Customers: those with a touchpoint in the period.",
};

const Outcome = builder.enumType("KeyTouchpointOutcome", {
  description: "The outcome whose drivers are analysed: what the risk ratios are the risk of.",
  values: Object.fromEntries(
    DRIVER_OUTCOMES.map((value) => [value, { description: OUTCOME_DESCRIPTIONS[value] }]),
  ) as Record<(typeof DRIVER_OUTCOMES)[number], { description: string }>,
});

const FAMILY_DESCRIPTIONS: Record<(typeof TOUCHPOINT_FAMILIES)[number], string> = {
  CHANNEL: "Had an interaction (either direction) on a channel, in the period before the outcome.",
  INTERACTION_KIND: `Had an interaction of a kind (order.placed, email.opened, …), in the period before the outcome; the ${MAX_KIND_FEATURES} commonest kinds.`,
  JOURNEY_STAGE: "Reached a journey stage before the outcome (a stage reached before the period counts too).",
  RESPONSE_DELAY:
    "Waited longer than slowReplyHours for a first reply to a conversation opened in the period (or was still waiting that long at the outcome).",
  SENTIMENT:
    "The mean sentiment of the customer's own messages in the period before the outcome was below −0.25 (negative) or above 0.25 (positive).",
};

export const TouchpointFamilyEnum = builder.enumType("TouchpointFamily", {
  description: "A kind of touchpoint the driver analysis considers.",
  values: Object.fromEntries(
    TOUCHPOINT_FAMILIES.map((value) => [value, { description: FAMILY_DESCRIPTIONS[value] }]),
  ) as Record<(typeof TOUCHPOINT_FAMILIES)[number], { description: string }>,
});

const Direction = builder.enumType("DriverDirection", {
  description: "What a touchpoint does to the outcome, judged by its 95% interval.",
  values: {
    RAISES: {
      description: "The whole interval is above 1: customers with it are more likely to have the outcome.",
    },
    LOWERS: {
      description: "The whole interval is below 1: customers with it are less likely to have the outcome.",
    },
    UNCLEAR: { description: "The interval includes 1 (no effect): the data cannot tell." },
  },
});

const IntervalRef = builder.objectRef<Interval>("RatioInterval").implement({
  description: "A ratio with its 95% confidence interval (1 means no effect).",
  fields: (t) => ({
    estimate: t.exposeFloat("estimate", { description: "The point estimate." }),
    lower: t.exposeFloat("lower", { description: "The lower end of the 95% confidence interval." }),
    upper: t.exposeFloat("upper", { description: "The upper end of the 95% confidence interval." }),
  }),
});

const rate = (positives: number, customers: number) => (customers === 0 ? null : positives / customers);

const DriverRef = builder.objectRef<KeyDriver>("KeyTouchpointDriver").implement({
  description:
    "One touchpoint and what it does to the outcome, net of every other touchpoint in the analysis (one logistic regression over them all).",
  fields: (t) => ({
    rank: t.exposeInt("rank", {
      description:
        "1 for the strongest driver: clear effects first, by the size of the risk ratio (a halving ranks with a doubling), then the unclear ones.",
    }),
    key: t.exposeString("key", {
      description:
        "The touchpoint's stable key: CHANNEL:SUPPORT, KIND:order.placed, STAGE:<stage id>, SLOW_FIRST_REPLY, SENTIMENT:NEGATIVE or SENTIMENT:POSITIVE.",
    }),
    family: t.expose("family", { type: TouchpointFamilyEnum, description: "The kind of touchpoint." }),
    channel: t.expose("channel", {
      type: ChannelEnum,
      nullable: true,
      description: "The channel, for a CHANNEL touchpoint; null otherwise.",
    }),
    kind: t.exposeString("kind", {
      nullable: true,
      description: "The interaction kind, for an INTERACTION_KIND touchpoint; null otherwise.",
    }),
    journeyStageId: t.field({
      type: "ID",
      nullable: true,
      description:
        "The journey stage's id (JourneyStage.id), for a JOURNEY_STAGE touchpoint; null otherwise.",
      resolve: (driver) => driver.stageId,
    }),
    touchpoint: t.exposeString("touchpoint", {
      description:
        'What customers with it did, to follow "Customers who": "waited over 4 h for a first reply".',
    }),
    direction: t.expose("direction", {
      type: Direction,
      description: "Whether it raises or lowers the outcome, or cannot tell.",
    }),
    riskRatio: t.field({
      type: IntervalRef,
      description:
        "How many times as likely the outcome is with the touchpoint than without, the other touchpoints as they were (the model's mean predicted risk with it set for everyone over the same with it unset), with its 95% interval (delta method).",
      resolve: (driver) => driver.riskRatio,
    }),
    oddsRatio: t.field({
      type: IntervalRef,
      description: "The model's odds ratio e^β for the touchpoint, with its 95% Wald interval.",
      resolve: (driver) => driver.oddsRatio,
    }),
    customers: t.exposeInt("customers", { description: "Customers analysed who had the touchpoint." }),
    outcomeCustomers: t.exposeInt("positives", { description: "Of them, customers with the outcome." }),
    outcomeRate: t.float({
      nullable: true,
      description: "outcomeCustomers ÷ customers (unadjusted), from 0 to 1; null when nobody had it.",
      resolve: (driver) => rate(driver.positives, driver.customers),
    }),
    customersWithout: t.exposeInt("customersWithout", {
      description: "Customers analysed who did not have it.",
    }),
    outcomeRateWithout: t.float({
      nullable: true,
      description:
        "The share of customersWithout with the outcome (unadjusted), from 0 to 1; null when everyone had it.",
      resolve: (driver) => rate(driver.positivesWithout, driver.customersWithout),
    }),
    sentence: t.exposeString("sentence", {
      description:
        'The finding in one sentence for a CX lead: "Customers who waited over 4 h for a first reply are 2.1× as likely to be detractors (NPS 0–6) (95% CI 1.6–2.8), 412 customers."',
    }),
  }),
});

const AnalysisRef = builder.objectRef<KeyTouchpoints & { asOf: Date }>("KeyTouchpointAnalysis").implement({
  description:
    "Which touchpoints move an outcome: an L2-regularised logistic regression of the outcome on every touchpoint at once (per customer, binary), each driver's adjusted risk ratio with a 95% interval, ranked. The README's \"Key touchpoints\" section explains the method and why.",
  fields: (t) => ({
    outcome: t.expose("outcome", { type: Outcome, description: "The outcome analysed." }),
    asOf: t.expose("asOf", {
      type: "DateTime",
      description: "The request's time: later facts are not counted.",
    }),
    from: t.expose("from", {
      type: "DateTime",
      nullable: true,
      description: "The period's start; null for all history.",
    }),
    to: t.expose("to", {
      type: "DateTime",
      description: "The period's end (exclusive): the filter's, or asOf when it was open or later.",
    }),
    slowReplyHours: t.exposeFloat("slowReplyHours", {
      description: "The first-reply delay over which a customer counts as having waited (RESPONSE_DELAY).",
    }),
    customers: t.exposeInt("customers", { description: "Customers analysed." }),
    outcomeCustomers: t.exposeInt("positives", { description: "Of them, customers with the outcome." }),
    outcomeRate: t.float({
      nullable: true,
      description: "outcomeCustomers ÷ customers, from 0 to 1; null when nobody was analysed.",
      resolve: (analysis) => rate(analysis.positives, analysis.customers),
    }),
    drivers: t.field({
      type: [DriverRef],
      description: `Every touchpoint had (and missed) by at least minCustomers customers, ranked, at most ${MAX_FEATURES} (those had by the most customers; note names the others); empty when fewer than ${MIN_OUTCOME_CUSTOMERS} customers had the outcome or fewer than that did not (note says so).`,
      resolve: (analysis) => analysis.drivers,
    }),
    note: t.exposeString("note", {
      nullable: true,
      description:
        "Why there are no drivers, or which touchpoints were left out; null when there is nothing to say.",
    }),
  }),
});

const Filter = builder.inputType("KeyTouchpointFilter", {
  description: "Which customers to analyse; every given condition must hold.",
  fields: (t) => ({
    period: t.field({
      type: DateTimeRange,
      description:
        "Touchpoints in this span; for survey outcomes the answers judged are in it too, and for churn outcomes it ends where they are judged. All history up to now by default.",
    }),
    ownerId: t.globalID({
      description:
        "Customers owned by this account manager (a Principal ID). An account manager always sees only their own.",
    }),
    channel: t.field({
      type: ChannelEnum,
      description: "Customers with an interaction on this channel in the period, before their outcome.",
    }),
    segmentId: t.globalID({
      description:
        "Only the members of this segment (its members as of now, among those the viewer may see).",
    }),
  }),
});

builder.queryFields((t) => ({
  keyTouchpoints: t.field({
    type: AnalysisRef,
    authScopes: { $any: { admin: true, analyst: true, accountManager: true } },
    description:
      "The key-touchpoint driver analysis: which touchpoints (channels, interaction kinds, journey stages, a slow first reply, the tone of the customer's messages) make an outcome (NPS detractor or promoter, CSAT satisfied, high churn risk, lapsed) more or less likely, each with an adjusted risk ratio, its 95% confidence interval, the customers it covers and a sentence, ranked. An account manager's figures cover only the customers they own.",
    args: {
      outcome: t.arg({ type: Outcome, required: true, description: "The outcome to explain." }),
      filter: t.arg({ type: Filter, description: "Which customers to analyse; all by default." }),
      touchpoints: t.arg({
        type: [TouchpointFamilyEnum],
        description: "The kinds of touchpoint to consider; all by default.",
      }),
      slowReplyHours: t.arg.float({
        description:
          "A first reply later than this many hours counts as a slow reply (RESPONSE_DELAY); 4 by default.",
      }),
      minCustomers: t.arg.int({
        description:
          "Leave out touchpoints had, or missed, by fewer customers than this (5 or more); 20 by default.",
      }),
    },
    resolve: async (_parent, args, context) => {
      const asOf = context.clock();
      const filter = args.filter;
      const analysis = await keyTouchpoints(
        context.prisma,
        {
          outcome: args.outcome,
          from: filter?.period?.from ?? undefined,
          to: filter?.period?.to ?? undefined,
          channel: filter?.channel ?? undefined,
          ...(filter?.segmentId && {
            customersIn: await segmentMembersFor(context, filter.segmentId, ["filter", "segmentId"]),
          }),
          ownerId:
            visibleOwnerId(context.viewer) ??
            (filter?.ownerId
              ? expectGlobalId(filter.ownerId, "Principal", ["filter", "ownerId"])
              : undefined),
          touchpoints: args.touchpoints ?? undefined,
          slowReplyHours: args.slowReplyHours ?? undefined,
          minCustomers: args.minCustomers ?? undefined,
        },
        { asOf, policy: context.scoring },
      );
      return { ...analysis, asOf };
    },
  }),
}));
