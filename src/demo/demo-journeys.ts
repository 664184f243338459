// The journeys the demo ships, so that the journey funnel and map have data on the first start:
// defined after the demo's history is loaded, they place its customers from that history.
import type { PrismaClient } from "../db/database.ts";
import { defineJourney } from "../domain/journeys/define-journey.ts";
import type { JourneyDefinitionInput } from "../domain/journeys/journey-input.ts";

export const DEMO_JOURNEYS: readonly JourneyDefinitionInput[] = [
  {
    key: "first-order-to-fan",
    name: "From first order to fan",
    description: "Customers who bought, and then talked about the shop on social media.",
    stages: [
      { key: "ordered", name: "Ordered", enteredBy: ["order.placed"] },
      { key: "spoke-up", name: "Mentioned us on social media", enteredBy: ["social.mention"] },
    ],
  },
  {
    key: "support-request",
    name: "Support request",
    description: "Customers who wrote to the shop by email, and whether they got an answer.",
    stages: [
      { key: "wrote-in", name: "Wrote to us", enteredBy: ["email.received"] },
      { key: "answered", name: "Got an answer", enteredBy: ["email.sent"] },
    ],
  },
];

/** Defines the demo journeys; returns their keys. */
export async function defineDemoJourneys(prisma: PrismaClient): Promise<string[]> {
  for (const journey of DEMO_JOURNEYS) await defineJourney(prisma, journey);
  return DEMO_JOURNEYS.map((journey) => journey.key);
}
