// Every live buyer's purchase history as the customer-base models read it: (x, t_x, T) and the mean
// value of the repeat purchases, as of any moment. The purchase model is fitted on these (score-model.ts),
// and so is the backtest's model as of its cutoff (backtest.ts).
import type { Db } from "../db/database.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import { purchaseDaysSql } from "./customer-signals.ts";
import type { PurchaseHistory } from "./models/bg-nbd.ts";
import { purchaseHistoryAt } from "./models/purchase-summary.ts";

/** Below these, maximum likelihood has too little to go on and the parameters would mislead. */
export const MIN_BUYERS_TO_FIT = 20;
export const MIN_REPEAT_BUYERS_TO_FIT = 5;

export interface BuyerHistory {
  customerId: string;
  history: PurchaseHistory;
  /** Mean value of the repeat transactions when every one of them had a value in the currency. */
  averageRepeatSpend: number | null;
}

interface PurchaseRow {
  customer_id: string;
  transactions: number;
  first_day: Date;
  last_day: Date;
  repeat_spend: number | null;
  repeat_valued: number | null;
}

/** Every live buyer's (x, t_x, T) and repeat spend as of `asOf`. */
export async function readBuyerHistories(db: Db, asOf: Date, policy: ScoringPolicy): Promise<BuyerHistory[]> {
  const rows = await db.$queryRaw<PurchaseRow[]>(Prisma.sql`
    WITH target AS (SELECT "id" FROM "Customer" WHERE "mergedIntoId" IS NULL),
    ${purchaseDaysSql(asOf, policy)}
    SELECT p."customerId" AS customer_id, p.transactions, p.first_day, p.last_day,
           p.repeat_spend, p.repeat_valued
    FROM purchases p
  `);
  return rows.map((row) => {
    const history = purchaseHistoryAt(
      { transactions: row.transactions, firstDay: row.first_day, lastDay: row.last_day },
      asOf,
    );
    return {
      customerId: row.customer_id,
      history,
      averageRepeatSpend: averageRepeatSpend(history.frequency, row.repeat_spend, row.repeat_valued),
    };
  });
}

/**
 * The mean value of the repeat transactions, or null when it is unknown to the spend model: some had
 * no value in the currency, or they were worth nothing (Gamma-Gamma is defined for positive spend
 * only; such customers get the population's expected spend).
 */
export function averageRepeatSpend(
  repeatTransactions: number,
  spend: number | null,
  valued: number | null,
): number | null {
  return repeatTransactions > 0 && spend !== null && spend > 0 && valued === repeatTransactions
    ? spend / repeatTransactions
    : null;
}
