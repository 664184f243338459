import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { ValidationError } from "../../../src/domain/errors.ts";
import { feedbackMetrics } from "../../../src/domain/feedback/feedback-metrics.ts";
import type { Channel, FeedbackKind } from "../../../src/generated/prisma/enums.ts";
import { test } from "../../helpers/database.ts";

const JAN_10 = new Date("2026-01-10T12:00:00Z");

async function aCustomer(db: Database, ownerId?: string) {
  return db.prisma.customer.create({ data: { displayName: "Grace Hopper", ownerId: ownerId ?? null } });
}

async function answers(
  db: Database,
  customerId: string,
  kind: FeedbackKind,
  scores: number[],
  options: { at?: Date; channel?: Channel } = {},
) {
  await db.prisma.feedback.createMany({
    data: scores.map((score) => ({
      customerId,
      source: "survey",
      externalId: randomUUID(),
      kind,
      score,
      channel: options.channel ?? "EMAIL",
      respondedAt: options.at ?? JAN_10,
    })),
  });
}

describe("feedback metrics", () => {
  test("computes NPS as % promoters minus % detractors, with the counts beside it", async ({ db }) => {
    const customer = await aCustomer(db);
    await answers(db, customer.id, "NPS", [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]);
    const { nps } = await feedbackMetrics(db.prisma, {});
    expect(nps).toEqual({
      score: 20,
      responses: 10,
      promoters: 5,
      passives: 2,
      detractors: 3,
      promoterPercent: 50,
      passivePercent: 20,
      detractorPercent: 30,
    });
  });

  test("keeps percentages at full precision for the API to round", async ({ db }) => {
    const customer = await aCustomer(db);
    await answers(db, customer.id, "NPS", [10, 8, 8]);
    await answers(db, customer.id, "CSAT", [5, 1, 2]);
    const { nps, csat } = await feedbackMetrics(db.prisma);
    expect(nps.promoterPercent).toBe(100 / 3);
    expect(nps.passivePercent).toBe(200 / 3);
    expect(nps.detractorPercent).toBe(0);
    expect(nps.score).toBe(100 / 3);
    expect(csat.score).toBe(100 / 3);
  });

  test("computes CSAT as the share of 4s and 5s", async ({ db }) => {
    const customer = await aCustomer(db);
    await answers(db, customer.id, "CSAT", [5, 4, 4, 2]);
    const { csat } = await feedbackMetrics(db.prisma);
    expect(csat).toEqual({ score: 75, responses: 4, satisfied: 3 });
  });

  test("gives the CES average and a distribution over all seven scores", async ({ db }) => {
    const customer = await aCustomer(db);
    await answers(db, customer.id, "CES", [1, 2, 2, 5, 7]);
    const { ces } = await feedbackMetrics(db.prisma);
    expect(ces.average).toBe(3.4);
    expect(ces.responses).toBe(5);
    expect(ces.distribution).toEqual([
      { score: 1, count: 1 },
      { score: 2, count: 2 },
      { score: 3, count: 0 },
      { score: 4, count: 0 },
      { score: 5, count: 1 },
      { score: 6, count: 0 },
      { score: 7, count: 1 },
    ]);
  });

  test("keeps each measure to its own answers", async ({ db }) => {
    const customer = await aCustomer(db);
    await answers(db, customer.id, "NPS", [0]);
    await answers(db, customer.id, "CSAT", [5]);
    await answers(db, customer.id, "CES", [4]);
    const metrics = await feedbackMetrics(db.prisma);
    expect([metrics.nps.score, metrics.csat.score, metrics.ces.average]).toEqual([-100, 100, 4]);
    expect([metrics.nps.responses, metrics.csat.responses, metrics.ces.responses]).toEqual([1, 1, 1]);
  });

  test("answers null, not 0, when no one responded", async ({ db }) => {
    const metrics = await feedbackMetrics(db.prisma, {});
    expect(metrics.nps).toEqual({
      score: null,
      responses: 0,
      promoters: 0,
      passives: 0,
      detractors: 0,
      promoterPercent: null,
      passivePercent: null,
      detractorPercent: null,
    });
    expect(metrics.csat).toEqual({ score: null, responses: 0, satisfied: 0 });
    expect(metrics.ces.average).toBeNull();
    expect(metrics.ces.distribution.map((bucket) => bucket.count)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  test("counts answers from `from` up to but not including `to`", async ({ db }) => {
    const customer = await aCustomer(db);
    await answers(db, customer.id, "NPS", [10], { at: new Date("2026-01-01T00:00:00Z") });
    await answers(db, customer.id, "NPS", [0], { at: new Date("2026-01-31T23:59:59.999Z") });
    await answers(db, customer.id, "NPS", [0, 0], { at: new Date("2026-02-01T00:00:00Z") });
    await answers(db, customer.id, "NPS", [0], { at: new Date("2025-12-31T23:59:59.999Z") });
    const { nps } = await feedbackMetrics(db.prisma, {
      from: new Date("2026-01-01T00:00:00Z"),
      to: new Date("2026-02-01T00:00:00Z"),
    });
    expect({ responses: nps.responses, score: nps.score }).toEqual({ responses: 2, score: 0 });
  });

  test("narrows to one channel", async ({ db }) => {
    const customer = await aCustomer(db);
    await answers(db, customer.id, "CSAT", [5, 5], { channel: "SUPPORT" });
    await answers(db, customer.id, "CSAT", [1], { channel: "WEB" });
    const { csat } = await feedbackMetrics(db.prisma, { channel: "SUPPORT" });
    expect(csat).toEqual({ score: 100, responses: 2, satisfied: 2 });
  });

  test("narrows to the customers an account manager owns, or to given customers", async ({ db }) => {
    const manager = await db.prisma.principal.create({ data: { name: "Ann Manager" } });
    const other = await db.prisma.principal.create({ data: { name: "Olaf Other" } });
    const mine = await aCustomer(db, manager.id);
    const theirs = await aCustomer(db, other.id);
    const nobodys = await aCustomer(db);
    await answers(db, mine.id, "CES", [2, 4]);
    await answers(db, theirs.id, "CES", [7]);
    await answers(db, nobodys.id, "CES", [1]);

    const owned = await feedbackMetrics(db.prisma, { ownerId: manager.id });
    expect({ average: owned.ces.average, responses: owned.ces.responses }).toEqual({
      average: 3,
      responses: 2,
    });

    const chosen = await feedbackMetrics(db.prisma, { customerIds: [theirs.id, nobodys.id] });
    expect({ average: chosen.ces.average, responses: chosen.ces.responses }).toEqual({
      average: 4,
      responses: 2,
    });

    const none = await feedbackMetrics(db.prisma, { customerIds: [] });
    expect(none.ces.responses).toBe(0);
  });

  test("refuses an empty window and a malformed owner id with the field named", async ({ db }) => {
    const at = new Date("2026-01-01T00:00:00Z");
    await expect(feedbackMetrics(db.prisma, { from: at, to: at })).rejects.toThrow(
      /"from" .* must be before "to"/,
    );
    const error = await feedbackMetrics(db.prisma, { ownerId: "ann" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toEqual(["ownerId"]);
  });

  test("runs inside a caller's transaction", async ({ db }) => {
    const customer = await aCustomer(db);
    const score = await db.prisma.$transaction(async (tx) => {
      await tx.feedback.create({
        data: {
          customerId: customer.id,
          source: "survey",
          externalId: "x",
          kind: "NPS",
          score: 9,
          respondedAt: JAN_10,
        },
      });
      return (await feedbackMetrics(tx)).nps.score;
    });
    expect(score).toBe(100);
  });
});
