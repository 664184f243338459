// The record contract: what a connector may yield, normalized by the domain's own rules, and refused
// with a path and a reason when it is wrong.
import { describe, expect, test } from "vitest";
import * as HubEnums from "../../src/generated/prisma/enums.ts";
import {
  CHANNELS,
  checkpoint,
  DIRECTIONS,
  FEEDBACK_KINDS,
  IDENTITY_KINDS,
  identity,
  LIFECYCLE_STAGES,
  record,
  validateRecord,
  validateStreamOutput,
} from "../../src/sdk/records.ts";

const ana = [identity.email(" Ana@Example.COM "), identity.phone("+1 (415) 555-0123")];

describe("records", () => {
  test("normalizes identities as the domain does, keeping the SDK's lower-case kinds", () => {
    const result = validateRecord(
      record.customer({ identities: [...ana, identity.social("X", "@Ana_Souza")], displayName: "Ana Souza" }),
    );
    expect(result).toEqual({
      success: true,
      data: {
        type: "customer",
        identities: [
          { kind: "email", namespace: "", value: "ana@example.com" },
          { kind: "phone", namespace: "", value: "+14155550123" },
          { kind: "social_handle", namespace: "x", value: "ana_souza" },
        ],
        displayName: "Ana Souza",
      },
    });
  });

  test("accepts an order with its money, turning the time into a Date", () => {
    const result = validateStreamOutput(
      record.interaction({
        externalId: "gid://shopify/Order/1",
        identities: [identity.shopCustomer("acme.myshopify.com", 207119551)],
        kind: "order.placed",
        direction: "inbound",
        occurredAt: "2026-01-02T10:00:00+01:00",
        amount: { amount: "19.90", currency: "eur" },
      }),
    );
    expect(result.success && result.data).toMatchObject({
      occurredAt: new Date("2026-01-02T09:00:00Z"),
      amount: { amount: "19.90", currency: "EUR" },
      identities: [{ kind: "shop_customer_id", namespace: "acme.myshopify.com", value: "207119551" }],
    });
  });

  test("refuses a float amount and a time without a zone, each at its path", () => {
    const result = validateRecord({
      type: "interaction",
      externalId: "1",
      identities: ana,
      kind: "order.placed",
      direction: "inbound",
      occurredAt: "2026-01-02T10:00:00",
      amount: { amount: 19.9, currency: "EUR" },
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues.map((issue) => issue.path)).toEqual(["occurredAt", "amount.amount"]);
    expect(result.reason).toMatch(/^The interaction record is invalid at occurredAt: .+ \(and 1 more\)$/);
  });

  test("keeps a record without the identities that are invalid, saying which and why", () => {
    const result = validateStreamOutput(
      record.interaction({
        externalId: "o1",
        identities: [
          identity.phone("415 555 0123"),
          identity.email("ana@example.com"),
          identity.email("not mail"),
        ],
        kind: "order.placed",
        direction: "inbound",
        occurredAt: "2026-01-02T10:00:00Z",
      }),
    );
    if (!result.success) throw new Error(result.reason);
    expect(result.data).toMatchObject({ identities: [{ kind: "email", value: "ana@example.com" }] });
    expect(result.droppedIdentities).toEqual([
      { path: "identities.0.value", message: expect.stringContaining("international format") },
      { path: "identities.2.value", message: expect.stringContaining("is not an email address") },
    ]);
  });

  test("refuses a record whose identities are all invalid, or that has another problem too", () => {
    const base = {
      type: "interaction",
      externalId: "o1",
      kind: "order.placed",
      direction: "inbound",
      occurredAt: "2026-01-02T10:00:00Z",
    } as const;
    const none = validateRecord({ ...base, identities: [identity.email("not mail")] });
    expect(none).toMatchObject({ success: false, issues: [{ path: "identities.0.value" }] });
    const other = validateRecord({
      ...base,
      occurredAt: "yesterday",
      identities: [identity.email("ana@example.com"), identity.email("not mail")],
    });
    expect(other.success).toBe(false);
    if (other.success) return;
    expect(other.issues.map((issue) => issue.path)).toEqual(["identities.1.value", "occurredAt"]);
    // A valid record has no dropped identities to report.
    expect(validateRecord({ ...base, identities: ana })).not.toHaveProperty("droppedIdentities");
  });

  test("checks a survey score against its kind's scale", () => {
    const answer = (kind: "nps" | "csat" | "ces", score: number) =>
      validateRecord(
        record.feedback({
          externalId: "s1",
          identities: ana,
          kind,
          score,
          respondedAt: "2026-06-15T12:00:00Z",
        }),
      );
    expect(answer("nps", 10).success).toBe(true);
    expect(answer("nps", 11)).toMatchObject({
      success: false,
      issues: [{ path: "score", message: "An NPS score is a whole number from 0 to 10; got 11." }],
    });
    expect(answer("csat", 0)).toMatchObject({ success: false, issues: [{ path: "score" }] });
    expect(answer("ces", 7).success).toBe(true);
  });

  test("a deletion names an interaction by externalId and a customer by identities", () => {
    expect(validateRecord(record.deletion({ entity: "interaction", externalId: "t_1" })).success).toBe(true);
    expect(validateRecord(record.deletion({ entity: "customer", identities: ana })).success).toBe(true);
    expect(validateRecord(record.deletion({ entity: "feedback" }))).toMatchObject({
      success: false,
      issues: [{ path: "externalId", message: expect.stringMatching(/names it by the externalId/) }],
    });
    expect(validateRecord(record.deletion({ entity: "customer", externalId: "c_1" }))).toMatchObject({
      success: false,
      issues: [{ path: "identities" }],
    });
  });

  test("a privacy request says erase or export, for whom, with the provider's request id", () => {
    const request = record.privacyRequest({
      action: "export",
      requestId: "9999",
      identities: [
        identity.email("ana@example.com"),
        identity.shopCustomer("acme.myshopify.com", "207119551"),
      ],
      externalIds: ["gid://shopify/Order/1"],
      requestedAt: "2026-01-05T00:00:00Z",
    });
    expect(validateRecord(request).success).toBe(true);
    expect(validateRecord({ ...request, action: "delete" })).toMatchObject({
      success: false,
      issues: [{ path: "action", message: 'action is "erase" or "export".' }],
    });
  });

  test("refuses a value of no known type, naming the types", () => {
    const result = validateStreamOutput({ type: "order", id: 1 });
    expect(result.success).toBe(false);
    expect(!result.success && result.issues[0]?.path).toBe("type");
    expect(!result.success && result.reason).toMatch(
      /^The yielded value is invalid at type: .*'interaction'/,
    );
  });

  test("a checkpoint's cursor must be JSON, so that the hub can store it", () => {
    expect(validateStreamOutput(checkpoint({ updatedSince: "2026-01-01T00:00:00Z", page: 2 })).success).toBe(
      true,
    );
    expect(
      validateStreamOutput({ type: "checkpoint", cursor: { since: new Date("2026-06-15T12:00:00Z") } })
        .success,
    ).toBe(false);
    expect(validateStreamOutput({ type: "checkpoint" }).success).toBe(false);
  });

  test("webhooks may not yield checkpoints: validateRecord refuses them", () => {
    expect(validateRecord(checkpoint(1)).success).toBe(false);
  });

  test("the SDK's vocabularies are the database enums in lower case", () => {
    const lower = (values: Record<string, string>) =>
      Object.values(values).map((value) => value.toLowerCase());
    expect([...CHANNELS]).toEqual(lower(HubEnums.Channel));
    expect([...DIRECTIONS]).toEqual(lower(HubEnums.Direction));
    expect([...IDENTITY_KINDS]).toEqual(lower(HubEnums.IdentityKind));
    expect([...FEEDBACK_KINDS]).toEqual(lower(HubEnums.FeedbackKind));
    expect([...LIFECYCLE_STAGES]).toEqual(lower(HubEnums.LifecycleStage));
  });
});
