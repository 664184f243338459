// Score changes at chosen risks, for tests of the alert decisions on their own: what the scoring
// model makes of facts is another module's business (and changes with it).
import type { Database } from "../../../src/db/database.ts";
import type { ScoreChange } from "../../../src/scoring/rescore-customers.ts";

export const levelOf = (risk: number) =>
  risk >= 0.8 ? "CRITICAL" : risk >= 0.6 ? "HIGH" : risk >= 0.4 ? "MEDIUM" : ("LOW" as const);

/** Customers (with an owner, or none) whose risks the tests set by hand. */
export async function customers(db: Database, count: number, ownerId: string | null = null) {
  const rows = await db.prisma.customer.createManyAndReturn({
    data: Array.from({ length: count }, (_, i) => ({ displayName: `Customer ${i}`, ownerId })),
    select: { id: true, ownerId: true },
  });
  return rows;
}

export type Move = { customer: { id: string; ownerId: string | null }; from: number | null; to: number };

/** The score changes of a rescore in which each customer's risk moves from `from` to `to`. */
export function changesOf(moves: Move[], now: Date): ScoreChange[] {
  return moves.map(({ customer, from, to }) => ({
    customerId: customer.id,
    ownerId: customer.ownerId,
    previousRisk: from,
    previousLevel: from === null ? null : levelOf(from),
    churnRisk: to,
    level: levelOf(to),
    reasons: [
      {
        factor: "NPS",
        value: 0,
        contribution: 1.2,
        weight: 1,
        explanation: "Answered 0 to the NPS survey: a detractor.",
      },
    ],
    computedAt: now,
  }));
}

export const intoHigh = (customer: Move["customer"]): Move => ({ customer, from: 0.5, to: 0.7 });
export const intoCritical = (customer: Move["customer"]): Move => ({ customer, from: 0.5, to: 0.9 });
