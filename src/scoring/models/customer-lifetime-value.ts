// Customer lifetime value over a finite horizon: the BG/NBD purchases expected in each coming month,
// times the expected spend per purchase (Gamma-Gamma), discounted to today. This is the discounted
// cash flow of the `lifetimes` package's customer_lifetime_value (Davidson-Pilon et al.), with the
// discount rate given per year, as finance states it, and converted to the equivalent monthly rate.
import {
  type BgNbdParameters,
  type ExpectationMemo,
  expectedTransactions,
  type PurchaseHistory,
} from "./bg-nbd.ts";

/** An average Gregorian month in weeks (365.25 / 12 / 7 ≈ 4.348); `lifetimes` uses 4.345. */
export const AVERAGE_WEEKS_PER_MONTH = 365.25 / 12 / 7;

export interface LifetimeValueOptions {
  /** Whole months ahead to count. */
  horizonMonths: number;
  /** Yearly cost of capital, 0.1 for 10 %; month i is discounted by (1 + rate)^(−i/12). */
  annualDiscountRate: number;
  /** Length of a month in the model's time unit (weeks). Default AVERAGE_WEEKS_PER_MONTH. */
  weeksPerMonth?: number;
}

/** The monthly rate that compounds to `annualRate` over 12 months: (1 + annual)^(1/12) − 1. */
export function monthlyDiscountRate(annualRate: number): number {
  if (!(Number.isFinite(annualRate) && annualRate > -1)) {
    throw new RangeError(
      `An annual discount rate must be a finite number above −1 (0.1 for 10 %); got ${annualRate}.`,
    );
  }
  return Math.expm1(Math.log1p(annualRate) / 12);
}

/**
 * Σᵢ₌₁..H (E[Y(i·m)] − E[Y((i−1)·m)]) · spend / (1 + monthly rate)^i, with E[Y(t)] the BG/NBD
 * conditional expectation for this history and m the month in weeks. Revenue is counted in the month
 * it is expected and discounted by whole months, as `lifetimes` does.
 */
export function customerLifetimeValue(
  params: BgNbdParameters,
  history: PurchaseHistory,
  expectedSpend: number,
  options: LifetimeValueOptions,
  memo?: ExpectationMemo,
): number {
  const { horizonMonths } = options;
  const weeksPerMonth = options.weeksPerMonth ?? AVERAGE_WEEKS_PER_MONTH;
  if (!(Number.isInteger(horizonMonths) && horizonMonths >= 0)) {
    throw new RangeError(`A CLV horizon must be a whole number of months ≥ 0; got ${horizonMonths}.`);
  }
  if (!(Number.isFinite(weeksPerMonth) && weeksPerMonth > 0)) {
    throw new RangeError(`A month must be a positive number of weeks; got ${weeksPerMonth}.`);
  }
  if (!Number.isFinite(expectedSpend)) {
    throw new RangeError(`The expected spend per transaction must be a finite amount; got ${expectedSpend}.`);
  }
  const monthlyFactor = 1 + monthlyDiscountRate(options.annualDiscountRate);
  let value = 0;
  let expectedSoFar = 0;
  for (let month = 1; month <= horizonMonths; month++) {
    const expectedByMonthEnd = expectedTransactions(params, history, month * weeksPerMonth, memo);
    value += ((expectedByMonthEnd - expectedSoFar) * expectedSpend) / monthlyFactor ** month;
    expectedSoFar = expectedByMonthEnd;
  }
  return value;
}
