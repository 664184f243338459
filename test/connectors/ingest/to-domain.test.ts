// A valid record carries everything the domain needs: mapped, it passes the domain's own input
// schemas unchanged in meaning.
import { describe, expect, test } from "vitest";
import {
  toParsedCustomer,
  toParsedFeedback,
  toParsedInteraction,
  toRecordInput,
} from "../../../src/connectors/ingest/to-domain.ts";
import { upsertCustomerInputSchema } from "../../../src/domain/customers/customer-input.ts";
import { submitFeedbackInputSchema } from "../../../src/domain/feedback/feedback-input.ts";
import { recordInteractionInputSchema } from "../../../src/domain/interactions/interaction-input.ts";
import {
  type CustomerRecord,
  type FeedbackRecord,
  type InteractionRecord,
  identity,
  record,
  validateRecord,
} from "../../../src/sdk/records.ts";
import { toCustomerInput, toFeedbackInput, toInteractionInput } from "./unparsed-inputs.ts";

const origin = { source: "shopify-acme", channel: "ecommerce" as const };
const identities = [identity.email("Ana@Example.com"), identity.shopCustomer("acme.myshopify.com", 42)];

function valid<T>(value: unknown): T {
  const result = validateRecord(value);
  if (!result.success) throw new Error(result.reason);
  return result.data as T;
}

describe("records as domain inputs", () => {
  test("an interaction takes the connector's channel when it names none", () => {
    const order = valid<InteractionRecord>(
      record.interaction({
        externalId: "gid://shopify/Order/1",
        identities,
        kind: "order.placed",
        direction: "inbound",
        occurredAt: "2026-01-02T10:00:00Z",
        amount: { amount: "19.90", currency: "EUR" },
        metadata: { lineItems: 2 },
      }),
    );
    const input = recordInteractionInputSchema.parse(toInteractionInput(order, origin));
    expect(input).toEqual({
      source: "shopify-acme",
      externalId: "gid://shopify/Order/1",
      customer: {
        identities: [
          { kind: "EMAIL", namespace: "", value: "ana@example.com" },
          { kind: "SHOP_CUSTOMER_ID", namespace: "acme.myshopify.com", value: "42" },
        ],
      },
      channel: "ECOMMERCE",
      kind: "order.placed",
      direction: "INBOUND",
      occurredAt: new Date("2026-01-02T10:00:00Z"),
      amount: { amount: "19.90", currency: "EUR" },
      metadata: { lineItems: 2 },
    });
  });

  test("a survey answer keeps its kind, score and channel, and links the interaction the hub found", () => {
    const answer = valid<FeedbackRecord>(
      record.feedback({
        externalId: "r1",
        identities,
        kind: "nps",
        score: 9,
        channel: "email",
        interactionExternalId: "gid://shopify/Order/1",
        respondedAt: "2026-01-03T10:00:00Z",
      }),
    );
    const input = submitFeedbackInputSchema.parse(toFeedbackInput(answer, origin));
    expect(input).toMatchObject({ kind: "NPS", score: 9, channel: "EMAIL", source: "shopify-acme" });
    // The interaction is named by its externalId; the pipeline looks it up at the answer's source.
    expect(toRecordInput(answer, origin)).toMatchObject({
      type: "feedback",
      interactionExternalId: "gid://shopify/Order/1",
    });
  });

  test("a customer keeps its profile fields", () => {
    const customer = valid<CustomerRecord>(
      record.customer({
        identities,
        displayName: "Ana Souza",
        traits: { plan: "pro" },
        lifecycleStage: "customer",
      }),
    );
    expect(upsertCustomerInputSchema.parse(toCustomerInput(customer, origin))).toMatchObject({
      source: "shopify-acme",
      displayName: "Ana Souza",
      traits: { plan: "pro" },
      lifecycleStage: "CUSTOMER",
    });
  });

  // The pipeline stores a connector's records in this parsed shape without parsing them again: it must
  // be what the domain's own schemas make of the same record, field for field (toEqual: a field
  // absent and a field set to undefined are the same input; the to*Input mappings write the latter).
  test("a valid record, mapped to the parsed shape, is what the domain's schemas make of it", () => {
    const interactions = [
      record.interaction({
        externalId: "m1",
        identities: [identity.email(" Ana@Example.com "), identity.social("X", "@Ana")],
        kind: "email.received",
        direction: "inbound",
        occurredAt: "2026-01-02T10:00:00+02:00",
        body: "Thank you, the replacement arrived and it works great.",
        conversationId: "thread-1",
        sourceUpdatedAt: "2026-01-02T10:05:00Z",
      }),
      record.interaction({
        externalId: "m2",
        identities,
        channel: "email",
        kind: "email.sent",
        direction: "outbound",
        occurredAt: "2026-01-02T11:00:00Z",
        summary: "Re: your order",
        body: "We are sorry to hear that.",
      }),
      record.interaction({
        externalId: "m3",
        identities,
        kind: "social.mention",
        direction: "inbound",
        occurredAt: "2026-01-02T12:00:00Z",
        body: "terrible",
        sentiment: 0.25,
        metadata: { likes: 3, tags: ["a"] },
      }),
      record.interaction({
        externalId: "gid://shopify/Order/1",
        identities,
        kind: "order.placed",
        direction: "inbound",
        occurredAt: "2026-01-02T10:00:00Z",
        amount: { amount: "19.9", currency: "eur" },
      }),
    ];
    for (const value of interactions) {
      const interaction = valid<InteractionRecord>(value);
      expect(toParsedInteraction(interaction, origin)).toEqual(
        recordInteractionInputSchema.parse(toInteractionInput(interaction, origin)),
      );
    }
    for (const value of [
      record.feedback({
        externalId: "r1",
        identities,
        kind: "csat",
        score: 4,
        comment: " Quick ",
        touchpoint: "support",
        respondedAt: "2026-01-03T10:00:00Z",
      }),
      record.feedback({
        externalId: "r2",
        identities,
        kind: "ces",
        score: 2,
        channel: "web",
        respondedAt: "2026-01-03T11:00:00Z",
      }),
    ]) {
      const answer = valid<FeedbackRecord>(value);
      expect(toParsedFeedback(answer, origin)).toEqual(
        submitFeedbackInputSchema.parse(toFeedbackInput(answer, origin)),
      );
    }
    for (const value of [
      record.customer({ identities, displayName: " Ana ", traits: { plan: "pro" }, lifecycleStage: "lead" }),
      record.customer({ identities, sourceUpdatedAt: "2026-01-01T00:00:00Z" }),
    ]) {
      const customer = valid<CustomerRecord>(value);
      expect(toParsedCustomer(customer, origin)).toEqual(
        upsertCustomerInputSchema.parse(toCustomerInput(customer, origin)),
      );
    }
  });
});
