// A segment read as a persona: its description with the typical figures of its members (size,
// lifetime value, NPS, churn risk, preferred channels), among the customers the reader may see.
import { visibleOwnerId } from "../../auth/visibility.ts";
import { segmentFilter } from "../../domain/segments/segment-definition.ts";
import {
  type ChannelShare,
  type PersonaFigures,
  personaFigures,
} from "../../domain/segments/segment-persona.ts";
import type { Segment } from "../../generated/prisma/client.ts";
import type { Channel } from "../../generated/prisma/enums.ts";
import { builder } from "../builder.ts";
import { shownProbabilityOrNull } from "../probability.ts";
import { Nps } from "./feedback-metrics.ts";
import { ChannelEnum, Money } from "./interaction.ts";
import { SegmentNode } from "./segment.ts";

const PersonaChannel = builder.objectRef<ChannelShare>("PersonaChannel").implement({
  description: "How much a persona's members use one channel.",
  fields: (t) => ({
    channel: t.field({
      type: ChannelEnum,
      description: "The channel.",
      resolve: (c) => c.channel as Channel,
    }),
    interactions: t.exposeInt("interactions", { description: "The members' interactions on it." }),
    customers: t.exposeInt("customers", { description: "Members with at least one interaction on it." }),
    share: t.exposeFloat("share", {
      description: "Its share of all the members' interactions, 0 to 1 (the shares add up to 1).",
    }),
  }),
});

const money = (amount: PersonaFigures["meanLifetimeValue"], currency: string) =>
  amount === null ? null : { amount, currency };

const Persona = builder.objectRef<PersonaFigures & { segment: Segment }>("Persona").implement({
  description:
    "A segment as a persona: what it stands for and the typical figures of its members now, among the customers you may see. Each figure comes with the count of customers behind it.",
  fields: (t) => ({
    description: t.string({
      description: "What the persona stands for.",
      resolve: (p) => p.segment.description,
    }),
    size: t.exposeInt("size", { description: "How many customers are in it." }),
    valuedCustomers: t.exposeInt("valued", {
      description:
        "Members with a lifetime value in the scoring currency: the count behind the median and mean.",
    }),
    medianLifetimeValue: t.field({
      type: Money,
      nullable: true,
      description:
        "The median lifetime value over the forecast horizon, in the scoring policy's currency; null when no member has one.",
      resolve: (p) => money(p.medianLifetimeValue, p.currency),
    }),
    meanLifetimeValue: t.field({
      type: Money,
      nullable: true,
      description: "The mean lifetime value, in the scoring policy's currency; null when no member has one.",
      resolve: (p) => money(p.meanLifetimeValue, p.currency),
    }),
    scoredCustomers: t.exposeInt("scored", {
      description: "Members with a score: the count behind meanChurnRisk.",
    }),
    meanChurnRisk: t.float({
      nullable: true,
      description:
        "The mean churn risk of its members, 0 to 1, to 4 decimal places; null when none is scored.",
      resolve: (p) => shownProbabilityOrNull(p.meanChurnRisk),
    }),
    nps: t.field({
      type: Nps,
      description: "Net Promoter Score over every NPS answer its members gave.",
      resolve: (p) => p.nps,
    }),
    preferredChannels: t.field({
      type: [PersonaChannel],
      description:
        "The channels its members use, most used first, each with its share of their interactions.",
      resolve: (p) => p.channels,
    }),
  }),
});

builder.objectFields(SegmentNode, (t) => ({
  persona: t.field({
    type: Persona,
    description: "The segment as a persona: its description and its members' typical figures, computed now.",
    resolve: async (segment, _args, context) => ({
      segment,
      ...(await personaFigures(
        context.prisma,
        segmentFilter(segment),
        visibleOwnerId(context.viewer),
        context.scoring.currency,
      )),
    }),
  }),
}));
