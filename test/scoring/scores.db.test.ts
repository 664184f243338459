// Scores on a real database: fresh after every new fact, computed from the stored purchase history
// with the fitted model, kept as history, and served over GraphQL (a customer's scores, an owner's
// at-risk list, model diagnostics, refit and rescore).
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { forecastPurchases, probabilityOfNoPurchaseWithin } from "../../src/scoring/purchase-forecast.ts";
import { rescoreCustomers } from "../../src/scoring/rescore-customers.ts";
import { recordFinishedRescore } from "../../src/scoring/rescore-runs.ts";
import { toFittedModel } from "../../src/scoring/score-model.ts";
import {
  AtRiskCustomersDocument,
  CustomerScoresDocument,
  RefitScoreModelDocument,
  RescoreCustomersDocument,
  ScoreModelDiagnosticsDocument,
  ScoreModelHistoryDocument,
} from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";
import { publishedModel } from "../helpers/published-cdnow-model.ts";
import { recordInteraction, submitFeedback, upsertCustomer } from "../helpers/writes.ts";

const DAY_MS = 86_400_000;
/** The tests' "now": fixed, so that what they check cannot depend on the date or the time of day. */
const NOW = new Date("2026-06-15T15:00:00Z");
const AT_NOW = { clock: () => new Date(NOW) };
const daysAgo = (days: number, hour = 12) => {
  const today = Math.floor(NOW.getTime() / DAY_MS) * DAY_MS;
  return new Date(today - days * DAY_MS + hour * 3_600_000);
};
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");

/** The published CDNOW model, stored as a fitted model would be. */
async function storePublishedModel(db: Database) {
  const record = await db.prisma.scoreModel.create({ data: publishedModel("bgnbd-gg@published-cdnow", NOW) });
  return toFittedModel(record);
}

function order(email: string, externalId: string, at: Date, amount = "30.00") {
  return {
    customer: { identities: [{ kind: "EMAIL" as const, value: email }] },
    source: "shop",
    externalId,
    channel: "ECOMMERCE" as const,
    kind: "order.placed",
    direction: "INBOUND" as const,
    occurredAt: at,
    amount: { amount, currency: "USD" },
  };
}

describe("freshness", () => {
  test("each new fact rescores its customer in the same call; a repeat changes nothing", async ({ db }) => {
    const email = await recordInteraction(
      db.prisma,
      {
        customer: { identities: [{ kind: "EMAIL", value: "ana@example.com" }] },
        source: "mail",
        externalId: "m1",
        channel: "EMAIL",
        kind: "email.received",
        direction: "INBOUND",
        occurredAt: daysAgo(5),
        summary: "Still waiting for my refund",
        sentiment: -0.6,
        conversationId: "thread-1",
      },
      AT_NOW,
    );
    const first = await db.prisma.score.findUniqueOrThrow({ where: { customerId: email.customerId } });
    const factors = (json: unknown) => (json as Array<{ factor: string }>).map((reason) => reason.factor);
    // No purchases: 50% start, raised by the negative message and by the message nobody answered.
    expect(factors(first.reasons).sort()).toEqual(["NO_PURCHASES", "SENTIMENT", "UNANSWERED_MESSAGES"]);
    expect(first.churnRisk).toBeGreaterThan(0.5);
    expect(first.modelVersion).toBe("churn-v2/no-purchase-model");

    const nps = {
      customer: { id: email.customerId },
      source: "survey",
      externalId: "nps-1",
      kind: "NPS" as const,
      score: 2,
      respondedAt: daysAgo(1),
    };
    await submitFeedback(db.prisma, nps, AT_NOW);
    const second = await db.prisma.score.findUniqueOrThrow({ where: { customerId: email.customerId } });
    expect(second.churnRisk).toBeGreaterThan(first.churnRisk);
    expect(factors(second.reasons)).toContain("NPS");
    expect(await db.prisma.scoreHistory.count({ where: { customerId: email.customerId } })).toBe(2);

    // The reply arrives: the unanswered-message factor goes away.
    await recordInteraction(
      db.prisma,
      {
        customer: { id: email.customerId },
        source: "mail",
        externalId: "m2",
        channel: "EMAIL",
        kind: "email.sent",
        direction: "OUTBOUND",
        occurredAt: daysAgo(0, 1),
        conversationId: "thread-1",
      },
      AT_NOW,
    );
    const third = await db.prisma.score.findUniqueOrThrow({ where: { customerId: email.customerId } });
    expect(factors(third.reasons)).not.toContain("UNANSWERED_MESSAGES");
    expect(third.churnRisk).toBeLessThan(second.churnRisk);

    await submitFeedback(db.prisma, nps, AT_NOW);
    expect(await db.prisma.scoreHistory.count({ where: { customerId: email.customerId } })).toBe(3);
  });
});

describe("scores from the purchase model", () => {
  test("orders give the model's P(alive), forecast and CLV for the customer's own history", async ({
    db,
  }) => {
    const model = await storePublishedModel(db);
    // Three purchase days (two orders on the first day count as one transaction), the last 100 days ago.
    for (const [id, days] of [
      ["o1", 200],
      ["o2", 200],
      ["o3", 150],
      ["o4", 100],
    ] as const) {
      await recordInteraction(db.prisma, order("ada@example.com", id, daysAgo(days)), AT_NOW);
    }
    const customer = await db.prisma.customer.findFirstOrThrow();
    const score = await db.prisma.score.findUniqueOrThrow({ where: { customerId: customer.id } });
    expect(score).toMatchObject({ repeatTransactions: 2, modelId: model.id, forecastMonths: 12 });
    expect(score.modelVersion).toBe("churn-v2/bgnbd-gg@published-cdnow");

    // The same numbers straight from the model, for x = 2, t_x = 100/7, T = 200/7 weeks; the repeat
    // purchases were worth 30 each (the first day's 60 is not a repeat purchase).
    const history = { frequency: 2, recency: 100 / 7, age: 200 / 7 };
    const expected = forecastPurchases(model, history, 30, { horizonMonths: 12, annualDiscountRate: 0.1 });
    expect(score.probabilityAlive).toBeCloseTo(expected.probabilityAlive, 9);
    expect(score.expectedTransactions).toBeCloseTo(expected.expectedTransactions, 9);
    expect(score.clv?.toString()).toBe((expected.lifetimeValue ?? Number.NaN).toFixed(2));
    expect(Number(score.averageRepeatSpend)).toBe(30);
    // A model without learned churn weights scores with the defaults: the log-odds of the model's chance
    // of no purchase within the churn horizon, plus the full engagement drop (four purchases in the 180-day
    // baseline, none in the last 30 days: a purchase is activity) at its default weight 1.5.
    const none = probabilityOfNoPurchaseWithin(model, history, DEFAULT_SCORING_POLICY.churnHorizonDays);
    const logOdds = Math.log(none / (1 - none)) + DEFAULT_SCORING_POLICY.weights.engagementDrop;
    expect(score.churnRisk).toBeCloseTo(1 / (1 + Math.exp(-logOdds)), 9);

    const client = await createTestClient(db, AT_NOW);
    const result = await client.execute(CustomerScoresDocument, {
      id: globalId("Customer", customer.id),
      horizonMonths: 6,
    });
    expect(result.errors).toBeUndefined();
    const served = result.data?.customer?.score;
    expect(served?.reasons.map((reason) => reason.factor)).toEqual(["ENGAGEMENT_DROP", "PURCHASE_PATTERN"]);
    expect(served?.reasons[1]?.explanation).toContain("3 purchases, most recently 100 days ago");
    expect(served?.lifetimeValue).toEqual({
      amount: (expected.lifetimeValue ?? Number.NaN).toFixed(2),
      currency: "USD",
    });
    const sixMonths = forecastPurchases(model, history, 30, { horizonMonths: 6, annualDiscountRate: 0.1 });
    expect(served?.purchaseForecast?.horizonMonths).toBe(6);
    expect(served?.purchaseForecast?.expectedPurchases).toBeCloseTo(sixMonths.expectedTransactions, 9);
    expect(served?.purchaseForecast?.expectedPurchases).toBeLessThan(served?.expectedPurchases ?? 0);
    // Four orders, three snapshots: the second order of the first day changed nothing.
    expect(result.data?.customer?.scoreHistory.totalCount).toBe(3);
  });

  test("a score read days later says true things: days count to the reader's clock, and asOf says when it holds", async ({
    db,
  }) => {
    await storePublishedModel(db);
    for (const [id, days] of [
      ["o1", 200],
      ["o3", 150],
      ["o4", 100],
    ] as const) {
      await recordInteraction(db.prisma, order("ada@example.com", id, daysAgo(days)), AT_NOW);
    }
    const customer = await db.prisma.customer.findFirstOrThrow();
    const read = async (at: Date) => {
      const client = await createTestClient(db, { clock: () => new Date(at) });
      const result = await client.execute(CustomerScoresDocument, {
        id: globalId("Customer", customer.id),
        horizonMonths: 6,
      });
      expect(result.errors).toBeUndefined();
      const score = result.data?.customer?.score;
      if (!score) throw new Error("no score");
      const snapshot = result.data?.customer?.scoreHistory.edges[0]?.node;
      const saidThen = new Map(snapshot?.reasons.map((reason) => [reason.factor, reason.explanation]));
      return {
        ...score,
        said: new Map(score.reasons.map((reason) => [reason.factor, reason.explanation])),
        saidThen,
      };
    };

    const today = await read(NOW);
    expect(today.computedAt).toBe(NOW.toISOString());
    expect(today.asOf).toBe(NOW.toISOString());
    expect(today.said.get("PURCHASE_PATTERN")).toContain("3 purchases, most recently 100 days ago");
    expect(today.said.get("ENGAGEMENT_DROP")).toContain("in the last 30 days");

    // Ten days on, with no scheduled run since: the same stored score, its days counted to now, its
    // window named by the day it was counted to, and it holds as of when it was computed.
    const later = new Date(NOW.getTime() + 10 * DAY_MS);
    const unrun = await read(later);
    expect(unrun.asOf).toBe(NOW.toISOString());
    expect(unrun.said.get("PURCHASE_PATTERN")).toContain("3 purchases, most recently 110 days ago");
    expect(unrun.said.get("ENGAGEMENT_DROP")).toContain("in the 30 days to 2026-06-15");
    // The history says what was true when each snapshot was taken, whenever it is read.
    expect(unrun.saidThen.get("PURCHASE_PATTERN")).toContain("3 purchases, most recently 100 days ago");
    expect(unrun.saidThen.get("ENGAGEMENT_DROP")).toContain("in the last 30 days");
    expect(unrun.reasons.map((reason) => reason.weight)).toEqual(
      today.reasons.map((reason) => reason.weight),
    );

    // A scheduled run that found the score unchanged nine days on: it holds as of the run's instant.
    const ranAt = new Date(NOW.getTime() + 9 * DAY_MS);
    await recordFinishedRescore(db.prisma, { key: "run-of-day-9", asOf: ranAt, slices: 1 });
    expect((await read(later)).asOf).toBe(ranAt.toISOString());
    expect((await read(later)).computedAt).toBe(NOW.toISOString());
    // A reader whose clock is before the run does not see it.
    expect((await read(new Date(ranAt.getTime() - 1))).asOf).toBe(NOW.toISOString());
  });
});

describe("at-risk lists", () => {
  test("an owner's at-risk customers, riskiest first, in one query", async ({ db }) => {
    await storePublishedModel(db);
    const ana = await db.prisma.principal.create({ data: { name: "Ana" } });
    const bo = await db.prisma.principal.create({ data: { name: "Bo" } });
    // Long gone, lapsing, and active: the purchase model ranks them in that order.
    const histories: Array<[string, string, number[]]> = [
      ["gone@example.com", ana.id, [700, 690]],
      ["lapsing@example.com", ana.id, [300, 250, 200]],
      ["active@example.com", ana.id, [60, 40, 20, 10, 3]],
      ["other@example.com", bo.id, [700, 690]],
    ];
    const ids: Record<string, string> = {};
    for (const [email, ownerId, days] of histories) {
      for (const [index, day] of days.entries()) {
        const { customerId } = await recordInteraction(
          db.prisma,
          order(email, `${email}-${index}`, daysAgo(day)),
          AT_NOW,
        );
        ids[email] = customerId;
      }
      await db.prisma.customer.update({ where: { id: ids[email] }, data: { ownerId } });
    }
    // Known to the hub without any facts yet: scored from the start at the neutral 50%.
    const { customer: newcomer } = await upsertCustomer(
      db.prisma,
      {
        identities: [{ kind: "EMAIL", value: "new@example.com" }],
        displayName: "Newcomer",
      },
      {},
      AT_NOW,
    );
    await db.prisma.customer.update({ where: { id: newcomer.id }, data: { ownerId: ana.id } });

    const risk = async (email: string) =>
      (await db.prisma.score.findUniqueOrThrow({ where: { customerId: ids[email] ?? "" } })).churnRisk;
    expect(await risk("gone@example.com")).toBeGreaterThan(await risk("lapsing@example.com"));
    expect(await risk("lapsing@example.com")).toBeGreaterThan(await risk("active@example.com"));

    const admin = await createTestClient(db, AT_NOW);
    const all = await admin.execute(AtRiskCustomersDocument, {
      ownerId: globalId("Principal", ana.id),
      levels: null,
    });
    expect(all.errors).toBeUndefined();
    expect(all.data?.customers.edges.map((edge) => edge.node.displayName ?? edge.node.id)).toEqual([
      globalId("Customer", ids["gone@example.com"] ?? ""),
      globalId("Customer", ids["lapsing@example.com"] ?? ""),
      "Newcomer",
      globalId("Customer", ids["active@example.com"] ?? ""),
    ]);

    const manager = await createTestClient(db, { role: "ACCOUNT_MANAGER", principalId: ana.id, ...AT_NOW });
    const atRisk = await manager.execute(AtRiskCustomersDocument, { levels: ["HIGH", "CRITICAL"] });
    expect(atRisk.errors).toBeUndefined();
    const listed = atRisk.data?.customers.edges.map((edge) => edge.node.id) ?? [];
    expect(listed[0]).toBe(globalId("Customer", ids["gone@example.com"] ?? ""));
    expect(listed).not.toContain(globalId("Customer", ids["other@example.com"] ?? ""));
    for (const edge of atRisk.data?.customers.edges ?? []) {
      expect(["HIGH", "CRITICAL"]).toContain(edge.node.score?.churnRiskLevel);
      expect(edge.node.score?.reasons.length).toBeGreaterThan(0);
    }
    expect(atRisk.data?.customers.totalCount).toBe(listed.length);
  });
});

describe("score model history", () => {
  test("scoreModels pages through every fit, newest first, and counts them all", async ({ db }) => {
    for (const [version, fittedAt] of [
      ["bgnbd-gg@first", "2026-03-01T00:00:00Z"],
      ["bgnbd-gg@third", "2026-05-01T00:00:00Z"],
      ["bgnbd-gg@second", "2026-04-01T00:00:00Z"],
    ] as const) {
      await db.prisma.scoreModel.create({ data: publishedModel(version, new Date(fittedAt)) });
    }
    const analyst = await createTestClient(db, { role: "ANALYST", ...AT_NOW });
    const first = await analyst.execute(ScoreModelHistoryDocument, { first: 2 });
    expect(first.errors).toBeUndefined();
    expect(first.data?.scoreModels.totalCount).toBe(3);
    expect(first.data?.scoreModels.edges.map((edge) => edge.node.version)).toEqual([
      "bgnbd-gg@third",
      "bgnbd-gg@second",
    ]);
    expect(first.data?.scoreModels.pageInfo.hasNextPage).toBe(true);
    const rest = await analyst.execute(ScoreModelHistoryDocument, {
      first: 2,
      after: first.data?.scoreModels.pageInfo.endCursor,
    });
    expect(rest.data?.scoreModels.edges.map((edge) => edge.node.version)).toEqual(["bgnbd-gg@first"]);
    expect(rest.data?.scoreModels.totalCount).toBe(3);

    const member = await createTestClient(db, { role: "ACCOUNT_MANAGER", ...AT_NOW });
    const refused = await member.execute(ScoreModelHistoryDocument, { first: 2 });
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("refit and rescore", () => {
  test("refitting with too little history says how much there is and how much it needs", async ({ db }) => {
    await recordInteraction(db.prisma, order("ada@example.com", "o1", daysAgo(10)), AT_NOW);
    const admin = await createTestClient(db, AT_NOW);
    const result = await admin.execute(RefitScoreModelDocument);
    const refused = result.data?.refitScoreModel;
    if (refused?.__typename !== "ConflictError")
      throw new Error(`expected a ConflictError: ${refused?.__typename}`);
    const message = refused.message;
    expect(message).toContain("1 customer(s) bought something");
    expect(message).toContain("needs at least 20 and 5");
    expect(await db.prisma.scoreModel.count()).toBe(0);
  });

  test("a refit fits, stores and rescores everyone; only admins may", async ({ db }) => {
    // 40 buyers, half of whom bought again at varying spacing.
    const rows = [];
    for (let n = 0; n < 40; n++) {
      rows.push(order(`c${n}@example.com`, `o${n}-a`, daysAgo(300 - n * 5), `${10 + n}.00`));
      if (n % 2 === 0) rows.push(order(`c${n}@example.com`, `o${n}-b`, daysAgo(100 - n * 2), `${12 + n}.00`));
      if (n % 4 === 0) rows.push(order(`c${n}@example.com`, `o${n}-c`, daysAgo(30 - n / 2), `${15 + n}.00`));
    }
    for (const row of rows) await recordInteraction(db.prisma, row, AT_NOW);

    const analyst = await createTestClient(db, { role: "ANALYST", ...AT_NOW });
    const refused = await analyst.execute(RefitScoreModelDocument);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const admin = await createTestClient(db, AT_NOW);
    const refit = await admin.execute(RefitScoreModelDocument);
    expect(refit.errors).toBeUndefined();
    const payload = refit.data?.refitScoreModel;
    if (payload?.__typename !== "RefitScoreModelPayload")
      throw new Error(`refit failed: ${payload?.__typename}`);
    expect(payload.rescoredCustomers).toBe(40);
    expect(payload.model).toMatchObject({ customersFitted: 40, repeatCustomersFitted: 20 });
    const { r, alpha, a, b, logLikelihood } = payload.model.repeatPurchaseModel;
    for (const value of [r, alpha, a, b]) expect(value).toBeGreaterThan(0);
    expect(logLikelihood).toBeLessThan(0);
    const version = `churn-v2/${payload.model.version}`;
    expect(await db.prisma.score.count({ where: { modelVersion: version } })).toBe(40);

    const diagnostics = await analyst.execute(ScoreModelDiagnosticsDocument);
    expect(diagnostics.data?.scoreModel?.version).toBe(payload.model.version);
    // Stored with the fit: which estimates sit on the search box's bounds, as the fit reported them.
    const stored = await db.prisma.scoreModel.findFirstOrThrow();
    expect(diagnostics.data?.scoreModel?.repeatPurchaseModel.parametersAtBound).toEqual(stored.bgNbdAtBound);
    expect(diagnostics.data?.scoreModel?.repeatPurchaseModel.converged).toBe(stored.bgNbdConverged);
    expect(diagnostics.data?.scoringPolicy).toMatchObject({ churnHorizonDays: 90, currency: "USD" });

    const one = await db.prisma.customer.findFirstOrThrow({ where: { score: { isNot: null } } });
    const rescore = await admin.execute(RescoreCustomersDocument, {
      input: { customerIds: [globalId("Customer", one.id)] },
    });
    expect(rescore.data?.rescoreCustomers).toEqual({
      __typename: "RescoreCustomersPayload",
      rescoredCustomers: 1,
      modelVersion: version,
    });
  });

  test("a bulk rescore as of a past moment ignores later facts", async ({ db }) => {
    await storePublishedModel(db);
    await recordInteraction(db.prisma, order("ada@example.com", "o1", daysAgo(400)), AT_NOW);
    await recordInteraction(db.prisma, order("ada@example.com", "o2", daysAgo(5)), AT_NOW);
    const customer = await db.prisma.customer.findFirstOrThrow();
    const asOf = daysAgo(200);
    const result = await rescoreCustomers(db.prisma, { policy: DEFAULT_SCORING_POLICY, asOf });
    expect(result.rescored).toBe(1);
    const score = await db.prisma.score.findUniqueOrThrow({ where: { customerId: customer.id } });
    // As of 200 days ago there was one purchase: no repeat purchase yet.
    expect(score).toMatchObject({ repeatTransactions: 0, computedAt: asOf });
    expect(score.probabilityAlive).toBe(1);
  });
});
