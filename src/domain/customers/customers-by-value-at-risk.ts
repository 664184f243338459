// A page of customers in order of value at risk (Score."valueAtRisk" = clv × churnRisk), read by
// keyset from the score index ("valueAtRisk" DESC NULLS LAST, "customerId" DESC), so that a page
// costs about a page whichever page it is. Prisma's own cursor pagination reads every row after the
// cursor and cuts the page in memory; this reads in two index ranges instead: customers with a value
// at risk, then those without one (who sort last in either direction, by ID).
//
// Only customers with a score are listed: callers use it when their filter already asks for one
// (an at-risk list), so that it lists exactly what the general query would.
import type { Db } from "../../db/database.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

export interface ValueAtRiskPage<Args extends Prisma.CustomerDefaultArgs> {
  /** Conditions on the score row (churn risk level, thresholds). */
  scoreWhere: Prisma.ScoreWhereInput[];
  /** Conditions on the customer (visibility, owner, search, …). */
  customerWhere: Prisma.CustomerWhereInput[];
  direction: Prisma.SortOrder;
  /** Rows to return: positive reads forward from the cursor, negative backward (as Prisma's take). */
  take: number;
  /** The customer ID the page starts after (forward) or ends before (backward); excluded. */
  cursorId?: string;
  /** What to read of each customer: Prisma's `{ select }` or `{ include }` for Customer ({} for its columns). */
  customer: Args;
}

type Segment = "valued" | "unvalued";

const flip = (direction: Prisma.SortOrder): Prisma.SortOrder => (direction === "asc" ? "desc" : "asc");

export async function customersByValueAtRisk<Args extends Prisma.CustomerDefaultArgs>(
  db: Db,
  page: ValueAtRiskPage<Args>,
): Promise<Prisma.CustomerGetPayload<Args>[]> {
  const backward = page.take < 0;
  const limit = Math.abs(page.take);
  // Walking the list backward is walking the reversed order forward: the other direction, and the
  // customers without a value at risk first instead of last.
  const walk = backward ? flip(page.direction) : page.direction;
  const segments: Segment[] = backward ? ["unvalued", "valued"] : ["valued", "unvalued"];
  const cursor = page.cursorId === undefined ? undefined : await cursorPosition(db, page.cursorId);
  const later = walk === "desc" ? "lt" : "gt";
  const laterOrSame = walk === "desc" ? "lte" : "gte";

  const rows: Prisma.CustomerGetPayload<Args>[] = [];
  let passedCursor = cursor === undefined;
  for (const segment of segments) {
    if (rows.length >= limit) break;
    const atCursor = cursor !== undefined && cursor.segment === segment;
    if (!passedCursor && !atCursor) continue; // The cursor lies further on.
    let range: Prisma.ScoreWhereInput;
    if (atCursor && segment === "valued" && cursor.value !== null) {
      range = {
        valueAtRisk: { [laterOrSame]: cursor.value },
        OR: [{ valueAtRisk: { [later]: cursor.value } }, { customerId: { [later]: cursor.id } }],
      };
    } else if (atCursor) {
      range = { valueAtRisk: null, customerId: { [later]: cursor.id } };
    } else {
      range = { valueAtRisk: segment === "valued" ? { not: null } : null };
    }
    passedCursor = true;
    const found = await db.score.findMany({
      where: { AND: [...page.scoreWhere, { customer: { AND: page.customerWhere } }, range] },
      // The index's order read forward (desc) or backward (asc): NULLS is moot within a segment,
      // but naming the index's own keeps the plan an index scan that stops after `take` rows.
      orderBy: [
        { valueAtRisk: { sort: walk, nulls: walk === "desc" ? "last" : "first" } },
        { customerId: walk },
      ],
      take: limit - rows.length,
      select: { customer: page.customer as Prisma.CustomerDefaultArgs },
    });
    // Prisma types a generic selection's payload only once it is concrete: it is Args' payload.
    rows.push(...found.map((score) => score.customer as Prisma.CustomerGetPayload<Args>));
  }
  return backward ? rows.reverse() : rows;
}

/** Where a customer sits in the order: by their score's value at risk, or last without one. */
async function cursorPosition(db: Db, customerId: string) {
  const score = await db.score.findUnique({ where: { customerId }, select: { valueAtRisk: true } });
  const value = score?.valueAtRisk ?? null;
  return { id: customerId, value, segment: (value === null ? "unvalued" : "valued") as Segment };
}
