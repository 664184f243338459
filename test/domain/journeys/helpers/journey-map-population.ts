// A small journey whose map is known exactly: four customers, their history written first, then the
// journey defined over it (so defineJourney places them). Shared by the domain and the GraphQL tests.
import { randomUUID } from "node:crypto";
import type { Database } from "../../../../src/db/database.ts";
import { defineJourney } from "../../../../src/domain/journeys/define-journey.ts";
import type { FeedbackKind } from "../../../../src/generated/prisma/enums.ts";

export const T0 = new Date("2026-06-01T00:00:00Z");
export const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);
export const HOUR = 3600;
/** The request's clock: 100 hours after T0. */
export const NOW = at(100);

interface Touch {
  hours: number;
  kind: string;
  sentiment?: number;
}
interface Answer {
  hours: number;
  kind: FeedbackKind;
  score: number;
}

/**
 * Four customers whose history is written first; defining the journey (visited → carted → ordered)
 * then places them from it. Hours after T0; the map is asked at hour 100.
 *   A (Ana's): visited 0 (+0.5), carted 2 (−0.5), ordered 5 (+1.0); NPS 10 at 1, CSAT 5 at 3
 *   B (Ana's): visited 0 (−1.0), carted 4, an email at 50 (+0.1); NPS 3 at 6, CES 2 at 7 — still carted
 *   C (Bo's):  a complaint at −5 (−0.9, before the journey), visited 1, ordered 2 (skips carted); NPS 8 at 1.5
 *   D (Bo's):  visited 3; carted at 200 and NPS 9 at 200 (after the clock: not known yet) — still visiting
 */
export async function seedJourneyMap(db: Database) {
  const ana = await db.prisma.principal.create({ data: { name: "Ana" } });
  const bo = await db.prisma.principal.create({ data: { name: "Bo" } });
  const people: Array<{ name: string; ownerId: string; touches: Touch[]; answers: Answer[] }> = [
    {
      name: "A",
      ownerId: ana.id,
      touches: [
        { hours: 0, kind: "web.visit", sentiment: 0.5 },
        { hours: 2, kind: "cart.created", sentiment: -0.5 },
        { hours: 5, kind: "order.placed", sentiment: 1 },
      ],
      answers: [
        { hours: 1, kind: "NPS", score: 10 },
        { hours: 3, kind: "CSAT", score: 5 },
      ],
    },
    {
      name: "B",
      ownerId: ana.id,
      touches: [
        { hours: 0, kind: "web.visit", sentiment: -1 },
        { hours: 4, kind: "cart.created" },
        { hours: 50, kind: "email.received", sentiment: 0.1 },
      ],
      answers: [
        { hours: 6, kind: "NPS", score: 3 },
        { hours: 7, kind: "CES", score: 2 },
      ],
    },
    {
      name: "C",
      ownerId: bo.id,
      touches: [
        { hours: -5, kind: "email.received", sentiment: -0.9 },
        { hours: 1, kind: "web.visit" },
        { hours: 2, kind: "order.placed" },
      ],
      answers: [{ hours: 1.5, kind: "NPS", score: 8 }],
    },
    {
      name: "D",
      ownerId: bo.id,
      touches: [
        { hours: 3, kind: "web.visit" },
        { hours: 200, kind: "cart.created", sentiment: -1 },
      ],
      answers: [{ hours: 200, kind: "NPS", score: 9 }],
    },
  ];
  for (const person of people) {
    const customer = await db.prisma.customer.create({
      data: { displayName: person.name, ownerId: person.ownerId },
    });
    await db.prisma.interaction.createMany({
      data: person.touches.map((touch) => ({
        customerId: customer.id,
        source: "test",
        externalId: randomUUID(),
        channel: touch.kind.startsWith("email") ? "EMAIL" : "ECOMMERCE",
        kind: touch.kind,
        direction: "INBOUND",
        occurredAt: at(touch.hours),
        sentiment: touch.sentiment ?? null,
      })),
    });
    await db.prisma.feedback.createMany({
      data: person.answers.map((answer) => ({
        customerId: customer.id,
        source: "test",
        externalId: randomUUID(),
        kind: answer.kind,
        score: answer.score,
        respondedAt: at(answer.hours),
      })),
    });
  }
  const journey = await defineJourney(db.prisma, {
    key: "purchase",
    name: "Purchase",
    stages: [
      { key: "visited", name: "Visited", enteredBy: ["web.visit"] },
      { key: "carted", name: "Carted", enteredBy: ["cart.created"] },
      { key: "ordered", name: "Ordered", enteredBy: ["order.placed"] },
    ],
  });
  return { journey, ana, bo };
}
