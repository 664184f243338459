// Fitting the purchase model on the hub's own order history, storing it, and reading the one in use.
// A fit reads every live customer's purchase days up to the calibration end in one statement, fits
// BG/NBD on all buyers and Gamma-Gamma on those who bought again with a known value, and stores the
// parameters with their diagnostics. Scores then use the newest model until the next fit.
import type { Db } from "../db/database.ts";
import { parseStoredJson } from "../db/stored-json.ts";
import { ConflictError } from "../domain/errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import { purchaseDaysSql } from "./customer-signals.ts";
import {
  type BgNbdParameters,
  bgNbdParametersSchema,
  fitBgNbd,
  type PurchaseHistory,
} from "./models/bg-nbd.ts";
import {
  fitGammaGamma,
  type GammaGammaParameters,
  gammaGammaParametersSchema,
} from "./models/gamma-gamma.ts";
import { purchaseHistoryAt } from "./models/purchase-summary.ts";

/** Below these, maximum likelihood has too little to go on and the parameters would mislead. */
export const MIN_BUYERS_TO_FIT = 20;
export const MIN_REPEAT_BUYERS_TO_FIT = 5;

export interface FittedScoreModel {
  id: string;
  version: string;
  bgNbd: BgNbdParameters;
  gammaGamma: GammaGammaParameters | null;
  currency: string;
  calibrationEnd: Date;
}

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

/**
 * Fits the model on purchases up to `calibrationEnd` (the caller's clock) and stores it as the model in
 * use. Throws a ConflictError when there is too little purchase history to fit.
 */
export async function fitScoreModel(
  db: Db,
  options: { policy: ScoringPolicy; calibrationEnd: Date },
): Promise<FittedScoreModel & { record: Prisma.ScoreModelGetPayload<object> }> {
  const { calibrationEnd } = options;
  const started = performance.now();
  const buyers = await readBuyerHistories(db, calibrationEnd, options.policy);
  const repeaters = buyers.filter((buyer) => buyer.history.frequency > 0);
  if (buyers.length < MIN_BUYERS_TO_FIT || repeaters.length < MIN_REPEAT_BUYERS_TO_FIT) {
    throw new ConflictError(
      `Too little purchase history to fit the purchase model: ${buyers.length} customer(s) bought something by ${calibrationEnd.toISOString()} and ${repeaters.length} bought again; it needs at least ${MIN_BUYERS_TO_FIT} and ${MIN_REPEAT_BUYERS_TO_FIT}. Purchases are interactions of kind ${options.policy.purchaseKinds.join(", ")}.`,
    );
  }
  const bgNbd = fitBgNbd(buyers.map((buyer) => buyer.history));
  const spenders = repeaters.flatMap((buyer) =>
    buyer.averageRepeatSpend !== null && buyer.averageRepeatSpend > 0
      ? [{ frequency: buyer.history.frequency, averageSpend: buyer.averageRepeatSpend }]
      : [],
  );
  const gammaGamma = spenders.length >= MIN_REPEAT_BUYERS_TO_FIT ? fitGammaGamma(spenders) : null;
  const fitMilliseconds = Math.round(performance.now() - started);
  const fittedAt = new Date();
  const record = await db.scoreModel.create({
    data: {
      version: `bgnbd-gg@${fittedAt.toISOString()}`,
      calibrationEnd,
      currency: options.policy.currency,
      customersFitted: buyers.length,
      repeatCustomersFitted: repeaters.length,
      bgNbd: { ...bgNbd.parameters },
      bgNbdLogLikelihood: bgNbd.logLikelihood,
      bgNbdConverged: bgNbd.converged,
      bgNbdAtBound: bgNbd.atBound,
      gammaGamma: gammaGamma ? { ...gammaGamma.parameters } : Prisma.DbNull,
      gammaGammaLogLikelihood: gammaGamma?.logLikelihood ?? null,
      gammaGammaAtBound: gammaGamma?.atBound ?? [],
      fitMilliseconds,
      fittedAt,
    },
  });
  return { ...toFittedModel(record), record };
}

/** The model in use: the newest fit, or null before the first. */
export async function currentScoreModel(db: Db): Promise<FittedScoreModel | null> {
  const record = await db.scoreModel.findFirst({ orderBy: [{ fittedAt: "desc" }, { id: "desc" }] });
  return record ? toFittedModel(record) : null;
}

export function toFittedModel(record: Prisma.ScoreModelGetPayload<object>): FittedScoreModel {
  return {
    id: record.id,
    version: record.version,
    bgNbd: storedBgNbd(record),
    gammaGamma: storedGammaGamma(record),
    currency: record.currency,
    calibrationEnd: record.calibrationEnd,
  };
}

const REFIT = "Refit the purchase model (refitScoreModel): scores then use a model this hub can read.";

/** A stored model's BG/NBD parameters; a StoredDataError naming the row when they do not fit. */
export function storedBgNbd(
  record: Pick<Prisma.ScoreModelGetPayload<object>, "id" | "bgNbd">,
): BgNbdParameters {
  return parseStoredJson(bgNbdParametersSchema, record.bgNbd, {
    table: "ScoreModel",
    column: "bgNbd",
    rowId: record.id,
    remedy: REFIT,
  });
}

/** A stored model's Gamma-Gamma parameters, null when none were fitted; a StoredDataError when they do not fit. */
export function storedGammaGamma(
  record: Pick<Prisma.ScoreModelGetPayload<object>, "id" | "gammaGamma">,
): GammaGammaParameters | null {
  if (record.gammaGamma === null) return null;
  return parseStoredJson(gammaGammaParametersSchema, record.gammaGamma, {
    table: "ScoreModel",
    column: "gammaGamma",
    rowId: record.id,
    remedy: REFIT,
  });
}
