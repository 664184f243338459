// The journey map: per stage, who reached it, who dropped off, how long they stayed and how they felt
// there, in one query a frontend charts as the map with its emotion curve. An account manager's
// figures cover only the customers they own.
import { visibleOwnerId } from "../../auth/visibility.ts";
import {
  type JourneyMap,
  type JourneyMapStage,
  journeyMap,
  type StageCes,
  type StageCsat,
  type StageNps,
} from "../../domain/journeys/journey-map.ts";
import { builder } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { DateTimeRange } from "./date-time-range.ts";
import { JourneyNode } from "./journey.ts";
import { segmentMembersFor } from "./segment-scope.ts";

const StageNpsRef = builder.objectRef<StageNps>("JourneyStageNps").implement({
  description: "NPS answers given while customers were in the stage: %promoters (9–10) − %detractors (0–6).",
  fields: (t) => ({
    responses: t.exposeInt("responses", { description: "How many NPS answers were given in the stage." }),
    mean: t.exposeFloat("mean", {
      nullable: true,
      description: "The mean answer, 0 to 10; null when nobody answered.",
    }),
    score: t.exposeFloat("score", {
      nullable: true,
      description: "The NPS, −100 to 100 (full precision); null when nobody answered.",
    }),
    promoters: t.exposeInt("promoters", { description: "Answers of 9 or 10." }),
    passives: t.exposeInt("passives", { description: "Answers of 7 or 8." }),
    detractors: t.exposeInt("detractors", { description: "Answers of 0 to 6." }),
  }),
});

const StageCsatRef = builder.objectRef<StageCsat>("JourneyStageCsat").implement({
  description: "CSAT answers given while customers were in the stage.",
  fields: (t) => ({
    responses: t.exposeInt("responses", { description: "How many CSAT answers were given in the stage." }),
    mean: t.exposeFloat("mean", {
      nullable: true,
      description: "The mean answer, 1 to 5; null when nobody answered.",
    }),
    score: t.exposeFloat("score", {
      nullable: true,
      description: "The percentage of answers that are 4 or 5, 0 to 100; null when nobody answered.",
    }),
    satisfied: t.exposeInt("satisfied", { description: "Answers of 4 or 5." }),
  }),
});

const StageCesRef = builder.objectRef<StageCes>("JourneyStageCes").implement({
  description: "CES answers given while customers were in the stage.",
  fields: (t) => ({
    responses: t.exposeInt("responses", { description: "How many CES answers were given in the stage." }),
    mean: t.exposeFloat("mean", {
      nullable: true,
      description: "The mean answer, 1 (effortless) to 7 (very hard); null when nobody answered.",
    }),
  }),
});

const StageRef = builder.objectRef<JourneyMapStage>("JourneyMapStage").implement({
  description:
    "One stage of a journey map. A customer is in a stage from the move into it until the next move; interactions and survey answers count for the stage the customer was in when they happened.",
  fields: (t) => ({
    key: t.exposeString("key", { description: "The stage's stable name within its journey." }),
    name: t.exposeString("name", { description: "The stage's display name." }),
    position: t.exposeInt("position", { description: "Its place in the journey, from 0." }),
    reached: t.exposeInt("reached", {
      description: "Customers who entered this stage or a later one (skipping a stage counts as passing it).",
    }),
    entered: t.exposeInt("entered", {
      description: "Customers who entered this stage itself: movedOn + stillIn.",
    }),
    dropOff: t.exposeInt("dropOff", {
      description: "Customers who reached this stage but not the next; 0 for the last stage.",
    }),
    dropOffShare: t.exposeFloat("dropOffShare", {
      nullable: true,
      description: "dropOff ÷ reached, as a fraction (0.25 = a quarter); null when nobody reached the stage.",
    }),
    movedOn: t.exposeInt("movedOn", {
      description:
        "Customers who entered this stage and moved on to a later one: the count behind medianSecondsInStage.",
    }),
    medianSecondsInStage: t.exposeFloat("medianSecondsInStage", {
      nullable: true,
      description:
        "Median seconds from entering this stage to moving on, over movedOn; null when nobody moved on.",
    }),
    stillIn: t.exposeInt("stillIn", {
      description:
        "Customers in this stage at asOf (for the last stage: those who completed the journey): the count behind medianSecondsSoFar.",
    }),
    medianSecondsSoFar: t.exposeFloat("medianSecondsSoFar", {
      nullable: true,
      description:
        "Median seconds from entering this stage to asOf, over stillIn; null when nobody is in it.",
    }),
    sentimentMean: t.exposeFloat("sentimentMean", {
      nullable: true,
      description:
        "The emotion curve's point: mean sentiment (−1 negative to 1 positive) of the interactions made in this stage that carry one; null when none did.",
    }),
    sentimentInteractions: t.exposeInt("sentimentInteractions", {
      description: "Interactions behind sentimentMean.",
    }),
    sentimentCustomers: t.exposeInt("sentimentCustomers", {
      description: "Customers those interactions came from.",
    }),
    nps: t.field({
      type: StageNpsRef,
      description: "NPS answers given in the stage.",
      resolve: (s) => s.nps,
    }),
    csat: t.field({
      type: StageCsatRef,
      description: "CSAT answers given in the stage.",
      resolve: (s) => s.csat,
    }),
    ces: t.field({
      type: StageCesRef,
      description: "CES answers given in the stage.",
      resolve: (s) => s.ces,
    }),
  }),
});

const JourneyMapRef = builder.objectRef<JourneyMap>("JourneyMap").implement({
  description:
    "A journey map: per stage, the customers who reached it, drop-off, time in stage, and how customers felt there (sentiment and survey answers).",
  fields: (t) => ({
    journey: t.field({
      type: JourneyNode,
      description: "The journey mapped.",
      resolve: (map, _args, context) =>
        context.prisma.journey.findUniqueOrThrow({ where: { id: map.journeyId }, include: { stages: true } }),
    }),
    asOf: t.expose("asOf", {
      type: "DateTime",
      description:
        "The instant the figures describe (the server's clock): later moves, messages and answers are not counted.",
    }),
    customers: t.exposeInt("customers", {
      description: "Customers mapped: those who entered the journey by asOf, within the filter.",
    }),
    stages: t.field({
      type: [StageRef],
      description: "Every stage, in order.",
      resolve: (map) => map.stages,
    }),
  }),
});

const JourneyMapFilter = builder.inputType("JourneyMapFilter", {
  description: "Which customers to map; every given condition must hold.",
  fields: (t) => ({
    period: t.field({
      type: DateTimeRange,
      description: "Customers who entered the journey (their first stage) in this span: a cohort.",
    }),
    ownerId: t.globalID({
      description:
        "Customers owned by this account manager (a Principal ID). An account manager always sees their own.",
    }),
    segmentId: t.globalID({
      description: "Customers in this segment (a Segment ID) now.",
    }),
  }),
});

builder.queryFields((t) => ({
  journeyMap: t.field({
    type: JourneyMapRef,
    authScopes: { $any: { admin: true, analyst: true, accountManager: true } },
    description:
      "The journey map of one journey: per stage, customers reached, drop-off, median time in stage, mean sentiment and survey scores, with the counts behind every figure. An account manager's figures cover only the customers they own.",
    args: {
      journeyId: t.arg.globalID({ required: true, description: "The journey's global ID." }),
      filter: t.arg({
        type: JourneyMapFilter,
        description: "Which customers to map; all of them by default.",
      }),
    },
    resolve: async (_parent, { journeyId, filter }, context) =>
      journeyMap(context.prisma, {
        ...(filter?.segmentId && {
          customersIn: await segmentMembersFor(context, filter.segmentId, ["filter", "segmentId"]),
        }),
        journeyId: expectGlobalId(journeyId, "Journey", ["journeyId"]),
        from: filter?.period?.from ?? undefined,
        to: filter?.period?.to ?? undefined,
        ownerId:
          visibleOwnerId(context.viewer) ??
          (filter?.ownerId ? expectGlobalId(filter.ownerId, "Principal", ["filter", "ownerId"]) : undefined),
        now: context.clock(),
      }),
  }),
}));
