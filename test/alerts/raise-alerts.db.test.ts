// Alerts raised by real rescores on a real database: by the facts that move a score, once per
// crossing, with everything an account manager needs stored; never for a first score; once when two
// transactions rescore the same crossing at the same time.
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { storeRecords } from "../../src/domain/records/store-records.ts";
import { rescoreWithAlerts } from "../../src/pipeline/rescore-with-alerts.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { test } from "../helpers/database.ts";
import { recordInteraction, submitFeedback, upsertCustomer } from "../helpers/writes.ts";

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

async function customerOwnedBy(db: Database, email: string) {
  const owner = await db.prisma.principal.create({ data: { name: "Ana Souza", email: `am-${email}` } });
  const { customer } = await upsertCustomer(db.prisma, {
    identities: [{ kind: "EMAIL", value: email }],
    displayName: "Bea Lima",
  });
  await db.prisma.customer.update({ where: { id: customer.id }, data: { ownerId: owner.id } });
  return { customerId: customer.id, ownerId: owner.id };
}

/** A survey answer: NPS 0 lifts a customer without purchases from 50% to HIGH, 10 brings them down. */
function nps(db: Database, customerId: string, score: number, id: string, at = minutesAgo(1)) {
  return submitFeedback(db.prisma, {
    customer: { id: customerId },
    source: "survey",
    externalId: id,
    kind: "NPS",
    score,
    respondedAt: at,
  });
}

/** An angry message, unanswered: with a detractor answer it takes the risk past CRITICAL. */
function angryMessage(db: Database, customerId: string, id: string) {
  return recordInteraction(db.prisma, {
    customer: { id: customerId },
    source: "mail",
    externalId: id,
    channel: "EMAIL",
    kind: "email.received",
    direction: "INBOUND",
    occurredAt: minutesAgo(1),
    summary: "This is the third time I ask for my refund",
    sentiment: -0.9,
  });
}

describe("raising alerts", () => {
  test("a detractor answer that takes a customer into HIGH raises one alert with what the manager needs", async ({
    db,
  }) => {
    const { customerId, ownerId } = await customerOwnedBy(db, "bea@example.com");
    const before = await db.prisma.score.findUniqueOrThrow({ where: { customerId } });
    expect(before.churnRiskLevel).toBe("MEDIUM");

    await nps(db, customerId, 0, "nps-1");
    const alerts = await db.prisma.alert.findMany({ where: { customerId } });
    const score = await db.prisma.score.findUniqueOrThrow({ where: { customerId } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      ownerId,
      level: "HIGH",
      score: score.churnRisk,
      previousScore: before.churnRisk,
      previousLevel: "MEDIUM",
      status: "OPEN",
      publishedAt: null,
      triggerKey: `${customerId}:HIGH:1`,
    });
    expect(alerts[0]?.reasons).toEqual(score.reasons);

    // Another detractor answer keeps the customer HIGH: no second alert.
    await nps(db, customerId, 1, "nps-2");
    expect(await db.prisma.alert.count({ where: { customerId } })).toBe(1);
  });

  test("escalating to CRITICAL is a second alert; a promoter's drop and a new detractor within the day are not", async ({
    db,
  }) => {
    const { customerId } = await customerOwnedBy(db, "caio@example.com");
    await nps(db, customerId, 0, "nps-1", minutesAgo(30));
    await angryMessage(db, customerId, "mail-1");
    const levels = async () =>
      (await db.prisma.alert.findMany({ where: { customerId }, orderBy: { id: "asc" } })).map((a) => a.level);
    expect(await levels()).toEqual(["HIGH", "CRITICAL"]);

    await nps(db, customerId, 10, "nps-2", minutesAgo(20));
    const calmer = await db.prisma.score.findUniqueOrThrow({ where: { customerId } });
    expect(calmer.churnRisk).toBeLessThan(0.75);
    await nps(db, customerId, 0, "nps-3", minutesAgo(10));
    expect((await db.prisma.score.findUniqueOrThrow({ where: { customerId } })).churnRiskLevel).toBe(
      "CRITICAL",
    );
    expect(await levels()).toEqual(["HIGH", "CRITICAL"]);
    expect(await db.prisma.customerAlertState.findUnique({ where: { customerId } })).toMatchObject({
      alertedLevel: "CRITICAL",
      alertCount: 2,
    });
  });

  test("scoring customers for the first time raises nothing, however many are at risk", async ({ db }) => {
    // A bulk load (the demo, a first sync): facts written without rescoring, then scored at once.
    const customers = await db.prisma.customer.createManyAndReturn({
      data: Array.from({ length: 30 }, (_, i) => ({ displayName: `Customer ${i}` })),
    });
    await db.prisma.feedback.createMany({
      data: customers.map((customer, i) => ({
        customerId: customer.id,
        source: "survey",
        externalId: `first-${i}`,
        kind: "NPS" as const,
        score: 0,
        respondedAt: minutesAgo(5),
      })),
    });
    const result = await rescoreWithAlerts(db.prisma, {
      policy: DEFAULT_SCORING_POLICY,
      asOf: new Date(),
      customerIds: customers.map((customer) => customer.id),
    });
    expect(result.changes.every((change) => change.level === "HIGH")).toBe(true);
    expect(result.alerts).toEqual([]);
    expect(await db.prisma.alert.count()).toBe(0);
    // They start at HIGH: only an escalation alerts them from here.
    expect(await db.prisma.customerAlertState.count({ where: { alertedLevel: "HIGH" } })).toBe(30);
  });

  test("two transactions rescoring the same crossing at once raise it once", async ({ db }) => {
    const { customerId } = await customerOwnedBy(db, "dora@example.com");
    // The fact lands without a rescore; then two rescores (two server instances) race over it.
    await nps(db, customerId, 0, "nps-1").then(() => undefined);
    await db.prisma.alert.deleteMany();
    await db.prisma.customerAlertState.deleteMany();
    await db.prisma.score.update({
      where: { customerId },
      data: { churnRisk: 0.5, churnRiskLevel: "MEDIUM" },
    });

    const race = () =>
      rescoreWithAlerts(db.prisma, {
        policy: DEFAULT_SCORING_POLICY,
        customerIds: [customerId],
        asOf: new Date(),
      });
    const results = await Promise.all([race(), race(), race()]);
    expect(results.flatMap((result) => result.alerts)).toHaveLength(1);
    expect(await db.prisma.alert.count({ where: { customerId } })).toBe(1);
  });

  test("a rescore rolled back with its transaction leaves no alert behind", async ({ db }) => {
    const { customerId } = await customerOwnedBy(db, "edu@example.com");
    await expect(
      db.prisma.$transaction(async (tx) => {
        // The pipeline's steps inside a caller's transaction: store, then rescore with alert decisions.
        const now = new Date();
        const input = { customer: { id: customerId }, source: "survey", externalId: "nps-1" };
        await storeRecords(
          tx,
          [{ type: "feedback", input: { ...input, kind: "NPS", score: 0, respondedAt: minutesAgo(1) } }],
          { now },
        );
        await rescoreWithAlerts(tx, { policy: DEFAULT_SCORING_POLICY, customerIds: [customerId], asOf: now });
        expect(await tx.alert.count()).toBe(1);
        throw new Error("the caller's transaction fails later");
      }),
    ).rejects.toThrow("fails later");
    expect(await db.prisma.alert.count()).toBe(0);
  });
});
