// A valid record carries everything the domain needs: mapped, it passes the domain's own input
// schemas unchanged in meaning.
import { describe, expect, test } from "vitest";
import {
  toCustomerInput,
  toFeedbackInput,
  toInteractionInput,
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
});
