// Segments on the graph: saved, named customer filters, their live members and count, the persona
// figures of their members and the trend of their size. Every figure covers only the customers the
// reader may see (an account manager: the customers they own), whoever saved the segment.
import { visibleOwnerId } from "../../auth/visibility.ts";
import type { CustomerFilter as StoredCustomerFilter } from "../../domain/customers/customer-filter.ts";
import { mayEditSegment, type SegmentEditor } from "../../domain/segments/manage-segments.ts";
import { segmentFilter } from "../../domain/segments/segment-definition.ts";
import { countSegmentMembers } from "../../domain/segments/segment-members.ts";
import type { Role } from "../../generated/prisma/enums.ts";
import { builder, pagedConnection } from "../builder.ts";
import type { GraphContext } from "../context.ts";
import { LifecycleStageEnum } from "./customer.ts";
import { CustomerOrder, customerPage, segmentConditions } from "./customer-queries.ts";
import { CUSTOMER_READERS } from "./customer-scopes.ts";
import { ChannelEnum } from "./interaction.ts";
import { ChurnRiskLevelEnum } from "./score.ts";

const TimeSpan = builder.objectRef<{ from?: Date | undefined; to?: Date | undefined }>("TimeSpan").implement({
  description: "A span of time: from (inclusive) to (exclusive); either end may be open (null).",
  fields: (t) => ({
    from: t.field({
      type: "DateTime",
      nullable: true,
      description: "The start, inclusive.",
      resolve: (s) => s.from,
    }),
    to: t.field({
      type: "DateTime",
      nullable: true,
      description: "The end, exclusive.",
      resolve: (s) => s.to,
    }),
  }),
});

const JourneyStageRef = builder
  .objectRef<{ journeyKey: string; stageKey: string }>("JourneyStageRef")
  .implement({
    description: "A stage of a journey, by the journey's key and the stage's key.",
    fields: (t) => ({
      journeyKey: t.exposeString("journeyKey", { description: "The journey's key." }),
      stageKey: t.exposeString("stageKey", { description: "The stage's key within that journey." }),
    }),
  });

/** The saved filter, field for field as CustomerFilter takes it; an absent condition is null. */
const SegmentDefinition = builder.objectRef<StoredCustomerFilter>("SegmentDefinition").implement({
  description:
    "A segment's saved filter: the conditions of CustomerFilter, each null when not used. Every given condition must hold.",
  fields: (t) => ({
    search: t.string({
      nullable: true,
      description:
        "Text in the display name, a handle, a shop id or an external id (never an email or phone).",
      resolve: (f) => f.search || null,
    }),
    channel: t.field({
      type: ChannelEnum,
      nullable: true,
      description: "At least one interaction on this channel.",
      resolve: (f) => f.channel,
    }),
    channels: t.field({
      type: [ChannelEnum],
      nullable: true,
      description:
        "Reachable on any of these channels (an interaction there, or an identity that reaches it).",
      resolve: (f) => f.channels,
    }),
    lifecycleStages: t.field({
      type: [LifecycleStageEnum],
      nullable: true,
      description: "In any of these lifecycle stages.",
      resolve: (f) => f.lifecycleStages,
    }),
    ownerId: t.globalID({
      nullable: true,
      description: "Owned by this account manager (a Principal ID).",
      resolve: (f) => (f.ownerId ? { type: "Principal", id: f.ownerId } : null),
    }),
    unowned: t.boolean({
      nullable: true,
      description: "true: nobody owns them; false: someone does.",
      resolve: (f) => f.unowned,
    }),
    firstSeen: t.field({
      type: TimeSpan,
      nullable: true,
      description: "When first seen.",
      resolve: (f) => f.firstSeen,
    }),
    lastSeen: t.field({
      type: TimeSpan,
      nullable: true,
      description: "When last seen.",
      resolve: (f) => f.lastSeen,
    }),
    churnRiskLevels: t.field({
      type: [ChurnRiskLevelEnum],
      nullable: true,
      description: "Churn risk in any of these levels.",
      resolve: (f) => f.churnRiskLevels,
    }),
    minChurnRisk: t.float({
      nullable: true,
      description: "Churn risk at least this.",
      resolve: (f) => f.minChurnRisk,
    }),
    maxChurnRisk: t.float({
      nullable: true,
      description: "Churn risk at most this.",
      resolve: (f) => f.maxChurnRisk,
    }),
    minLifetimeValue: t.float({
      nullable: true,
      description: "Lifetime value at least this amount.",
      resolve: (f) => f.minLifetimeValue,
    }),
    maxLifetimeValue: t.float({
      nullable: true,
      description: "Lifetime value at most this amount.",
      resolve: (f) => f.maxLifetimeValue,
    }),
    journeyStages: t.field({
      type: [JourneyStageRef],
      nullable: true,
      description: "Currently in any of these journey stages.",
      resolve: (f) => f.journeyStages,
    }),
  }),
});

/** The roles that save segments (the mutations' authScopes say the same). */
const SEGMENT_EDITOR_ROLES: readonly Role[] = ["ADMIN", "ACCOUNT_MANAGER"];

/** Who is changing segments, as the domain rules read it: an admin may change any. */
export function editorOf({ viewer }: Pick<GraphContext, "viewer">): SegmentEditor {
  return { principalId: viewer.principalId, mayEditAny: viewer.role === "ADMIN" };
}

export const SegmentNode = builder.prismaNode("Segment", {
  description:
    "A saved, named, described customer filter. Its members are computed when read, among the customers you may see: an account manager sees only their own customers in any segment. Read `persona` for its typical figures.",
  id: { field: "id", description: "The segment's global ID." },
  authScopes: CUSTOMER_READERS,
  fields: (t) => ({
    name: t.exposeString("name", { description: "The segment's name, unique among segments." }),
    description: t.exposeString("description", {
      description: "What the segment stands for (may be empty).",
    }),
    definition: t.field({
      type: SegmentDefinition,
      description: "The filter that selects its members.",
      resolve: (segment) => segmentFilter(segment),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was saved." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When it was last changed." }),
    editable: t.boolean({
      description:
        "Whether you may change or delete it: admins may change any segment, account managers the ones they created.",
      resolve: (segment, _args, { viewer }) =>
        SEGMENT_EDITOR_ROLES.includes(viewer.role) && mayEditSegment(editorOf({ viewer }), segment),
    }),
    memberCount: t.int({
      description: "How many customers are in it now, among those you may see.",
      resolve: (segment, _args, context) =>
        countSegmentMembers(context.prisma, segment, visibleOwnerId(context.viewer)),
    }),
    members: t.prismaConnection(
      {
        type: "Customer",
        cursor: "id",
        ...pagedConnection,
        description:
          "Its customers now, among those you may see, sorted as the customer list sorts (most recently seen first by default).",
        args: {
          orderBy: t.arg({
            type: CustomerOrder,
            description: "How to sort; by last seen, newest first, by default.",
          }),
        },
        resolve: async (query, segment, args, context) =>
          customerPage(
            context.prisma,
            query,
            await segmentConditions(context, segment, { members: true }),
            args.orderBy,
          ),
      },
      { name: "SegmentMemberConnection", description: "A page of a segment's members." },
      { name: "SegmentMemberEdge", description: "A member of a segment, with its cursor." },
    ),
  }),
});

builder.queryFields((t) => ({
  segments: t.prismaField({
    type: ["Segment"],
    authScopes: CUSTOMER_READERS,
    description: "Every saved segment, by name. Fetch one by ID with node.",
    resolve: (query, _parent, _args, context) =>
      context.prisma.segment.findMany({ ...query, orderBy: { name: "asc" } }),
  }),
}));
