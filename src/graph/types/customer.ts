// The Customer type: the unified profile, with its identities, owner, interactions and feedback.
import { freeTextFor, traitsFor } from "../../auth/personal-data.ts";
import { canSeeCustomer } from "../../auth/visibility.ts";
import { LifecycleStage } from "../../generated/prisma/enums.ts";
import { builder, pagedConnection } from "../builder.ts";
import type { PageRowRelation } from "../page-row-relations.ts";
import { CUSTOMER_READERS } from "./customer-scopes.ts";
import { DateTimeRange, dateTimeFilter } from "./date-time-range.ts";
import { ChannelEnum } from "./interaction.ts";

export const LifecycleStageEnum = builder.enumType(LifecycleStage, {
  name: "LifecycleStage",
  description: "Where a customer stands in their relationship with the business.",
  values: {
    LEAD: { description: "Known to us, has not bought or engaged in depth yet." },
    PROSPECT: { description: "Engaged and evaluating: replied, trialled, or asked for a quote." },
    CUSTOMER: { description: "Has bought at least once." },
    EVANGELIST: { description: "A loyal customer who recommends us (for example an NPS promoter)." },
    CHURNED: { description: "Has stopped buying or cancelled." },
  },
});

export const CustomerNode = builder.prismaNode("Customer", {
  description:
    "A unified customer profile: one person or account, with their identities on every channel and everything that happened with them.",
  id: { field: "id", description: "The customer's global ID." },
  // Lists filter in SQL (visibleCustomers); this guards lookups by global ID through node/nodes, and
  // every customer a payload or event carries.
  authScopes: (customer, context) => canSeeCustomer(context.viewer, customer) && CUSTOMER_READERS,
  fields: (t) => ({
    displayName: t.string({
      nullable: true,
      description:
        "The name to show for this customer; null when no channel has told us a name yet. A name is how everyone works with a customer, so it is shown; but where a channel gave an email or phone as the name, that is masked unless your API key has the `pii` scope.",
      resolve: (customer, _args, context) => freeTextFor(context.viewer, customer.displayName),
    }),
    lifecycleStage: t.expose("lifecycleStage", {
      type: LifecycleStageEnum,
      description: "Where the customer stands in their relationship with the business.",
    }),
    traits: t.field({
      type: "JSONObject",
      description:
        "Free-form attributes of the customer (plan, company, locale, …). Personal data unless your API key has the `pii` scope: values of traits whose names say they are about the person (personalEmail, homePhone, ssn, address, birthDate, lastName, …) are masked whole, and emails and phones written in any other value are masked.",
      resolve: (customer, _args, context) => traitsFor(context.viewer, customer.traits),
    }),
    firstSeenAt: t.expose("firstSeenAt", {
      type: "DateTime",
      nullable: true,
      description: "When the customer's earliest known interaction happened.",
    }),
    lastSeenAt: t.expose("lastSeenAt", {
      type: "DateTime",
      nullable: true,
      description: "When the customer's latest known interaction happened.",
    }),
    createdAt: t.expose("createdAt", {
      type: "DateTime",
      description: "When the hub first learned of this customer.",
    }),
    identities: t.relation("identities", {
      description:
        "Every identifier that names this customer on some channel (emails, phones, shop ids, handles).",
      query: { orderBy: [{ kind: "asc" }, { value: "asc" }] },
      extensions: { pageRowRelation: "identities" satisfies PageRowRelation },
    }),
    owner: t.relation("owner", {
      nullable: true,
      extensions: { pageRowRelation: "owner" satisfies PageRowRelation },
      description: "The account manager who owns this customer; null when nobody does.",
    }),
    mergedInto: t.relation("mergedInto", {
      nullable: true,
      description:
        "Set when this customer was merged into another: the surviving profile, which now holds everything this one had.",
    }),
    feedback: t.relatedConnection("feedback", {
      description: "The customer's survey answers, newest first.",
      cursor: "id",
      totalCount: true,
      ...pagedConnection,
      extensions: { pageRowRelation: "feedback" satisfies PageRowRelation },
      query: { orderBy: [{ respondedAt: "desc" }, { id: "desc" }] },
    }),
    interactions: t.relatedConnection("interactions", {
      description:
        "The customer's touchpoints, newest first, optionally narrowed to channels, kinds and a time range.",
      cursor: "id",
      totalCount: true,
      ...pagedConnection,
      extensions: { pageRowRelation: "interactions" satisfies PageRowRelation },
      args: {
        channels: t.arg({ type: [ChannelEnum], description: "Only touchpoints on these channels." }),
        kinds: t.arg.stringList({ description: 'Only these kinds ("order.placed", "email.received").' }),
        occurred: t.arg({ type: DateTimeRange, description: "Only touchpoints that happened in this span." }),
      },
      query: (args) => ({
        where: {
          channel: args.channels?.length ? { in: args.channels } : undefined,
          kind: args.kinds?.length ? { in: args.kinds } : undefined,
          occurredAt: dateTimeFilter(args.occurred),
        },
        orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
      }),
    }),
  }),
});
