// Fitting the score model on the hub's own history, storing it, and reading the one in use. A fit reads
// every live customer's purchase days up to the calibration end in one statement, fits BG/NBD on all
// buyers and Gamma-Gamma on those who bought again with a known value, learns the churn model's
// weights from a time-split backtest (backtest.ts), and stores all of it with its diagnostics and
// figures. Scores then use the newest model until the next fit.

import { type Clock, systemClock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import { directSql } from "../db/direct-sql.ts";
import { PREPARED } from "../db/prepared-statements.ts";
import { parseStoredJson } from "../db/stored-json.ts";
import { ConflictError } from "../domain/errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import { type Backtest, backtestSchema, learnChurnModel } from "./backtest.ts";
import { MIN_BUYERS_TO_FIT, MIN_REPEAT_BUYERS_TO_FIT, readBuyerHistories } from "./buyer-histories.ts";
import { type ChurnWeights, churnWeightsSchema } from "./churn-risk.ts";
import { type BgNbdParameters, bgNbdParametersSchema, fitBgNbd } from "./models/bg-nbd.ts";
import {
  fitGammaGamma,
  type GammaGammaParameters,
  gammaGammaParametersSchema,
} from "./models/gamma-gamma.ts";

export interface FittedScoreModel {
  id: string;
  version: string;
  bgNbd: BgNbdParameters;
  gammaGamma: GammaGammaParameters | null;
  currency: string;
  calibrationEnd: Date;
  /** The churn model's weights; null for a model fitted before churn-v2 (scores then use the defaults). */
  churnWeights: ChurnWeights | null;
}

/**
 * Fits the model on the history up to `calibrationEnd` (the caller's clock) and stores it as the model
 * in use; `clock` stamps when it was fitted. Throws a ConflictError when there is too little purchase
 * history to fit.
 */
export async function fitScoreModel(
  db: Db,
  options: { policy: ScoringPolicy; calibrationEnd: Date; clock?: Clock },
): Promise<FittedScoreModel & { record: Prisma.ScoreModelGetPayload<object>; backtest: Backtest }> {
  const { calibrationEnd } = options;
  const started = performance.now();
  const buyers = await readBuyerHistories(db, calibrationEnd, options.policy);
  const repeaters = buyers.filter((buyer) => buyer.history.frequency > 0);
  if (buyers.length < MIN_BUYERS_TO_FIT || repeaters.length < MIN_REPEAT_BUYERS_TO_FIT) {
    throw new ConflictError(
      `Too little purchase history to fit the purchase model: ${buyers.length} customer(s) bought something by ${calibrationEnd.toISOString()} and ${repeaters.length} bought again; it needs at least ${MIN_BUYERS_TO_FIT} and ${MIN_REPEAT_BUYERS_TO_FIT}. Purchases are interactions of kind ${options.policy.purchaseKinds.join(", ")}.`,
    );
  }
  const bgNbd = fitBgNbd(
    buyers.map((buyer) => buyer.history),
    { variant: options.policy.purchaseModel },
  );
  const spenders = repeaters.flatMap((buyer) =>
    buyer.averageRepeatSpend !== null && buyer.averageRepeatSpend > 0
      ? [{ frequency: buyer.history.frequency, averageSpend: buyer.averageRepeatSpend }]
      : [],
  );
  const gammaGamma = spenders.length >= MIN_REPEAT_BUYERS_TO_FIT ? fitGammaGamma(spenders) : null;
  const churn = await learnChurnModel(db, { policy: options.policy, end: calibrationEnd });
  const fitMilliseconds = Math.round(performance.now() - started);
  const fittedAt = (options.clock ?? systemClock)();
  const record = await db.scoreModel.create({
    data: {
      version: `${options.policy.purchaseModel === "MBG" ? "mbgnbd" : "bgnbd"}-gg@${fittedAt.toISOString()}`,
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
      churnModel: churn.weights,
      backtest: JSON.parse(JSON.stringify(churn.backtest)),
      description: describeModel(churn.backtest, buyers.length, options.policy.purchaseModel),
      fitMilliseconds,
      fittedAt,
    },
  });
  return { ...toFittedModel(record), record, backtest: churn.backtest };
}

/** What a fitted model is, for the people who read its scores. */
export function describeModel(backtest: Backtest, buyers: number, purchaseModel: "MBG" | "BG"): string {
  const purchase = `${purchaseModel}/NBD and Gamma-Gamma fitted on ${buyers} buyers' purchases up to ${backtest.end.toISOString().slice(0, 10)}`;
  const churn =
    backtest.weightsSource === "LEARNED" && backtest.model
      ? `churn risk weighs each signal as the hub's own history taught it: ${backtest.note} AUC ${backtest.model.auc.toFixed(3)} (days since the last purchase alone: ${backtest.recencyBaseline?.auc.toFixed(3) ?? "n/a"}), calibration error ${(100 * backtest.model.expectedCalibrationError).toFixed(1)} points.`
      : `churn risk uses the documented default weights, not learned ones: ${backtest.note}`;
  return `${purchase}; ${churn}`;
}

/**
 * Models as read, by row version (id and xmin, which any UPDATE of the row changes): every write's
 * rescoring asks for the current model, and reading and parsing the whole row (its backtest is the
 * largest column) through Prisma each time cost the write more than asking which row is newest.
 */
const fittedByRowVersion = new Map<string, FittedScoreModel>();
const KEPT_MODELS = 4;

/** Which stored model is the newest, by row version: what `scoreModelAt` needs to answer. */
export interface NewestScoreModel {
  id: string;
  /** The row's xmin, as text. */
  rowVersion: string;
}

/** The model in use: the newest fit, or null before the first. */
export async function currentScoreModel(db: Db): Promise<FittedScoreModel | null> {
  const [newest] = await directSql(db).query<{ id: string; rowVersion: string }>(
    `${PREPARED} SELECT "id"::text AS id, xmin::text AS "rowVersion" FROM "ScoreModel"
      ORDER BY "fittedAt" DESC, "id" DESC LIMIT 1`,
  );
  return scoreModelAt(db, newest ?? null);
}

/**
 * The model in use, given which row is the newest (read by the caller, in a statement of its own
 * choosing: the write pipeline's asks with the unit's other settings, unit-settings.ts).
 */
export async function scoreModelAt(
  db: Db,
  newest: NewestScoreModel | null,
): Promise<FittedScoreModel | null> {
  if (!newest) return null;
  const key = `${newest.id}/${newest.rowVersion}`;
  const known = fittedByRowVersion.get(key);
  if (known) return known;
  const record = await db.scoreModel.findUnique({ where: { id: newest.id } });
  // Deleted between the two statements: the next newest is the one in use.
  if (!record) return currentScoreModel(db);
  const fitted = toFittedModel(record);
  if (fittedByRowVersion.size >= KEPT_MODELS) fittedByRowVersion.clear();
  fittedByRowVersion.set(key, fitted);
  return fitted;
}

export function toFittedModel(record: Prisma.ScoreModelGetPayload<object>): FittedScoreModel {
  return {
    id: record.id,
    version: record.version,
    bgNbd: storedBgNbd(record),
    gammaGamma: storedGammaGamma(record),
    currency: record.currency,
    calibrationEnd: record.calibrationEnd,
    churnWeights: storedChurnWeights(record),
  };
}

/** A stored model's churn weights, null before churn-v2; a StoredDataError when they do not fit. */
export function storedChurnWeights(
  record: Pick<Prisma.ScoreModelGetPayload<object>, "id" | "churnModel">,
): ChurnWeights | null {
  if (record.churnModel === null) return null;
  return parseStoredJson(churnWeightsSchema, record.churnModel, {
    table: "ScoreModel",
    column: "churnModel",
    rowId: record.id,
    remedy: REFIT,
  });
}

/** A stored model's backtest, null before churn-v2; a StoredDataError when it does not fit. */
export function storedBacktest(
  record: Pick<Prisma.ScoreModelGetPayload<object>, "id" | "backtest">,
): Backtest | null {
  if (record.backtest === null) return null;
  return parseStoredJson(backtestSchema, record.backtest, {
    table: "ScoreModel",
    column: "backtest",
    rowId: record.id,
    remedy: REFIT,
  });
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
