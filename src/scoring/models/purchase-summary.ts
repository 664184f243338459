// From one customer's raw purchases to the models' inputs: repeat transactions x, recency t_x and age T
// in weeks, and the mean value of the repeat transactions. As in the papers (and the CDNOW summaries
// they publish), purchases on the same calendar day are one transaction worth their sum, and the first
// day's transaction is the "trial" the models do not count: x is the number of purchase days after it.
// Days are UTC calendar days, so the result does not depend on the server's time zone.
import type { PurchaseHistory } from "./bg-nbd.ts";

export interface Purchase {
  at: Date;
  /** Value in the shop's currency (the same for all of a customer's purchases). */
  amount: number;
}

export interface PurchaseSummary extends PurchaseHistory {
  /** zbar: mean value of the repeat transactions (the first day's excluded); 0 when x = 0. */
  averageSpend: number;
  /** Transactions (purchase days) up to asOf, the first included: x + 1. */
  transactions: number;
}

const DAY_MS = 86_400_000;

/**
 * The models' (x, t_x, T) from purchase days: repeat transactions, weeks from the first to the last
 * purchase day, weeks from the first purchase day to asOf's day. The one conversion the hub's SQL
 * summaries and summarizePurchases both go through.
 */
export function purchaseHistoryAt(
  purchases: { transactions: number; firstDay: Date; lastDay: Date },
  asOf: Date,
): PurchaseHistory {
  const asOfDay = Math.floor(asOf.getTime() / DAY_MS);
  const firstDay = Math.floor(purchases.firstDay.getTime() / DAY_MS);
  const lastDay = Math.floor(purchases.lastDay.getTime() / DAY_MS);
  return {
    frequency: purchases.transactions - 1,
    recency: (lastDay - firstDay) / 7,
    age: (Math.max(asOfDay, lastDay) - firstDay) / 7,
  };
}

/**
 * Summarises the purchases made at or before `asOf` (the end of the calibration period; later ones
 * are ignored), or returns null when there are none: the customer had not been acquired yet. T runs
 * from the first purchase day to asOf's day, so pass the last instant you mean to include.
 */
export function summarizePurchases(purchases: readonly Purchase[], asOf: Date): PurchaseSummary | null {
  const end = asOf.getTime();
  if (!Number.isFinite(end)) throw new RangeError("asOf must be a valid date.");
  const valueByDay = new Map<number, number>();
  purchases.forEach((purchase, index) => {
    const at = purchase.at.getTime();
    if (!Number.isFinite(at)) throw new RangeError(`Purchase ${index} has an invalid date.`);
    if (!Number.isFinite(purchase.amount)) {
      throw new RangeError(`Purchase ${index} has amount ${purchase.amount}; it must be a finite number.`);
    }
    if (at > end) return;
    const day = Math.floor(at / DAY_MS);
    valueByDay.set(day, (valueByDay.get(day) ?? 0) + purchase.amount);
  });
  if (valueByDay.size === 0) return null;

  const days = [...valueByDay.keys()].sort((p, q) => p - q);
  const history = purchaseHistoryAt(
    {
      transactions: days.length,
      firstDay: new Date((days[0] as number) * DAY_MS),
      lastDay: new Date((days[days.length - 1] as number) * DAY_MS),
    },
    asOf,
  );
  let repeatValue = 0;
  for (const day of days.slice(1)) repeatValue += valueByDay.get(day) ?? 0;
  return {
    ...history,
    averageSpend: history.frequency > 0 ? repeatValue / history.frequency : 0,
    transactions: days.length,
  };
}
