// Mutations over GraphQL: each result is its payload or a typed error the client switches on.
import { describe, expect } from "vitest";
import {
  DefineJourneyDocument,
  FeedbackDashboardDocument,
  JourneyFunnelDocument,
  MergeCustomersDocument,
  RecordInteractionDocument,
  SubmitFeedbackDocument,
  UpsertCustomerDocument,
} from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const email = (value: string) => ({ kind: "EMAIL" as const, value });

describe("mutations", () => {
  test("upsertCustomer creates, then updates the same customer, then merges two that share identities", async ({
    db,
  }) => {
    const client = await createTestClient(db);
    const first = await client.execute(UpsertCustomerDocument, {
      input: { identities: [email("ada@example.com")], displayName: "Ada", traits: { plan: "pro" } },
    });
    const second = await client.execute(UpsertCustomerDocument, {
      input: { identities: [{ kind: "PHONE", value: "+44 20 7946 0958" }], displayName: "Ada L." },
    });
    if (first.data?.upsertCustomer.__typename !== "UpsertCustomerPayload")
      throw new Error(JSON.stringify(first));
    if (second.data?.upsertCustomer.__typename !== "UpsertCustomerPayload")
      throw new Error(JSON.stringify(second));
    expect(first.data.upsertCustomer.created).toBe(true);

    const both = await client.execute(UpsertCustomerDocument, {
      input: { identities: [email("ADA@example.com"), { kind: "PHONE", value: "+442079460958" }] },
    });
    if (both.data?.upsertCustomer.__typename !== "UpsertCustomerPayload")
      throw new Error(JSON.stringify(both));
    expect(both.data.upsertCustomer.created).toBe(false);
    expect(both.data.upsertCustomer.mergedCustomerIds).toHaveLength(1);
    expect(both.data.upsertCustomer.customer.identities.map((identity) => identity.value).sort()).toEqual([
      "+442079460958",
      "ada@example.com",
    ]);
  });

  test("upsertCustomer answers a ValidationError with the path of the bad field", async ({ db }) => {
    const client = await createTestClient(db);
    const result = await client.execute(UpsertCustomerDocument, {
      input: { identities: [{ kind: "PHONE", value: "020 7946 0958" }] },
    });
    const outcome = result.data?.upsertCustomer;
    if (outcome?.__typename !== "ValidationError") throw new Error(JSON.stringify(result));
    expect(outcome.issues[0]?.path).toEqual(["identities", "0", "value"]);
    expect(outcome.message).toMatch(/\+/);
  });

  test("mergeCustomers previews with dryRun, then merges, and refuses to merge twice", async ({ db }) => {
    const client = await createTestClient(db);
    const make = async (value: string, traits: Record<string, unknown>) => {
      const result = await client.execute(UpsertCustomerDocument, {
        input: { identities: [email(value)], traits },
      });
      if (result.data?.upsertCustomer.__typename !== "UpsertCustomerPayload")
        throw new Error(JSON.stringify(result));
      return result.data.upsertCustomer.customer.id;
    };
    const survivorId = await make("a@example.com", { plan: "pro" });
    const mergedId = await make("b@example.com", { plan: "free" });

    const preview = await client.execute(MergeCustomersDocument, {
      input: { survivorId, mergedId, dryRun: true },
    });
    if (preview.data?.mergeCustomers.__typename !== "MergeCustomersPayload")
      throw new Error(JSON.stringify(preview));
    expect(preview.data.mergeCustomers).toMatchObject({
      dryRun: true,
      moves: { identities: 1 },
      traitConflicts: [{ key: "plan", survivorValue: "pro", mergedValue: "free" }],
    });
    expect(await db.prisma.customer.count({ where: { mergedIntoId: null } })).toBe(2);

    const merged = await client.execute(MergeCustomersDocument, {
      input: { survivorId, mergedId, reason: "same person, two emails" },
    });
    if (merged.data?.mergeCustomers.__typename !== "MergeCustomersPayload")
      throw new Error(JSON.stringify(merged));
    expect(merged.data.mergeCustomers.survivor.identities).toHaveLength(2);
    expect(await db.prisma.customerMerge.count({ where: { mergedById: client.principal.id } })).toBe(1);

    const again = await client.execute(MergeCustomersDocument, {
      input: { survivorId, mergedId, reason: "again" },
    });
    expect(again.data?.mergeCustomers.__typename).toBe("ConflictError");
  });

  test("recordInteraction and submitFeedback are idempotent and say what they did", async ({ db }) => {
    const client = await createTestClient(db);
    const input = {
      customer: { identities: [email("c@example.com")] },
      source: "shop",
      externalId: "order-1",
      channel: "ECOMMERCE" as const,
      kind: "order.placed",
      direction: "INBOUND" as const,
      occurredAt: "2026-02-01T10:00:00.000Z",
      amount: { amount: "19.90", currency: "EUR" },
    };
    const outcomes = [];
    for (const amount of ["19.90", "19.90", "21.00"]) {
      const result = await client.execute(RecordInteractionDocument, {
        input: { ...input, amount: { amount, currency: "EUR" } },
      });
      if (result.data?.recordInteraction.__typename !== "RecordInteractionPayload")
        throw new Error(JSON.stringify(result));
      outcomes.push(result.data.recordInteraction.outcome);
    }
    expect(outcomes).toEqual(["CREATED", "UNCHANGED", "UPDATED"]);
    expect(await db.prisma.interaction.count()).toBe(1);

    const bad = await client.execute(SubmitFeedbackDocument, {
      input: {
        customer: { identities: [email("c@example.com")] },
        source: "survey",
        externalId: "1",
        kind: "CSAT",
        score: 9,
        respondedAt: "2026-02-02T10:00:00.000Z",
      },
    });
    const outcome = bad.data?.submitFeedback;
    if (outcome?.__typename !== "ValidationError") throw new Error(JSON.stringify(bad));
    expect(outcome.issues).toEqual([{ path: ["score"], message: expect.stringMatching(/1 to 5/) }]);
  });

  test("with sourceUpdatedAt, an older version of a profile, a touchpoint or an answer is skipped as STALE", async ({
    db,
  }) => {
    const client = await createTestClient(db);
    const profile = (name: string, at: string, address: string) =>
      client.execute(UpsertCustomerDocument, {
        input: {
          identities: [{ kind: "EXTERNAL_ID", namespace: "crm", value: "42" }, email(address)],
          displayName: name,
          source: "crm",
          sourceUpdatedAt: at,
        },
      });
    const newer = await profile("Ada Lovelace", "2026-02-02T10:00:00Z", "ada@new.example");
    const older = await profile("Ada", "2026-02-01T10:00:00Z", "ada@old.example");
    if (older.data?.upsertCustomer.__typename !== "UpsertCustomerPayload")
      throw new Error(JSON.stringify(older));
    if (newer.data?.upsertCustomer.__typename !== "UpsertCustomerPayload")
      throw new Error(JSON.stringify(newer));
    expect([newer.data.upsertCustomer.outcome, older.data.upsertCustomer.outcome]).toEqual([
      "CREATED",
      "STALE",
    ]);
    const sourceless = await client.execute(UpsertCustomerDocument, {
      input: { identities: [email("ada@new.example")], sourceUpdatedAt: "2026-02-03T10:00:00Z" },
    });
    if (sourceless.data?.upsertCustomer.__typename !== "ValidationError")
      throw new Error(JSON.stringify(sourceless));
    expect(sourceless.data.upsertCustomer.issues).toEqual([
      { path: ["sourceUpdatedAt"], message: expect.stringContaining("give `source` with it") },
    ]);
    expect(older.data.upsertCustomer.customer.displayName).toBe("Ada Lovelace");
    expect(older.data.upsertCustomer.customer.identities.map((identity) => identity.value)).not.toContain(
      "ada@old.example",
    );

    const order = (amount: string, at: string) =>
      client.execute(RecordInteractionDocument, {
        input: {
          customer: { identities: [email("ada@new.example")] },
          source: "shop",
          externalId: "order-9",
          channel: "ECOMMERCE" as const,
          kind: "order.placed",
          direction: "INBOUND" as const,
          occurredAt: "2026-02-01T09:00:00.000Z",
          amount: { amount, currency: "EUR" },
          sourceUpdatedAt: at,
        },
      });
    const outcomes = [];
    for (const [amount, at] of [
      ["250.00", "2026-02-01T09:05:00Z"],
      ["100.00", "2026-02-01T09:00:00Z"],
    ] as const) {
      const result = await order(amount, at);
      if (result.data?.recordInteraction.__typename !== "RecordInteractionPayload")
        throw new Error(JSON.stringify(result));
      outcomes.push(result.data.recordInteraction.outcome);
    }
    expect(outcomes).toEqual(["CREATED", "STALE"]);
    const stored = await db.prisma.interaction.findFirstOrThrow({ where: { externalId: "order-9" } });
    expect(stored.amount?.toFixed(2)).toBe("250.00");

    const answers = [];
    for (const [score, at] of [
      [9, "2026-02-03T10:05:00Z"],
      [2, "2026-02-03T10:00:00Z"],
    ] as const) {
      const result = await client.execute(SubmitFeedbackDocument, {
        input: {
          customer: { identities: [email("ada@new.example")] },
          source: "survey",
          externalId: "nps-9",
          measure: "NPS",
          score,
          respondedAt: "2026-02-03T10:00:00.000Z",
          sourceUpdatedAt: at,
        },
      });
      if (result.data?.submitFeedback.__typename !== "SubmitFeedbackPayload")
        throw new Error(JSON.stringify(result));
      answers.push([result.data.submitFeedback.outcome, result.data.submitFeedback.feedback.score]);
    }
    expect(answers).toEqual([
      ["CREATED", 9],
      ["STALE", 9],
    ]);
  });

  test("a fact dated in the future is refused at its date field; a few minutes ahead is a clock difference", async ({
    db,
  }) => {
    const now = new Date("2026-06-15T12:00:00.000Z");
    const client = await createTestClient(db, { clock: () => now });
    const answer = (externalId: string, respondedAt: string) =>
      client.execute(SubmitFeedbackDocument, {
        input: {
          customer: { identities: [email("f@example.com")] },
          source: "survey",
          externalId,
          kind: "NPS",
          score: 9,
          respondedAt,
        },
      });

    const nextYear = await answer("1", "2030-01-01T00:00:00.000Z");
    expect(nextYear.data?.submitFeedback).toMatchObject({
      __typename: "ValidationError",
      message: expect.stringMatching(
        /^The feedback is invalid at respondedAt: is in the future \(2030-01-01T00:00:00.000Z, and the hub's clock says 2026-06-15T12:00:00.000Z\)/,
      ),
      issues: [
        { path: ["respondedAt"], message: expect.stringMatching(/Up to 5 minutes ahead is accepted\.$/) },
      ],
    });
    const interaction = await client.execute(RecordInteractionDocument, {
      input: {
        customer: { identities: [email("f@example.com")] },
        source: "shop",
        externalId: "order-9",
        channel: "ECOMMERCE",
        kind: "order.placed",
        direction: "INBOUND",
        occurredAt: "2026-06-15T12:06:00.000Z",
      },
    });
    expect(interaction.data?.recordInteraction).toMatchObject({
      __typename: "ValidationError",
      issues: [{ path: ["occurredAt"] }],
    });
    expect(await db.prisma.feedback.count()).toBe(0);
    expect(await db.prisma.interaction.count()).toBe(0);

    const skewed = await answer("2", "2026-06-15T12:04:00.000Z");
    expect(skewed.data?.submitFeedback).toMatchObject({
      __typename: "SubmitFeedbackPayload",
      outcome: "CREATED",
    });
  });

  test("submitFeedback takes the measure as `measure` (or the deprecated `kind`), never two that disagree", async ({
    db,
  }) => {
    const client = await createTestClient(db);
    const answer = (externalId: string, names: { measure?: "NPS" | "CSAT"; kind?: "NPS" | "CSAT" }) =>
      client.execute(SubmitFeedbackDocument, {
        input: {
          customer: { identities: [email("m@example.com")] },
          source: "survey",
          externalId,
          score: 4,
          respondedAt: "2026-02-02T10:00:00.000Z",
          answeredOn: "EMAIL",
          ...names,
        },
      });
    expect((await answer("1", { measure: "CSAT" })).data?.submitFeedback).toMatchObject({
      __typename: "SubmitFeedbackPayload",
      feedback: { measure: "CSAT", score: 4 },
    });
    expect((await answer("2", { kind: "CSAT" })).data?.submitFeedback).toMatchObject({
      feedback: { measure: "CSAT" },
    });
    expect((await answer("3", { measure: "CSAT", kind: "NPS" })).data?.submitFeedback).toMatchObject({
      __typename: "ValidationError",
      message: "measure and kind disagree: give measure only.",
    });
    expect((await answer("4", {})).data?.submitFeedback).toMatchObject({
      __typename: "ValidationError",
      issues: [{ path: ["input", "measure"], message: "required" }],
    });
    const stored = await db.prisma.feedback.findMany({ orderBy: { externalId: "asc" } });
    expect(stored.map((row) => [row.externalId, row.kind, row.channel])).toEqual([
      ["1", "CSAT", "EMAIL"],
      ["2", "CSAT", "EMAIL"],
    ]);
  });

  test("an analyst may not record interactions", async ({ db }) => {
    const analyst = await createTestClient(db, { role: "ANALYST" });
    const result = await analyst.execute(UpsertCustomerDocument, {
      input: { identities: [email("x@example.com")] },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  test("journeys advance with recorded interactions and show in the funnel; feedback shows on the dashboard", async ({
    db,
  }) => {
    const client = await createTestClient(db);
    const defined = await client.execute(DefineJourneyDocument, {
      input: {
        key: "first-order",
        name: "First order",
        stages: [
          { key: "signed-up", name: "Signed up", enteredBy: ["account.created"] },
          { key: "ordered", name: "Ordered", enteredBy: ["order.placed"] },
        ],
      },
    });
    expect(defined.data?.defineJourney.__typename).toBe("JourneyPayload");
    for (const [who, kind, at] of [
      ["a", "account.created", "2026-03-01T10:00:00.000Z"],
      ["b", "account.created", "2026-03-01T11:00:00.000Z"],
      ["a", "order.placed", "2026-03-02T10:00:00.000Z"],
    ] as const) {
      await client.execute(RecordInteractionDocument, {
        input: {
          customer: { identities: [email(`${who}@example.com`)] },
          source: "app",
          externalId: `${who}-${kind}`,
          channel: "WEB",
          kind,
          direction: "INBOUND",
          occurredAt: at,
        },
      });
    }
    const funnel = await client.execute(JourneyFunnelDocument, { key: "first-order" });
    expect(
      funnel.data?.journeyFunnel.map((stage) => [stage.key, stage.reached, stage.conversionFromPrevious]),
    ).toEqual([
      ["signed-up", 2, null],
      ["ordered", 1, 0.5],
    ]);
    expect(funnel.data?.journeyFunnel[0]?.medianSecondsInStage).toBe(86_400);

    for (const [who, score] of [
      ["a", 10],
      ["b", 3],
    ] as const) {
      await client.execute(SubmitFeedbackDocument, {
        input: {
          customer: { identities: [email(`${who}@example.com`)] },
          source: "survey",
          externalId: who,
          kind: "NPS",
          score,
          respondedAt: "2026-03-03T10:00:00.000Z",
        },
      });
    }
    const dashboard = await client.execute(FeedbackDashboardDocument, {
      filter: { from: "2026-03-01T00:00:00.000Z", to: "2026-03-15T00:00:00.000Z" },
    });
    expect(dashboard.errors).toBeUndefined();
    expect(dashboard.data?.feedbackMetrics.nps).toMatchObject({
      score: 0,
      responses: 2,
      promoters: 1,
      detractors: 1,
    });
    expect(dashboard.data?.feedbackMetrics.csat).toMatchObject({ score: null, responses: 0 });
    // Weekly buckets start on Mondays: 1 March 2026 is a Sunday, so the window spans three weeks.
    expect(dashboard.data?.npsTrend.map((point) => point.responses)).toEqual([0, 2, 0]);
  });
});
