// The Feedback type: a survey answer (NPS, CSAT, CES or a good/bad rating).
import { canReadPersonalData, freeTextFor } from "../../auth/personal-data.ts";
import { canSeeRecordOf } from "../../auth/visibility.ts";
import { FeedbackKind } from "../../generated/prisma/enums.ts";
import { builder } from "../builder.ts";
import { withCustomerReaders } from "./customer-scopes.ts";
import { ChannelEnum } from "./interaction.ts";

export const FeedbackKindEnum = builder.enumType(FeedbackKind, {
  name: "FeedbackKind",
  description: "The standard survey measures.",
  values: {
    NPS: { description: "Net Promoter Score: how likely to recommend us, 0 to 10." },
    CSAT: { description: "Customer Satisfaction: how satisfied, 1 to 5." },
    CES: { description: "Customer Effort Score: how easy it was, 1 (very easy) to 7 (very hard)." },
    GOOD_BAD: {
      description:
        "A two-point satisfaction rating, such as Zendesk's: 1 good, 0 bad. Kept apart from CSAT, whose 1 to 5 scale has a middle it never had.",
    },
  },
});

export const FeedbackNode = builder.prismaNode("Feedback", {
  description: "A survey answer from a customer.",
  id: { field: "id", description: "The answer's global ID." },
  // Only account managers need the owner, looked up in one batch per response.
  authScopes: (feedback, context) =>
    withCustomerReaders(canSeeRecordOf(context.viewer, feedback, context.loaders.ownerOfCustomer)),
  fields: (t) => ({
    measure: t.expose("kind", {
      type: FeedbackKindEnum,
      description: "Which measure was asked: NPS, CSAT, CES or GOOD_BAD.",
    }),
    kind: t.expose("kind", {
      type: FeedbackKindEnum,
      description: "Which measure was asked. Use `measure`.",
      // A timeline selects Interaction.kind (a String) beside it, and GraphQL refuses two `kind`s of
      // different types in one selection unless one is aliased.
      deprecationReason:
        "Use `measure`: `kind` clashes with `Interaction.kind` (a String) when a timeline query selects both.",
    }),
    score: t.exposeInt("score", {
      description: "The answer: 0–10 for NPS, 1–5 for CSAT, 1–7 for CES, 1 (good) or 0 (bad) for GOOD_BAD.",
    }),
    comment: t.string({
      nullable: true,
      description:
        "What the customer wrote beside the score. Personal data: null unless your API key has the `pii` scope.",
      resolve: (feedback, _args, context) => (canReadPersonalData(context.viewer) ? feedback.comment : null),
    }),
    answeredOn: t.expose("channel", {
      type: ChannelEnum,
      nullable: true,
      description: "The channel the survey was answered on; null when its source did not say.",
    }),
    channel: t.expose("channel", {
      type: ChannelEnum,
      nullable: true,
      description: "The channel the survey was answered on. Use `answeredOn`.",
      deprecationReason:
        "Use `answeredOn`: `channel` may be null here but not on `Interaction`, and GraphQL refuses the two in one timeline selection unless one is aliased.",
    }),
    touchpoint: t.string({
      nullable: true,
      description:
        "What the answer is about: `checkout`, `support.reply`, … Emails and phones written in it are masked unless your API key has the `pii` scope.",
      resolve: (feedback, _args, context) => freeTextFor(context.viewer, feedback.touchpoint),
    }),
    respondedAt: t.expose("respondedAt", { type: "DateTime", description: "When the customer answered." }),
    source: t.exposeString("source", { description: "The connector or API client that reported it." }),
    externalId: t.exposeString("externalId", { description: "Its id at the source." }),
    customer: t.relation("customer", { description: "The customer who answered." }),
  }),
});
