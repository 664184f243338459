// One load per test database: loading the demo takes seconds, so each test checks several things.
import { describe, expect } from "vitest";
import { readCdnowSample } from "../../src/demo/cdnow.ts";
import { loadDemoData } from "../../src/demo/load-demo-data.ts";
import { responseSpeed } from "../../src/domain/analytics/response-speed.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { test } from "../helpers/database.ts";

const now = new Date("2026-11-23T12:00:00Z");

describe("the demo dataset", () => {
  test("loads every CDNOW sample purchase as a recent order, with the other channels around them, once", async ({
    db,
  }) => {
    const report = await loadDemoData(db.prisma, { now });
    expect(report.alreadyLoaded).toBe(false);

    // Every purchase, to the cent.
    expect(await db.prisma.customer.count()).toBe(2357);
    expect(await db.prisma.principal.count()).toBe(4);
    const orders = await db.prisma.interaction.aggregate({
      where: { kind: "order.placed" },
      _count: true,
      _sum: { amount: true },
    });
    const purchases = await readCdnowSample();
    const cents = purchases.reduce((sum, purchase) => sum + Math.round(Number(purchase.dollars) * 100), 0);
    expect(orders._count).toBe(6919);
    expect(orders._sum.amount?.mul(100).toNumber()).toBe(cents);

    // The other channels, and the unanswered emails the churn signals need.
    const channels = await db.prisma.interaction.groupBy({ by: ["channel"], _count: true });
    expect(channels.map((group) => group.channel).sort()).toEqual(["ECOMMERCE", "EMAIL", "SOCIAL"]);
    const feedback = await db.prisma.feedback.groupBy({ by: ["kind"], _count: true });
    expect(feedback.map((group) => group.kind).sort()).toEqual(["CES", "CSAT", "NPS"]);
    const unanswered = await db.prisma.$queryRaw<Array<{ count: bigint }>>`
      SELECT count(*) AS count FROM "Interaction" inbound
       WHERE inbound.kind = 'email.received'
         AND NOT EXISTS (SELECT 1 FROM "Interaction" reply
                          WHERE reply."conversationId" = inbound."conversationId" AND reply.direction = 'OUTBOUND')`;
    expect(Number(unanswered[0]?.count)).toBeGreaterThan(0);

    // Conversations worth timing on first start: replies on email and social, next responses, reopenings.
    const speed = await responseSpeed(
      db.prisma,
      { groupBy: ["CHANNEL"] },
      { asOf: now, settings: DEFAULT_SCORING_POLICY.responseSpeed },
    );
    expect(speed.groups.map((group) => group.channel).sort()).toEqual(["EMAIL", "SOCIAL"]);
    for (const group of speed.groups) expect(group.figures.firstResponse.count).toBeGreaterThan(0);
    expect(speed.overall.nextResponse.count).toBeGreaterThan(0);
    expect(speed.overall.reopenings).toBeGreaterThan(0);
    expect(speed.overall.waiting).toBeGreaterThan(0);

    // Recent: 78 weeks of history ending yesterday, nothing in the future, last seen kept.
    const range = await db.prisma.interaction.aggregate({
      _max: { occurredAt: true },
      _min: { occurredAt: true },
    });
    expect(range._max.occurredAt?.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(range._max.occurredAt?.toISOString().slice(0, 10)).toBe("2026-11-22");
    const weeks =
      ((range._max.occurredAt?.getTime() ?? 0) - (range._min.occurredAt?.getTime() ?? 0)) / (7 * 86_400_000);
    expect(Math.round(weeks)).toBe(78);
    const customer = await db.prisma.customer.findFirstOrThrow({ include: { interactions: true } });
    const times = customer.interactions.map((interaction) => interaction.occurredAt.getTime());
    expect(customer.lastSeenAt?.getTime()).toBeGreaterThanOrEqual(Math.max(...times));

    // Two journeys, their customers placed from the history just loaded.
    const funnel = await db.prisma.journeyProgress.groupBy({
      by: ["journeyId"],
      _count: true,
      where: { journey: { key: { in: ["first-order-to-fan", "support-request"] } } },
    });
    expect(funnel).toHaveLength(2);
    const ordered = await db.prisma.journeyTransition.count({
      where: { toStage: { key: "ordered", journey: { key: "first-order-to-fan" } }, fromStageId: null },
    });
    // Every demo customer has an order; those whose first fact was a mention start at "spoke-up".
    const buyers = await db.prisma.interaction.groupBy({
      by: ["customerId"],
      where: { kind: "order.placed" },
    });
    expect(ordered).toBeGreaterThan(0);
    expect(ordered).toBeLessThanOrEqual(buyers.length);
    const answered = await db.prisma.journeyProgress.count({
      where: { journey: { key: "support-request" }, currentStage: { key: "answered" } },
    });
    expect(answered).toBeGreaterThan(0);

    // Once: a second load finds it and changes nothing.
    const counts = await db.prisma.interaction.count();
    expect((await loadDemoData(db.prisma, { now })).alreadyLoaded).toBe(true);
    expect(await db.prisma.interaction.count()).toBe(counts);
    expect(await db.prisma.customer.count()).toBe(2357);
  }, 120_000);
});
