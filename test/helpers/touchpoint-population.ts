// A seeded customer base whose drivers are known, for the key-touchpoint tests: each customer has some
// touchpoints at random, and answers NPS as a detractor with the probability a logistic model gives
// from three of them (a slow first reply raises it, negative messages raise it, reaching the
// "Onboarded" stage lowers it). The other touchpoints (an email opened, an order, a social mention, a
// support conversation itself) have no effect. `seedTouchpointPopulation` writes it as interactions,
// journey moves and NPS answers, in the week before `AS_OF`.
import { randomUUID } from "node:crypto";
import type { Database } from "../../src/db/database.ts";
import { mulberry32 } from "../../src/demo/generation-helpers.ts";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import { insertRows } from "./insert-rows.ts";

/** The request's "now": Monday 2 March 2026, 12:00 UTC. */
export const AS_OF = new Date("2026-03-02T12:00:00Z");
/** The period analysed: February 2026. */
export const PERIOD = { from: new Date("2026-02-01T00:00:00Z"), to: new Date("2026-03-01T00:00:00Z") };

export const TOUCHPOINTS = [
  "slowReply",
  "negative",
  "onboarded",
  "support",
  "emailOpened",
  "ordered",
  "social",
] as const;
export type Touchpoint = (typeof TOUCHPOINTS)[number];

/** The true model: log-odds of being a detractor. */
export const TRUE_INTERCEPT = -1.2;
export const TRUE_EFFECTS: Record<Touchpoint, number> = {
  slowReply: 1.6,
  negative: 0.9,
  onboarded: -1.4,
  support: 0,
  emailOpened: 0,
  ordered: 0,
  social: 0,
};

export interface GeneratedCustomer {
  touchpoints: Record<Touchpoint, boolean>;
  detractor: boolean;
  /** The true probability of being a detractor. */
  risk: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function trueRisk(touchpoints: Record<Touchpoint, boolean>, effects = TRUE_EFFECTS): number {
  let eta = TRUE_INTERCEPT;
  for (const touchpoint of TOUCHPOINTS) if (touchpoints[touchpoint]) eta += effects[touchpoint];
  return sigmoid(eta);
}

export function generateTouchpointCustomers(count: number, seed: number): GeneratedCustomer[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const support = random() < 0.55;
    const social = random() < 0.5;
    const touchpoints: Record<Touchpoint, boolean> = {
      support,
      // Only a conversation can be slow to get a reply.
      slowReply: support && random() < 0.45,
      social,
      // The tone is read from the customer's social mention.
      negative: social && random() < 0.45,
      onboarded: random() < 0.45,
      emailOpened: random() < 0.4,
      ordered: random() < 0.5,
    };
    const risk = trueRisk(touchpoints);
    return { touchpoints, risk, detractor: random() < risk };
  });
}

/**
 * The true risk ratio of one touchpoint over these customers: mean true risk with it set for everyone
 * over the same with it unset (what the analysis estimates).
 */
export function trueRiskRatio(customers: readonly GeneratedCustomer[], touchpoint: Touchpoint): number {
  const mean = (set: boolean) =>
    customers.reduce((sum, c) => sum + trueRisk({ ...c.touchpoints, [touchpoint]: set }), 0) /
    customers.length;
  return mean(true) / mean(false);
}

const HOUR_MS = 3_600_000;

/** Writes the customers (owned in turn by `owners`, when given) and returns their ids in order. */
export async function seedTouchpointPopulation(
  db: Database,
  customers: readonly GeneratedCustomer[],
  owners: readonly string[] = [],
): Promise<{ customerIds: string[]; onboardedStageId: string }> {
  const journey = await db.prisma.journey.create({
    data: {
      key: "onboarding",
      name: "Onboarding",
      stages: {
        create: [
          { position: 0, key: "signed-up", name: "Signed up", enteredBy: ["account.created"] },
          { position: 1, key: "onboarded", name: "Onboarded", enteredBy: ["onboarding.completed"] },
        ],
      },
    },
    include: { stages: true },
  });
  const [signedUp, onboarded] = [0, 1].map((position) => {
    const stage = journey.stages.find((s) => s.position === position);
    if (!stage) throw new Error(`the journey has no stage ${position}`);
    return stage;
  }) as [(typeof journey.stages)[number], (typeof journey.stages)[number]];

  const customerRows: Prisma.CustomerCreateManyInput[] = [];
  const interactions: Prisma.InteractionCreateManyInput[] = [];
  const feedback: Prisma.FeedbackCreateManyInput[] = [];
  const progress: Prisma.JourneyProgressCreateManyInput[] = [];
  const transitions: Prisma.JourneyTransitionCreateManyInput[] = [];
  customers.forEach((customer, index) => {
    const id = randomUUID();
    customerRows.push({ id, displayName: `Customer ${index}`, ownerId: owners[index % owners.length] });
    // Everything happens on the customer's own day in February; the answer comes last, at 20:00.
    const day = new Date(PERIOD.from.getTime() + (index % 27) * 24 * HOUR_MS);
    const at = (hours: number) => new Date(day.getTime() + hours * HOUR_MS);
    const fact = (
      hours: number,
      fields: Pick<Prisma.InteractionCreateManyInput, "channel" | "kind" | "direction"> &
        Partial<Prisma.InteractionCreateManyInput>,
    ) =>
      interactions.push({
        customerId: id,
        source: "fixture",
        externalId: randomUUID(),
        occurredAt: at(hours),
        ...fields,
      });
    const t = customer.touchpoints;
    if (t.support) {
      const conversationId = `ticket-${index}`;
      fact(8, { channel: "SUPPORT", kind: "message.received", direction: "INBOUND", conversationId });
      // A slow reply comes after 6 hours (over the 4 h threshold), a quick one after 30 minutes.
      fact(t.slowReply ? 14 : 8.5, {
        channel: "SUPPORT",
        kind: "message.sent",
        direction: "OUTBOUND",
        conversationId,
      });
    }
    if (t.social) {
      fact(9, {
        channel: "SOCIAL",
        kind: "social.mention",
        direction: "INBOUND",
        sentiment: t.negative ? -0.6 : 0.1,
      });
    }
    if (t.emailOpened) fact(10, { channel: "EMAIL", kind: "email.opened", direction: "INBOUND" });
    if (t.ordered) fact(11, { channel: "ECOMMERCE", kind: "order.placed", direction: "INBOUND" });
    const progressId = randomUUID();
    progress.push({
      id: progressId,
      journeyId: journey.id,
      customerId: id,
      currentStageId: t.onboarded ? onboarded.id : signedUp.id,
      startedAt: at(1),
      stageEnteredAt: at(t.onboarded ? 12 : 1),
    });
    transitions.push({ progressId, toStageId: signedUp.id, occurredAt: at(1) });
    if (t.onboarded)
      transitions.push({ progressId, fromStageId: signedUp.id, toStageId: onboarded.id, occurredAt: at(12) });
    // A detractor answers 0–6, anyone else 7–10 (passives are not detractors either).
    const score = customer.detractor ? index % 7 : 7 + (index % 4);
    feedback.push({
      customerId: id,
      source: "fixture",
      externalId: randomUUID(),
      kind: "NPS",
      score,
      respondedAt: at(20),
    });
  });
  await insertRows(db.prisma, "Customer", customerRows);
  await insertRows(db.prisma, "Interaction", interactions);
  await insertRows(db.prisma, "JourneyProgress", progress);
  await insertRows(db.prisma, "JourneyTransition", transitions);
  await insertRows(db.prisma, "Feedback", feedback);
  return { customerIds: customerRows.map((row) => row.id as string), onboardedStageId: onboarded.id };
}
