// From a customer's purchase days and a fitted model to what the account manager sees: the chance
// they are still a customer, the purchases and spend to expect over a horizon, and the purchases to
// expect within the churn horizon (churn risk's purchase signal). Time is in weeks, as the models are fitted.
import {
  type ExpectationMemo,
  expectedTransactions,
  type PurchaseHistory,
  probabilityAlive,
  probabilityOfNoPurchase,
} from "./models/bg-nbd.ts";
import { AVERAGE_WEEKS_PER_MONTH, customerLifetimeValue } from "./models/customer-lifetime-value.ts";
import { expectedAverageSpend } from "./models/gamma-gamma.ts";
import type { FittedScoreModel } from "./score-model.ts";

const WEEK_DAYS = 7;

export interface PurchaseForecast {
  probabilityAlive: number;
  /** Expected purchases (transaction days) over the horizon. */
  expectedTransactions: number;
  /** Expected value of one transaction, when the spend model is fitted and spend is known. */
  expectedSpendPerTransaction: number | null;
  /** Discounted expected revenue over the horizon; null without a spend model. */
  lifetimeValue: number | null;
  horizonMonths: number;
}

export function forecastPurchases(
  model: FittedScoreModel,
  history: PurchaseHistory,
  averageRepeatSpend: number | null,
  options: { horizonMonths: number; annualDiscountRate: number },
  memo?: ExpectationMemo,
): PurchaseForecast {
  const weeks = options.horizonMonths * AVERAGE_WEEKS_PER_MONTH;
  const spend = expectedSpend(model, history.frequency, averageRepeatSpend);
  return {
    probabilityAlive: probabilityAlive(model.bgNbd, history),
    expectedTransactions: expectedTransactions(model.bgNbd, history, weeks, memo),
    expectedSpendPerTransaction: spend,
    lifetimeValue:
      spend === null
        ? null
        : customerLifetimeValue(
            model.bgNbd,
            history,
            spend,
            {
              horizonMonths: options.horizonMonths,
              annualDiscountRate: options.annualDiscountRate,
            },
            memo,
          ),
    horizonMonths: options.horizonMonths,
  };
}

/**
 * The Gamma-Gamma expectation of one transaction's value. A customer whose repeat purchases have no
 * known value (another currency) gets the population mean, as a customer with none does. Null without
 * a spend model, or when the fitted q ≤ 1 makes the population mean infinite.
 */
function expectedSpend(model: FittedScoreModel, frequency: number, averageRepeatSpend: number | null) {
  const gg = model.gammaGamma;
  if (!gg) return null;
  const known = frequency > 0 && averageRepeatSpend !== null;
  if (!known && gg.q <= 1) return null;
  return known ? expectedAverageSpend(gg, frequency, averageRepeatSpend) : expectedAverageSpend(gg, 0, 0);
}

/**
 * The purchases expected within `days`, which a churn reason cites beside the chance of none. Alone,
 * it ranks CDNOW's next-quarter churners a little better than the model's own P(no purchase) does
 * (and 1 − P(alive) worse than chance: BG/NBD gives every one-time buyer P(alive) = 1); beside the
 * other features in the learned churn model, P(no purchase) does better (below).
 */
export function expectedPurchasesWithin(
  model: FittedScoreModel,
  history: PurchaseHistory,
  days: number,
  memo?: ExpectationMemo,
): number {
  return expectedTransactions(model.bgNbd, history, days / WEEK_DAYS, memo);
}

/**
 * The model's chance of no purchase within `days`: (1 − P(alive)) + P(alive) · P(no purchase | alive).
 * Churn risk's purchase signal enters as its log-odds. It is not e^(−expected purchases), which treats
 * the purchases as Poisson with a known rate: the model's rate is uncertain and the customer may have
 * dropped out, so a one-time buyer CDNOW's model expects to make 0.15 purchases has a 90% chance of
 * none, not 86%. On CDNOW (bench, python exploration in the commit) the model's own chance ranks and
 * calibrates the backtest's lapses better than e^(−expected) does beside the other features.
 */
export function probabilityOfNoPurchaseWithin(
  model: FittedScoreModel,
  history: PurchaseHistory,
  days: number,
): number {
  return probabilityOfNoPurchase(model.bgNbd, history, days / WEEK_DAYS);
}
