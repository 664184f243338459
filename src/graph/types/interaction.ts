// The Interaction type: an immutable touchpoint on some channel.

import { canReadPersonalData, freeTextFor, metadataFor } from "../../auth/personal-data.ts";
import { canSeeRecordOf } from "../../auth/visibility.ts";
import { formatAmount } from "../../domain/money.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { Channel, Direction } from "../../generated/prisma/enums.ts";
import { builder } from "../builder.ts";
import { withCustomerReaders } from "./customer-scopes.ts";

export const ChannelEnum = builder.enumType(Channel, {
  name: "Channel",
  description: "The channel a touchpoint happened on.",
  values: {
    EMAIL: { description: "Email messages." },
    ECOMMERCE: { description: "Orders, refunds and other shop events." },
    SOCIAL: { description: "Mentions, comments and messages on social networks." },
    SUPPORT: { description: "Support tickets and their replies." },
    WEB: { description: "Visits and actions on a website or app." },
    PHONE: { description: "Calls and text messages." },
    CHAT: { description: "Live chat conversations." },
    OTHER: { description: "Any channel not listed above." },
  },
});

export const DirectionEnum = builder.enumType(Direction, {
  name: "Direction",
  description: "Who started the touchpoint.",
  values: {
    INBOUND: { description: "The customer reached us: they wrote, ordered, mentioned or visited." },
    OUTBOUND: { description: "We reached the customer: we wrote, replied or called." },
  },
});

export const Money = builder.objectRef<{ amount: Prisma.Decimal; currency: string }>("Money").implement({
  description: "An exact amount of money in one currency.",
  fields: (t) => ({
    amount: t.field({
      type: "Decimal",
      description:
        'The amount, exact, as a decimal string with the currency\'s usual decimals ("1234.50" EUR, "1200" JPY).',
      resolve: (money) => formatAmount(money.amount, money.currency),
    }),
    currency: t.exposeString("currency", { description: "The ISO 4217 currency code (USD, EUR, …)." }),
  }),
});

export const InteractionNode = builder.prismaNode("Interaction", {
  description: "A touchpoint with a customer on some channel. Immutable once recorded.",
  id: { field: "id", description: "The interaction's global ID." },
  // Lists come through a visible customer; this guards lookups by global ID through node/nodes.
  // Only account managers need the owner, looked up in one batch per response.
  authScopes: (interaction, context) =>
    withCustomerReaders(canSeeRecordOf(context.viewer, interaction, context.loaders.ownerOfCustomer)),
  fields: (t) => ({
    channel: t.expose("channel", { type: ChannelEnum, description: "The channel it happened on." }),
    kind: t.exposeString("kind", {
      description: "What happened, as a dotted name: `email.received`, `order.placed`, `social.mention`, …",
    }),
    direction: t.expose("direction", { type: DirectionEnum, description: "Who started it." }),
    occurredAt: t.expose("occurredAt", { type: "DateTime", description: "When it happened." }),
    summary: t.string({
      nullable: true,
      description:
        "A one-line summary: an email subject, an order's items, the start of a post. Emails and phones written in it are masked unless your API key has the `pii` scope.",
      resolve: (interaction, _args, context) => freeTextFor(context.viewer, interaction.summary),
    }),
    body: t.string({
      nullable: true,
      description:
        "The full text that was said (an email body, a post). Personal data: null unless your API key has the `pii` scope.",
      resolve: (interaction, _args, context) =>
        canReadPersonalData(context.viewer) ? interaction.body : null,
    }),
    amount: t.field({
      type: Money,
      nullable: true,
      description: "The money that moved (an order total, a refund); null when none did.",
      resolve: (interaction) =>
        interaction.amount !== null && interaction.currency !== null
          ? { amount: interaction.amount, currency: interaction.currency }
          : null,
    }),
    sentiment: t.exposeFloat("sentiment", {
      nullable: true,
      description:
        "The sentiment of what the customer said, from -1 (negative) to 1 (positive), as the source gave it or as the hub scored an inbound body; null when nothing was said or scored.",
    }),
    conversationId: t.exposeString("conversationId", {
      nullable: true,
      description:
        "The conversation it belongs to at its source (an email thread, a social thread, a ticket); null when it is not part of one. Response speed groups a customer's interactions by it.",
    }),
    metadata: t.field({
      type: "JSON",
      nullable: true,
      description:
        "Provider details that have no field of their own (a ticket's status, a post's network), as the connector stored them; null when none. Without the `pii` scope, values under keys that name personal data (email, phone, address, …) are masked whole, and emails and phones in any other text are masked.",
      resolve: (interaction, _args, context) => metadataFor(context.viewer, interaction.metadata),
    }),
    source: t.exposeString("source", { description: "The connector or API client that reported it." }),
    externalId: t.exposeString("externalId", { description: "Its id at the source." }),
    customer: t.relation("customer", { description: "The customer it involves." }),
  }),
});
