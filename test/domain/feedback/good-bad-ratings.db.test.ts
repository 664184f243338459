// Good/bad satisfaction ratings (GOOD_BAD, such as Zendesk's): 1 good, 0 bad, measured as the share of
// good ones with the counts beside it, over a slice and over time, stored only on their scale, and
// seen by an account manager only for their own customers.
import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { feedbackMetrics } from "../../../src/domain/feedback/feedback-metrics.ts";
import { feedbackTrend } from "../../../src/domain/feedback/feedback-trend.ts";
import type { FeedbackKind } from "../../../src/generated/prisma/enums.ts";
import { GoodBadRatingsDocument, SubmitFeedbackDocument } from "../../generated/graphql/graphql.ts";
import { test } from "../../helpers/database.ts";
import { createTestClient } from "../../helpers/graphql.ts";

async function answers(db: Database, customerId: string, kind: FeedbackKind, at: string, scores: number[]) {
  await db.prisma.feedback.createMany({
    data: scores.map((score) => ({
      customerId,
      source: "zendesk",
      externalId: randomUUID(),
      kind,
      score,
      channel: "SUPPORT" as const,
      respondedAt: new Date(at),
    })),
  });
}

const aCustomer = (db: Database, ownerId: string | null = null) =>
  db.prisma.customer.create({ data: { displayName: "Rosalind Franklin", ownerId } });

describe("good/bad ratings", () => {
  test("are measured as the percentage of good ones, with the counts, apart from CSAT", async ({ db }) => {
    const customer = await aCustomer(db);
    await answers(db, customer.id, "GOOD_BAD", "2026-03-02T10:00:00Z", [1, 1, 1, 0]);
    await answers(db, customer.id, "CSAT", "2026-03-02T10:00:00Z", [1]);

    const metrics = await feedbackMetrics(db.prisma);

    expect(metrics.goodBad).toEqual({ score: 75, responses: 4, good: 3, bad: 1 });
    expect(metrics.csat).toEqual({ score: 0, responses: 1, satisfied: 0 });
  });

  test("answer null, not 0, when no one rated", async ({ db }) => {
    const customer = await aCustomer(db);
    await answers(db, customer.id, "CSAT", "2026-03-02T10:00:00Z", [5]);
    expect((await feedbackMetrics(db.prisma)).goodBad).toEqual({
      score: null,
      responses: 0,
      good: 0,
      bad: 0,
    });
  });

  test("trend as the good share per bucket, empty buckets null", async ({ db }) => {
    const customer = await aCustomer(db);
    await answers(db, customer.id, "GOOD_BAD", "2026-03-02T10:00:00Z", [1, 0]);
    await answers(db, customer.id, "GOOD_BAD", "2026-03-04T10:00:00Z", [0]);

    const trend = await feedbackTrend(db.prisma, {
      kind: "GOOD_BAD",
      bucket: "DAY",
      from: new Date("2026-03-02T00:00:00Z"),
      to: new Date("2026-03-05T00:00:00Z"),
    });

    expect(trend.map((point) => [point.responses, point.score])).toEqual([
      [2, 50],
      [0, null],
      [1, 0],
    ]);
  });

  test("are stored only as 0 or 1: the database refuses any other score", async ({ db }) => {
    const customer = await aCustomer(db);
    await expect(answers(db, customer.id, "GOOD_BAD", "2026-03-02T10:00:00Z", [2])).rejects.toThrow(
      /Feedback_score_in_range/,
    );
  });

  test("submitted over GraphQL: a score off the scale is refused with the scale; an account manager measures their own book", async ({
    db,
  }) => {
    const admin = await createTestClient(db);
    const refused = await admin.execute(SubmitFeedbackDocument, {
      input: {
        customer: { identities: [{ kind: "EMAIL", value: "lea@example.com" }] },
        source: "zendesk",
        externalId: "satisfaction:1",
        measure: "GOOD_BAD",
        score: 2,
        respondedAt: "2026-03-02T10:00:00.000Z",
      },
    });
    expect(refused.data?.submitFeedback).toMatchObject({
      __typename: "ValidationError",
      issues: [
        {
          path: ["score"],
          message: "A good/bad rating (1 good, 0 bad) is a whole number from 0 to 1; got 2.",
        },
      ],
    });

    const manager = await db.prisma.principal.create({ data: { name: "Ana" } });
    const own = await aCustomer(db, manager.id);
    const others = await aCustomer(db);
    await answers(db, own.id, "GOOD_BAD", "2026-03-02T10:00:00Z", [1, 0, 0]);
    await answers(db, others.id, "GOOD_BAD", "2026-03-02T10:00:00Z", [1, 1, 1]);
    const client = await createTestClient(db, {
      role: "ACCOUNT_MANAGER",
      principalId: manager.id,
      scopes: [],
    });

    const result = await client.execute(GoodBadRatingsDocument, {
      filter: { from: "2026-03-01T00:00:00.000Z", to: "2026-03-03T00:00:00.000Z" },
      bucket: "DAY",
    });

    expect(result.errors).toBeUndefined();
    expect(result.data?.feedbackMetrics.goodBad).toEqual({ score: 100 / 3, responses: 3, good: 1, bad: 2 });
    expect(result.data?.goodBadTrend.map((point) => point.responses)).toEqual([0, 3]);
  });
});
