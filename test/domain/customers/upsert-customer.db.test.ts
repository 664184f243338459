import { describe, expect } from "vitest";
import { ValidationError } from "../../../src/domain/errors.ts";
import { test } from "../../helpers/database.ts";
import { recordInteraction, submitFeedback, upsertCustomer } from "../../helpers/writes.ts";

describe("upsertCustomer", () => {
  test("creates a customer with its profile the first time an identity is seen", async ({ db }) => {
    const result = await upsertCustomer(db.prisma, {
      identities: [{ kind: "EMAIL", value: " Ana@Example.COM" }],
      displayName: "Ana",
      traits: { plan: "pro" },
      lifecycleStage: "CUSTOMER",
      source: "api",
    });
    expect(result.created).toBe(true);
    expect(result.customer).toMatchObject({
      displayName: "Ana",
      traits: { plan: "pro" },
      lifecycleStage: "CUSTOMER",
    });
    expect(await db.prisma.identity.findFirstOrThrow()).toMatchObject({
      value: "ana@example.com",
      source: "api",
    });
  });

  test("updates the customer of an identity already known, merging traits shallowly", async ({ db }) => {
    const first = await upsertCustomer(db.prisma, {
      identities: [{ kind: "EMAIL", value: "ana@example.com" }],
      displayName: "Ana",
      traits: { plan: "free", company: { name: "Acme" } },
    });
    const second = await upsertCustomer(db.prisma, {
      identities: [{ kind: "EMAIL", value: "ANA@example.com" }],
      traits: { plan: "pro", locale: "es" },
    });
    expect(second.created).toBe(false);
    expect(second.customer.id).toBe(first.customer.id);
    expect(second.customer).toMatchObject({
      displayName: "Ana",
      traits: { plan: "pro", company: { name: "Acme" }, locale: "es" },
    });
    expect(await db.prisma.customer.count()).toBe(1);
  });

  test("merges two customers its identities name, moving their interactions and feedback", async ({ db }) => {
    const byEmail = await recordInteraction(db.prisma, {
      customer: { identities: [{ kind: "EMAIL", value: "ana@example.com" }] },
      source: "mail",
      externalId: "m-1",
      channel: "EMAIL",
      kind: "email.received",
      direction: "INBOUND",
      occurredAt: "2026-01-05T10:00:00Z",
    });
    const byPhone = await submitFeedback(db.prisma, {
      customer: { identities: [{ kind: "PHONE", value: "+14155550123" }] },
      source: "survey",
      externalId: "s-1",
      kind: "NPS",
      score: 3,
      respondedAt: "2026-01-07T10:00:00Z",
    });
    expect(byPhone.customerId).not.toBe(byEmail.customerId);

    const result = await upsertCustomer(db.prisma, {
      identities: [
        { kind: "PHONE", value: "+1 415 555 0123" },
        { kind: "EMAIL", value: "ana@example.com" },
      ],
    });

    expect(result.customer.id).toBe(byEmail.customerId);
    expect(result.mergedCustomerIds).toEqual([byPhone.customerId]);
    expect(await db.prisma.interaction.count({ where: { customerId: result.customer.id } })).toBe(1);
    expect(await db.prisma.feedback.count({ where: { customerId: result.customer.id } })).toBe(1);
    expect(result.customer).toMatchObject({
      firstSeenAt: new Date("2026-01-05T10:00:00Z"),
      lastSeenAt: new Date("2026-01-07T10:00:00Z"),
    });
    expect(await db.prisma.customerMerge.findFirstOrThrow()).toMatchObject({
      survivorId: byEmail.customerId,
      mergedId: byPhone.customerId,
      mergedById: null,
      reason: "identity resolution: PHONE +14155550123 is shared",
    });
  });

  test("records the principal who caused a merge", async ({ db }) => {
    const principal = await db.prisma.principal.create({ data: { name: "Grace" } });
    await upsertCustomer(db.prisma, { identities: [{ kind: "EMAIL", value: "ana@example.com" }] });
    await upsertCustomer(db.prisma, { identities: [{ kind: "PHONE", value: "+14155550123" }] });
    await upsertCustomer(
      db.prisma,
      {
        identities: [
          { kind: "EMAIL", value: "ana@example.com" },
          { kind: "PHONE", value: "+14155550123" },
        ],
      },
      { principalId: principal.id },
    );
    expect((await db.prisma.customerMerge.findFirstOrThrow()).mergedById).toBe(principal.id);
  });

  test("ends concurrent upserts of the same new email as one customer", async ({ db }) => {
    const upsert = (plan: string) =>
      upsertCustomer(db.prisma, {
        identities: [{ kind: "EMAIL", value: "new@example.com" }],
        traits: { [plan]: true },
      });
    const results = await Promise.all([upsert("a"), upsert("b"), upsert("c")]);
    expect(new Set(results.map((result) => result.customer.id)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await db.prisma.customer.count()).toBe(1);
    // Every call's traits survive: the read-modify-write happens under the customer's row lock.
    expect((await db.prisma.customer.findFirstOrThrow()).traits).toEqual({ a: true, b: true, c: true });
  });

  test("refuses bad input with the path of each problem", async ({ db }) => {
    const attempt = upsertCustomer(db.prisma, {
      identities: [{ kind: "PHONE", value: "415 555 0123" }],
      traits: ["not", "an", "object"] as never,
    });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toSatisfy((error: ValidationError) =>
      ["identities.0.value", "traits"].every((path) =>
        error.issues.some((issue) => issue.path.join(".") === path),
      ),
    );
    await expect(upsertCustomer(db.prisma, { identities: [] })).rejects.toThrow(/at least one identity/);
    await expect(
      upsertCustomer(db.prisma, {
        identities: Array.from({ length: 21 }, (_, i) => ({
          kind: "EMAIL" as const,
          value: `a${i}@example.com`,
        })),
      }),
    ).rejects.toThrow(/at most 20 identities/);
    expect(await db.prisma.customer.count()).toBe(0);
  });
});
