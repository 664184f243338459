// A seeded, generated customer base with every channel the churn model reads, and a known outcome:
// each customer either lapses in the horizon after `asOf` (no purchase, no message, no answer) or
// does something in it. Whether they lapse depends on their purchase pattern and on a hidden
// disaffection that their engagement, the tone of their messages, their survey answers and the
// replies they waited for reveal, noisily. So a model that reads the other channels should rank the
// lapsers better than one that reads purchases alone; the test and the bench measure by how much.
import { mulberry32 } from "../../src/demo/generation-helpers.ts";
import type { Prisma } from "../../src/generated/prisma/client.ts";

const DAY_MS = 86_400_000;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export interface GeneratedPopulation {
  customers: Prisma.CustomerCreateManyInput[];
  interactions: Prisma.InteractionCreateManyInput[];
  feedback: Prisma.FeedbackCreateManyInput[];
  /** Whether each customer lapsed in (asOf, asOf + horizon]. */
  lapsed: Map<string, boolean>;
}

export function generateMultichannelPopulation(options: {
  customers: number;
  asOf: Date;
  horizonDays: number;
  seed?: number;
}): GeneratedPopulation {
  const { asOf, horizonDays } = options;
  const random = mulberry32(options.seed ?? 20260630);
  const noise = (scale: number) => (random() - 0.5) * 2 * scale;
  const at = (daysBefore: number) => new Date(asOf.getTime() - daysBefore * DAY_MS);
  const population: GeneratedPopulation = {
    customers: [],
    interactions: [],
    feedback: [],
    lapsed: new Map(),
  };
  let serial = 0;
  const fact = (
    customerId: string,
    fields: Omit<Prisma.InteractionCreateManyInput, "customerId" | "source" | "externalId">,
  ) =>
    population.interactions.push({ customerId, source: "generated", externalId: `f${++serial}`, ...fields });
  const order = (customerId: string, daysBefore: number) =>
    fact(customerId, {
      channel: "ECOMMERCE",
      kind: "order.placed",
      direction: "INBOUND",
      occurredAt: at(daysBefore),
      amount: (20 + random() * 60).toFixed(2),
      currency: "USD",
    });

  for (let n = 0; n < options.customers; n++) {
    const id = `00000000-0000-7000-8000-${String(n).padStart(12, "0")}`;
    population.customers.push({ id, displayName: `Customer ${n}` });
    const disaffection = random();

    // Purchases: a Poisson stream from joining until asOf, at the customer's own rate.
    const joined = 120 + random() * 280;
    const perDay = 0.004 + random() * 0.03;
    let last = joined;
    let purchases = 0;
    for (let day = joined; day > 0; day -= -Math.log(1 - random()) / perDay) {
      order(id, day);
      last = day;
      purchases++;
    }
    const lapses =
      random() <
      sigmoid(-2.6 + 3.6 * disaffection + Math.min(last / 100, 3) - 0.12 * Math.min(purchases, 10));
    population.lapsed.set(id, lapses);

    // Engagement: about one visit a month before the last 30 days, and lately only when content.
    for (let day = 31; day < 210; day += 30) {
      fact(id, {
        channel: "WEB",
        kind: "web.visit",
        direction: "INBOUND",
        occurredAt: at(day + random() * 25),
      });
    }
    if (random() > disaffection) {
      fact(id, {
        channel: "WEB",
        kind: "web.visit",
        direction: "INBOUND",
        occurredAt: at(1 + random() * 28),
      });
    }
    // Messages: tone follows the mood, with noise; the disaffected are more often left unanswered.
    for (let message = 0; message < 2; message++) {
      const conversationId = `c${n}-${message}`;
      const sent = at(3 + random() * 80);
      fact(id, {
        channel: "EMAIL",
        kind: "email.received",
        direction: "INBOUND",
        occurredAt: sent,
        sentiment: Math.max(-1, Math.min(1, 0.6 - 1.2 * disaffection + noise(0.5))),
        conversationId,
      });
      if (random() > disaffection * 0.6) {
        fact(id, {
          channel: "EMAIL",
          kind: "email.sent",
          direction: "OUTBOUND",
          occurredAt: new Date(sent.getTime() + 6 * 3_600_000),
          conversationId,
        });
      }
    }
    // Surveys: most answer NPS, some CSAT, their answers following the mood.
    if (random() < 0.7) {
      population.feedback.push({
        customerId: id,
        source: "generated",
        externalId: `nps-${n}`,
        kind: "NPS",
        score: Math.max(0, Math.min(10, Math.round(10 - 9 * disaffection + noise(2)))),
        respondedAt: at(10 + random() * 150),
      });
    }
    if (random() < 0.4) {
      population.feedback.push({
        customerId: id,
        source: "generated",
        externalId: `csat-${n}`,
        kind: "CSAT",
        score: Math.max(1, Math.min(5, Math.round(5 - 4 * disaffection + noise(1)))),
        respondedAt: at(5 + random() * 100),
      });
    }
    // The outcome: who stays does something in the horizon after asOf, a visit or an order.
    if (!lapses) {
      const day = -(1 + random() * (horizonDays - 2));
      if (random() < 0.5) order(id, day);
      else fact(id, { channel: "WEB", kind: "web.visit", direction: "INBOUND", occurredAt: at(day) });
    }
  }
  return population;
}
