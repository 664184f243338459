// Journeys: their definitions, each customer's progress, the funnel, and the mutations that shape them.

import { pageRowJourneys } from "../../domain/customers/customer-page-rows.ts";
import {
  defineJourney,
  type JourneyWithStages,
  updateJourney,
} from "../../domain/journeys/define-journey.ts";
import { type FunnelStage, journeyFunnel } from "../../domain/journeys/journey-funnel.ts";
import { type JourneyProgressView, journeyProgressOf } from "../../domain/journeys/journey-progress.ts";
import { builder } from "../builder.ts";
import { bounded } from "../input-bounds.ts";
import { CUSTOMER_READERS } from "./customer-scopes.ts";
import { segmentMembersFor } from "./segment-scope.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";

builder.prismaObject("JourneyStage", {
  description: "One stage of a journey, entered when a customer has an interaction of one of its kinds.",
  fields: (t) => ({
    key: t.exposeString("key", { description: "The stage's stable name within its journey." }),
    name: t.exposeString("name", { description: "The stage's display name." }),
    position: t.exposeInt("position", { description: "Its place in the journey, from 0." }),
    enteredBy: t.exposeStringList("enteredBy", {
      description: 'Interaction kinds that move a customer here ("order.placed").',
    }),
  }),
});

export const JourneyNode = builder.prismaNode("Journey", {
  description: "A journey definition: the ordered stages customers move through.",
  id: { field: "id", description: "The journey's global ID." },
  fields: (t) => ({
    key: t.exposeString("key", { description: "A stable, URL-safe name (onboarding, first-purchase)." }),
    name: t.exposeString("name", { description: "The journey's display name." }),
    description: t.exposeString("description", { nullable: true, description: "What the journey tracks." }),
    active: t.exposeBoolean("active", {
      description: "Whether recorded interactions still move customers along it.",
    }),
    stages: t.relation("stages", {
      description: "The stages, in order.",
      query: { orderBy: { position: "asc" } },
    }),
  }),
});

const StageTransition = builder
  .objectRef<JourneyProgressView["transitions"][number]>("JourneyStageTransition")
  .implement({
    description: "A move between stages.",
    fields: (t) => ({
      fromStageKey: t.exposeString("fromStageKey", {
        nullable: true,
        description: "The stage left; null when entering the journey.",
      }),
      toStageKey: t.exposeString("toStageKey", { description: "The stage entered." }),
      occurredAt: t.expose("occurredAt", {
        type: "DateTime",
        description: "When (the time of the interaction that caused it).",
      }),
    }),
  });

const JourneyStageRef = builder
  .objectRef<{ key: string; name: string; position: number }>("JourneyStageSummary")
  .implement({
    description: "A stage, by key, name and position.",
    fields: (t) => ({
      key: t.exposeString("key", { description: "The stage's stable name." }),
      name: t.exposeString("name", { description: "The stage's display name." }),
      position: t.exposeInt("position", { description: "Its place in the journey, from 0." }),
    }),
  });

const CustomerJourneyProgress = builder.objectRef<JourneyProgressView>("CustomerJourneyProgress").implement({
  description: "Where one customer is in one journey.",
  authScopes: CUSTOMER_READERS,
  fields: (t) => ({
    journeyKey: t.exposeString("journeyKey", { description: "The journey's key." }),
    journeyName: t.exposeString("journeyName", { description: "The journey's name." }),
    currentStage: t.field({
      type: JourneyStageRef,
      description: "The stage they are in.",
      resolve: (p) => p.currentStage,
    }),
    startedAt: t.expose("startedAt", { type: "DateTime", description: "When they entered the journey." }),
    stageEnteredAt: t.expose("stageEnteredAt", {
      type: "DateTime",
      description: "When they entered the current stage.",
    }),
    timeInStageSeconds: t.exposeInt("timeInStageSeconds", {
      description: "Seconds in the current stage so far; 0 once the journey is completed.",
    }),
    completedAt: t.expose("completedAt", {
      type: "DateTime",
      nullable: true,
      description: "When they reached the last stage.",
    }),
    transitions: t.field({
      type: [StageTransition],
      description: "Every move, oldest first.",
      resolve: (p) => p.transitions,
    }),
  }),
});

builder.prismaObjectFields("Customer", (t) => ({
  journeys: t.field({
    type: [CustomerJourneyProgress],
    description: "The customer's progress in every journey they have started.",
    // The customer was just read: an empty list means they started no journey. Time in a stage runs
    // to the server's clock. The Customer360 page's statement reads them with the customer.
    resolve: (customer, _args, context) =>
      pageRowJourneys(customer, context.clock()) ??
      journeyProgressOf(context.prisma, customer.id, context.clock()),
  }),
}));

const FunnelStageRef = builder.objectRef<FunnelStage>("FunnelStage").implement({
  description: "One stage of a journey funnel.",
  fields: (t) => ({
    key: t.exposeString("key", { description: "The stage's key." }),
    name: t.exposeString("name", { description: "The stage's name." }),
    position: t.exposeInt("position", { description: "Its place in the journey, from 0." }),
    reached: t.exposeInt("reached", { description: "Customers who entered this stage or a later one." }),
    current: t.exposeInt("current", {
      description: "Customers in this stage now (the window does not apply).",
    }),
    conversionFromPrevious: t.exposeFloat("conversionFromPrevious", {
      nullable: true,
      description:
        "reached ÷ the previous stage's reached, as a fraction (0.5 = half); null for the first stage.",
    }),
    dropOff: t.exposeInt("dropOff", { description: "Customers who reached this stage but not the next." }),
    medianSecondsInStage: t.exposeFloat("medianSecondsInStage", {
      nullable: true,
      description: "Median seconds from entering this stage to entering the next, over those who moved on.",
    }),
  }),
});

const JourneyStageInput = builder.inputType("JourneyStageInput", {
  description: "One stage of a journey definition.",
  fields: (t) => ({
    key: t.string({ required: true, description: "A stable, URL-safe name, unique in the journey." }),
    name: t.string({ required: true, description: "The display name." }),
    enteredBy: t.stringList({ required: true, description: "Interaction kinds that move a customer here." }),
  }),
});

const DefineJourneyInput = builder.inputType("DefineJourneyInput", {
  description: "A new journey.",
  fields: (t) => ({
    key: t.string({ required: true, description: "A stable, URL-safe name." }),
    name: t.string({ required: true, description: "The display name." }),
    description: t.string({
      description: "What it tracks: at most 2,000 characters.",
      ...bounded({ maxLength: 2000 }),
    }),
    active: t.boolean({ description: "Whether it moves customers (true by default)." }),
    stages: t.field({
      type: [JourneyStageInput],
      required: true,
      description: "The stages in order (1 to 30).",
    }),
  }),
});

const UpdateJourneyInput = builder.inputType("UpdateJourneyInput", {
  description: "Changes to a journey; omitted fields keep their value. Stages keep their identity by key.",
  fields: (t) => ({
    key: t.string({ required: true, description: "The journey to change." }),
    name: t.string({ description: "A new display name." }),
    description: t.string({
      description: "A new description: at most 2,000 characters.",
      ...bounded({ maxLength: 2000 }),
    }),
    active: t.boolean({ description: "Whether it moves customers." }),
    stages: t.field({ type: [JourneyStageInput], description: "The complete new list of stages, in order." }),
  }),
});

const JourneyPayload = builder.objectRef<{ journey: JourneyWithStages }>("JourneyPayload").implement({
  description: "A journey after a change.",
  fields: (t) => ({
    journey: t.field({
      type: JourneyNode,
      description: "The journey, as stored now.",
      resolve: (p) => p.journey,
    }),
  }),
});

builder.queryFields((t) => ({
  journeys: t.prismaField({
    type: ["Journey"],
    description: "Every journey definition, by key.",
    resolve: (query, _parent, _args, context) =>
      context.prisma.journey.findMany({ ...query, orderBy: { key: "asc" } }),
  }),
  journeyFunnel: t.field({
    type: [FunnelStageRef],
    authScopes: { $any: { admin: true, analyst: true } },
    description:
      "A journey's funnel: per stage, customers reached, in it now, conversion, drop-off and median time in stage. The window counts entries into stages.",
    args: {
      key: t.arg.string({ required: true, description: "The journey's key." }),
      from: t.arg({ type: "DateTime", description: "Count entries at or after this moment." }),
      to: t.arg({ type: "DateTime", description: "Count entries before this moment (exclusive)." }),
      segmentId: t.arg.globalID({
        description: "Count only the customers in this segment (a Segment ID) now.",
      }),
    },
    resolve: async (_parent, args, context) =>
      journeyFunnel(context.prisma, {
        ...(args.segmentId && {
          customersIn: await segmentMembersFor(context, args.segmentId, ["segmentId"]),
        }),
        journeyKey: args.key,
        from: args.from ?? undefined,
        to: args.to ?? undefined,
      }),
  }),
}));

builder.mutationFields((t) => ({
  defineJourney: t.field({
    type: JourneyPayload,
    authScopes: { admin: true },
    errors: { types: MUTATION_ERRORS },
    description: "Creates a journey. Customers start moving along it with the next interactions recorded.",
    args: { input: t.arg({ type: DefineJourneyInput, required: true, description: "The journey." }) },
    resolve: async (_parent, { input }, context) => ({
      journey: await defineJourney(context.prisma, { ...input, active: input.active ?? undefined }),
    }),
  }),
  updateJourney: t.field({
    type: JourneyPayload,
    authScopes: { admin: true },
    errors: { types: MUTATION_ERRORS },
    description:
      "Changes a journey. Renamed, reordered or re-wired stages keep their customers; removing a stage customers are in is refused.",
    args: { input: t.arg({ type: UpdateJourneyInput, required: true, description: "The changes." }) },
    resolve: async (_parent, { input: { key, ...changes } }, context) => ({
      journey: await updateJourney(context.prisma, key, {
        name: changes.name ?? undefined,
        description: changes.description,
        active: changes.active ?? undefined,
        stages: changes.stages ?? undefined,
      }),
    }),
  }),
}));
