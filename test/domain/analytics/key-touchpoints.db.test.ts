import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { keyTouchpoints, MAX_FEATURES } from "../../../src/domain/analytics/key-touchpoints.ts";
import { ValidationError } from "../../../src/domain/errors.ts";
import { DEFAULT_SCORING_POLICY } from "../../../src/policy/scoring-policy.ts";
import { createTestDatabase, test } from "../../helpers/database.ts";
import { insertRows } from "../../helpers/insert-rows.ts";
import {
  AS_OF,
  generateTouchpointCustomers,
  PERIOD,
  seedTouchpointPopulation,
  TRUE_EFFECTS,
  trueRiskRatio,
} from "../../helpers/touchpoint-population.ts";

const context = { asOf: AS_OF, policy: DEFAULT_SCORING_POLICY };
const customers = generateTouchpointCustomers(900, 20260302);

describe("key touchpoints", () => {
  test("explains CSAT satisfaction and high churn risk over the customers each is judged for", async ({
    db,
  }) => {
    const some = customers.slice(0, 300);
    const { customerIds } = await seedTouchpointPopulation(db, some);
    // A CSAT answer from every other customer, satisfied (4–5) unless they waited for a slow reply.
    const answering = customerIds.flatMap((id, index) => (index % 2 === 0 ? [{ id, index }] : []));
    await db.prisma.feedback.createMany({
      data: answering.map(({ id, index }) => ({
        customerId: id,
        source: "fixture",
        externalId: `csat-${index}`,
        kind: "CSAT" as const,
        score: some[index]?.touchpoints.slowReply ? 2 : 5,
        respondedAt: new Date(PERIOD.from.getTime() + (index % 27) * 86_400_000 + 21 * 3_600_000),
      })),
    });
    const csat = await keyTouchpoints(db.prisma, { outcome: "CSAT_SATISFIED", ...PERIOD }, context);
    const answered = some.filter((_, index) => index % 2 === 0);
    expect(csat.customers).toBe(answered.length);
    expect(csat.positives).toBe(answered.filter((c) => !c.touchpoints.slowReply).length);
    expect(csat.drivers[0]).toMatchObject({ key: "SLOW_FIRST_REPLY", direction: "LOWERS" });

    // Scores: HIGH for the customers who sounded negative, LOW for the others.
    await db.prisma.score.createMany({
      data: customerIds.map((customerId, index) => {
        const negative = some[index]?.touchpoints.negative ?? false;
        return {
          customerId,
          churnRisk: negative ? 0.7 : 0.2,
          churnRiskLevel: negative ? ("HIGH" as const) : ("LOW" as const),
          modelVersion: "fixture",
          computedAt: AS_OF,
        };
      }),
    });
    // Today's risk: the period runs up to the request's time.
    const risk = await keyTouchpoints(db.prisma, { outcome: "HIGH_CHURN_RISK", from: PERIOD.from }, context);
    // Judged for the customers with a touchpoint (an interaction) in the period.
    const touched = some.filter(
      (c) =>
        c.touchpoints.support || c.touchpoints.social || c.touchpoints.emailOpened || c.touchpoints.ordered,
    );
    expect(risk.customers).toBe(touched.length);
    expect(risk.positives).toBe(touched.filter((c) => c.touchpoints.negative).length);
    expect(risk.drivers[0]).toMatchObject({ key: "SENTIMENT:NEGATIVE", direction: "RAISES" });
  });

  test("refuses a past period end for high churn risk, which only today's score can tell", async ({ db }) => {
    await seedTouchpointPopulation(db, customers.slice(0, 30));
    const refused = keyTouchpoints(db.prisma, { outcome: "HIGH_CHURN_RISK", ...PERIOD }, context);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toThrow(/current churn risk.*leave period\.to out.*LAPSED/);
    // A period.to after the request's time is the request's time: accepted.
    const later = new Date(AS_OF.getTime() + 86_400_000);
    await expect(
      keyTouchpoints(db.prisma, { outcome: "HIGH_CHURN_RISK", from: PERIOD.from, to: later }, context),
    ).resolves.toMatchObject({ to: AS_OF });
  });

  test(`fits at most ${MAX_FEATURES} touchpoints, the commonest, and names the others in the note`, async ({
    db,
  }) => {
    const { customerIds } = await seedTouchpointPopulation(db, customers);
    // A journey of 60 stages, stage s reached (early on each customer's day) by the first 30 + 12·s customers.
    const journey = await db.prisma.journey.create({
      data: {
        key: "many-steps",
        name: "Many steps",
        stages: {
          create: Array.from({ length: 60 }, (_, s) => ({
            position: s,
            key: `step-${s}`,
            name: `Step ${s}`,
            enteredBy: [`step.${s}`],
          })),
        },
      },
      include: { stages: true },
    });
    const stages = [...journey.stages].sort((a, b) => a.position - b.position);
    const reached = (index: number) => stages.filter((stage) => index < 30 + 12 * stage.position);
    const progress = customerIds.flatMap((customerId, index) => {
      const last = reached(index).at(-1);
      return last
        ? [{ id: randomUUID(), journeyId: journey.id, customerId, currentStageId: last.id, index }]
        : [];
    });
    const dayOf = (index: number) => new Date(PERIOD.from.getTime() + (index % 27) * 86_400_000 + 3_600_000);
    await insertRows(
      db.prisma,
      "JourneyProgress",
      progress.map(({ index, ...row }) => ({
        ...row,
        startedAt: dayOf(index),
        stageEnteredAt: dayOf(index),
      })),
    );
    await insertRows(
      db.prisma,
      "JourneyTransition",
      progress.flatMap(({ id, index }) =>
        reached(index).map((stage) => ({ progressId: id, toStageId: stage.id, occurredAt: dayOf(index) })),
      ),
    );

    const analysis = await keyTouchpoints(db.prisma, { outcome: "NPS_DETRACTOR", ...PERIOD }, context);

    expect(analysis.drivers).toHaveLength(MAX_FEATURES);
    // Step 0 (30 customers) is the rarest eligible touchpoint: left out, and named with its count.
    expect(analysis.note).toMatch(
      new RegExp(`at most ${MAX_FEATURES} touchpoints, those had by the most customers; \\d+ more left out`),
    );
    expect(analysis.note).toContain("reached the stage “Step 0” of the journey “Many steps” (30 customers)");
    const kept = Math.min(...analysis.drivers.map((driver) => driver.customers));
    expect(analysis.note).not.toContain(`“Step 59”`);
    expect(kept).toBeGreaterThanOrEqual(30 + 12 * 20);
  });

  test("says why there are no drivers when too few customers had the outcome", async ({ db }) => {
    await seedTouchpointPopulation(db, customers.slice(0, 12));
    const analysis = await keyTouchpoints(db.prisma, { outcome: "NPS_PROMOTER", ...PERIOD }, context);
    expect(analysis.drivers).toEqual([]);
    expect(analysis.note).toMatch(/Too few outcomes .* needs 10 of each/);
  });

  test("refuses a lapse whose horizon is not over yet, and an empty period, saying what to give", async ({
    db,
  }) => {
    await expect(keyTouchpoints(db.prisma, { outcome: "LAPSED", ...PERIOD }, context)).rejects.toThrow(
      /at least 90 days before now/,
    );
    await expect(
      keyTouchpoints(db.prisma, { outcome: "NPS_DETRACTOR", from: PERIOD.to, to: PERIOD.from }, context),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  test("judges a lapse over the churn horizon after the period", async ({ db }) => {
    const some = customers.slice(0, 60);
    const { customerIds } = await seedTouchpointPopulation(db, some);
    // The first 20 write again in April (inside the 90 days after February); the others fall silent.
    await db.prisma.interaction.createMany({
      data: customerIds.slice(0, 20).map((customerId, index) => ({
        customerId,
        source: "fixture",
        externalId: `april-${index}`,
        channel: "EMAIL" as const,
        kind: "email.received",
        direction: "INBOUND" as const,
        occurredAt: new Date("2026-04-10T10:00:00Z"),
      })),
    });
    const later = { asOf: new Date("2026-06-15T00:00:00Z"), policy: DEFAULT_SCORING_POLICY };
    const analysis = await keyTouchpoints(db.prisma, { outcome: "LAPSED", ...PERIOD }, later);
    // Customers with a touchpoint in February are analysed; those who wrote in April did not lapse.
    const touched = (c: (typeof customers)[number]) =>
      c.touchpoints.support || c.touchpoints.social || c.touchpoints.emailOpened || c.touchpoints.ordered;
    expect(analysis.customers).toBe(some.filter(touched).length);
    expect(analysis.positives).toBe(some.slice(20).filter(touched).length);
  });
});

// The analyses above that only read share one seeded population: writing 900 customers with their
// interactions, journeys and answers is most of each test's time, and an analysis writes nothing.
// Last in the file, so that on PGlite the tests before it reuse the file's instance and this one
// takes it over when they are done (while it holds it, a test asking for a database gets a new one).
interface SeededPopulation {
  db: Database;
  onboardedStageId: string;
  /** Alice owns the customers at even positions, Bob those at odd ones. */
  alice: string;
}

const seededTest = test.extend<{ seeded: SeededPopulation }>({
  seeded: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures take their dependencies as a destructured first argument
    async ({}, use) => {
      const db = await createTestDatabase();
      try {
        const [alice, bob] = await Promise.all(
          ["Alice", "Bob"].map((name) => db.prisma.principal.create({ data: { name } })),
        );
        if (!alice || !bob) throw new Error("no principals");
        const { onboardedStageId } = await seedTouchpointPopulation(db, customers, [alice.id, bob.id]);
        await use({ db, onboardedStageId, alice: alice.id });
      } finally {
        await db.close();
      }
    },
    { scope: "file" },
  ],
});

describe("key touchpoints over one seeded population", () => {
  seededTest(
    "ranks the true drivers first, by the size of their true effect, each inside its interval",
    async ({ seeded: { db, onboardedStageId } }) => {
      const analysis = await keyTouchpoints(db.prisma, { outcome: "NPS_DETRACTOR", ...PERIOD }, context);
      expect(analysis.customers).toBe(900);
      expect(analysis.positives).toBe(customers.filter((c) => c.detractor).length);

      const truths = {
        SLOW_FIRST_REPLY: trueRiskRatio(customers, "slowReply"),
        "SENTIMENT:NEGATIVE": trueRiskRatio(customers, "negative"),
        [`STAGE:${onboardedStageId}`]: trueRiskRatio(customers, "onboarded"),
      };
      const expectedOrder = Object.entries(truths)
        .sort(([, a], [, b]) => Math.abs(Math.log(b)) - Math.abs(Math.log(a)))
        .map(([key]) => key);
      expect(analysis.drivers.slice(0, 3).map((driver) => driver.key)).toEqual(expectedOrder);
      for (const driver of analysis.drivers.slice(0, 3)) {
        const truth = truths[driver.key] as number;
        expect(driver.riskRatio.lower).toBeLessThan(truth);
        expect(driver.riskRatio.upper).toBeGreaterThan(truth);
        expect(driver.direction).toBe(truth > 1 ? "RAISES" : "LOWERS");
      }
      // Every other touchpoint (the support conversation, the social mention, the email, the order) has
      // no effect: its interval spans none.
      const others = analysis.drivers.slice(3);
      expect(others.map((driver) => driver.direction)).toEqual(others.map(() => "UNCLEAR"));
      for (const driver of others) {
        expect(driver.riskRatio.lower).toBeLessThan(1);
        expect(driver.riskRatio.upper).toBeGreaterThan(1);
      }
      // Kinds and channels that cover the same customers are one touchpoint: the kind is kept.
      expect(others.map((driver) => driver.key).sort()).toEqual(
        ["KIND:email.opened", "KIND:message.received", "KIND:order.placed", "KIND:social.mention"].sort(),
      );
      expect(TRUE_EFFECTS.support).toBe(0);
    },
  );

  seededTest("says each driver in a sentence with its interval and its count", async ({ seeded: { db } }) => {
    const analysis = await keyTouchpoints(db.prisma, { outcome: "NPS_DETRACTOR", ...PERIOD }, context);
    const slow = analysis.drivers.find((driver) => driver.key === "SLOW_FIRST_REPLY");
    expect(slow).toMatchObject({
      family: "RESPONSE_DELAY",
      customers: customers.filter((c) => c.touchpoints.slowReply).length,
      positives: customers.filter((c) => c.touchpoints.slowReply && c.detractor).length,
    });
    expect(slow?.sentence).toMatch(
      /^Customers who waited over 4 h for a first reply are \d(\.\d)?× as likely to be detractors \(NPS 0–6\) \(95% CI \d\.\d+–\d\.\d+\), \d+ customers\.$/,
    );
    const onboarded = analysis.drivers.find((driver) => driver.family === "JOURNEY_STAGE");
    expect(onboarded?.sentence).toMatch(
      /^Customers who reached the stage “Onboarded” of the journey “Onboarding” are \d+% less likely to be detractors/,
    );
    const email = analysis.drivers.find((driver) => driver.key === "KIND:email.opened");
    expect(email?.sentence).toMatch(/show no clear effect .* which includes no effect\), \d+ customers\.$/);
  });

  seededTest(
    "counts only the customers of the owner asked for, and only those with the channel asked for",
    async ({ seeded: { db, alice } }) => {
      const alices = await keyTouchpoints(
        db.prisma,
        { outcome: "NPS_DETRACTOR", ...PERIOD, ownerId: alice },
        context,
      );
      const mine = customers.filter((_, index) => index % 2 === 0);
      expect(alices.customers).toBe(mine.length);
      expect(alices.positives).toBe(mine.filter((c) => c.detractor).length);
      const slow = alices.drivers.find((driver) => driver.key === "SLOW_FIRST_REPLY");
      expect(slow?.customers).toBe(mine.filter((c) => c.touchpoints.slowReply).length);

      const support = await keyTouchpoints(
        db.prisma,
        { outcome: "NPS_DETRACTOR", ...PERIOD, channel: "SUPPORT" },
        context,
      );
      expect(support.customers).toBe(customers.filter((c) => c.touchpoints.support).length);
    },
  );

  seededTest(
    "counts only the touchpoints before the answer, and answers in the period",
    async ({ seeded: { db } }) => {
      // Up to 5 February: the customers of the first four days answered (days 0–3 of every 27).
      const early = await keyTouchpoints(
        db.prisma,
        { outcome: "NPS_DETRACTOR", from: PERIOD.from, to: new Date("2026-02-05T00:00:00Z") },
        context,
      );
      expect(early.customers).toBe(customers.filter((_, index) => index % 27 < 4).length);
    },
  );
});
