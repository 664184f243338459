// For analysts and admins: the fitted purchase model's diagnostics, the scoring policy in force, and
// the admin mutations that refit the model and rescore customers.
import { z } from "zod";
import type { Prisma } from "../../generated/prisma/client.ts";
import { rescoreWithAlerts } from "../../pipeline/rescore-with-alerts.ts";
import type { ScoringPolicy } from "../../policy/scoring-policy.ts";
import type { Backtest, LevelOutcome } from "../../scoring/backtest.ts";
import { CHURN_FEATURES, type ChurnFeature, sigmoid } from "../../scoring/churn-risk.ts";
import type { CalibrationBin, PredictionQuality } from "../../scoring/models/backtest-metrics.ts";
import type { BgNbdParameters } from "../../scoring/models/bg-nbd.ts";
import type { GammaGammaParameters } from "../../scoring/models/gamma-gamma.ts";
import {
  fitScoreModel,
  storedBacktest,
  storedBgNbd,
  storedChurnWeights,
  storedGammaGamma,
} from "../../scoring/score-model.ts";
import { builder, pagedConnection } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { bounded } from "../input-bounds.ts";
import { shownProbabilityOrNull } from "../probability.ts";
import { ChurnFactorEnum, ChurnRiskLevelEnum } from "./score.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";

type ModelRecord = Prisma.ScoreModelGetPayload<object>;

const PurchaseModelVariantEnum = builder.enumType("PurchaseModelVariant", {
  description: "The repeat-purchase model.",
  values: {
    BG: { description: "BG/NBD: one-time buyers are alive for certain." },
    MBG: {
      description: "MBG/NBD: a customer may drop out after any purchase, so silent one-time buyers fade.",
    },
  },
});

const BgNbdFitRef = builder
  .objectRef<BgNbdParameters & { logLikelihood: number; converged: boolean; atBound: string[] }>(
    "RepeatPurchaseModelFit",
  )
  .implement({
    description:
      "BG/NBD (Fader, Hardie & Lee 2005) or MBG/NBD (Batislam et al. 2007): purchases follow a Poisson rate with a gamma(r, α) spread across customers; after each repeat purchase (MBG/NBD: after every purchase, the first included) a customer may leave with a beta(a, b)-spread probability. Time in weeks.",
    fields: (t) => ({
      variant: t.field({
        type: PurchaseModelVariantEnum,
        description: "Which of the two models the parameters belong to.",
        resolve: (p) => p.variant ?? "BG",
      }),
      r: t.exposeFloat("r", { description: "Shape of the purchase-rate distribution." }),
      alpha: t.exposeFloat("alpha", { description: "Scale of the purchase-rate distribution (weeks)." }),
      a: t.exposeFloat("a", { description: "First shape of the drop-out probability's beta distribution." }),
      b: t.exposeFloat("b", { description: "Second shape of the drop-out probability's beta distribution." }),
      logLikelihood: t.exposeFloat("logLikelihood", { description: "The maximized log-likelihood." }),
      converged: t.exposeBoolean("converged", { description: "Whether the optimizer met its tolerance." }),
      parametersAtBound: t.exposeStringList("atBound", {
        description:
          "Parameters whose estimate sits on a bound of the search box (shapes 1e-4 to 1e4): the likelihood still rose past it, so the value is a limit (b at its upper bound: every customer has practically the same drop-out probability). The model is still usable.",
      }),
    }),
  });

const GammaGammaFitRef = builder
  .objectRef<GammaGammaParameters & { logLikelihood: number; atBound: string[] }>("SpendModelFit")
  .implement({
    description:
      "Gamma-Gamma (Fader, Hardie & Lee 2005; Fader & Hardie 2013): the value of a customer's purchases varies around their own mean, which varies across customers.",
    fields: (t) => ({
      p: t.exposeFloat("p", {
        description: "Shape of the spend of one purchase around the customer's mean.",
      }),
      q: t.exposeFloat("q", { description: "Shape of the customers' mean-spend distribution." }),
      gamma: t.exposeFloat("gamma", { description: "Scale of the customers' mean-spend distribution." }),
      logLikelihood: t.exposeFloat("logLikelihood", { description: "The maximized log-likelihood." }),
      parametersAtBound: t.exposeStringList("atBound", {
        description:
          "Parameters whose estimate sits on a bound of the search box: a limit, not a measurement.",
      }),
    }),
  });

const ChurnWeightsSourceEnum = builder.enumType("ChurnWeightsSource", {
  description: "Where the churn model's weights came from.",
  values: {
    LEARNED: { description: "Learned from this hub's own history by the model's backtest." },
    DEFAULT: {
      description:
        "The documented default weights: the hub had too little history to learn from (the backtest's note says why).",
    },
  },
});

const CalibrationBinRef = builder.objectRef<CalibrationBin>("CalibrationBin").implement({
  description:
    "Customers whose predicted churn risk fell in [lower, upper), and how many of them did lapse: a calibrated model has observed ≈ predicted in every bin.",
  fields: (t) => ({
    lower: t.exposeFloat("lower", { description: "The bin's lowest predicted risk." }),
    upper: t.exposeFloat("upper", {
      description: "The bin's upper bound (excluded, except 1 in the last bin).",
    }),
    customers: t.exposeInt("customers", { description: "Customers predicted in the bin." }),
    predicted: t.exposeFloat("predicted", {
      nullable: true,
      description: "Their mean predicted risk; null when empty.",
    }),
    observed: t.exposeFloat("observed", {
      nullable: true,
      description: "The share of them who lapsed; null when empty.",
    }),
  }),
});

const PredictionQualityRef = builder.objectRef<PredictionQuality>("PredictionQuality").implement({
  description:
    "How well predicted churn risks matched what customers then did, on customers the model was not fitted to.",
  fields: (t) => ({
    customers: t.exposeInt("customers", { description: "Customers measured." }),
    lapsed: t.exposeInt("positives", { description: "Of them, customers who lapsed within the horizon." }),
    auc: t.exposeFloat("auc", {
      description:
        "Area under the ROC curve: the chance a customer who lapsed was ranked above one who did not (0.5 is chance).",
    }),
    brierScore: t.exposeFloat("brierScore", {
      description:
        "Mean squared difference between predicted risk and outcome (0 is perfect; lower is better).",
    }),
    expectedCalibrationError: t.exposeFloat("expectedCalibrationError", {
      description:
        "Over the 10 bins, the customers' share times |observed − predicted|: how far, on average, a shown risk is from what happened.",
    }),
    calibration: t.field({
      type: [CalibrationBinRef],
      description: "Ten bins of predicted risk, 0–0.1 to 0.9–1.",
      resolve: (q) => q.calibration,
    }),
    liftTopDecile: t.exposeFloat("liftTopDecile", {
      description:
        "The lapse rate of the riskiest tenth over everyone's: how much better than random a call list of that tenth is.",
    }),
  }),
});

const LevelOutcomeRef = builder.objectRef<LevelOutcome>("ChurnLevelOutcome").implement({
  description: "In the backtest, the customers a level held and how many of them lapsed.",
  fields: (t) => ({
    level: t.field({ type: ChurnRiskLevelEnum, description: "The level.", resolve: (o) => o.level }),
    customers: t.exposeInt("customers", { description: "Customers the model put at this level." }),
    share: t.exposeFloat("share", { description: "Their share of the backtest's customers." }),
    lapsed: t.exposeFloat("lapsed", {
      nullable: true,
      description: "The share of them who lapsed; null when none were at the level.",
    }),
  }),
});

const ChurnBacktestRef = builder
  .objectRef<Backtest & { typicalRisk: number | null }>("ChurnModelBacktest")
  .implement({
    description:
      "The time-split backtest the churn model's weights were learned from: signals as of the cutoff, and whether each customer lapsed (no purchase, no inbound message, no answer) within the following horizon. Figures are out-of-fold: each customer is predicted by weights fitted without them.",
    fields: (t) => ({
      cutoff: t.expose("cutoff", { type: "DateTime", description: "Signals were read as of this moment." }),
      end: t.expose("end", { type: "DateTime", description: "Outcomes were watched up to this moment." }),
      horizonDays: t.exposeInt("horizonDays", { description: "The churn horizon: cutoff to end, in days." }),
      weightsSource: t.field({
        type: ChurnWeightsSourceEnum,
        description: "Whether the weights were learned here or are the defaults.",
        resolve: (b) => b.weightsSource,
      }),
      note: t.exposeString("note", { description: "What was learned from, or why nothing could be." }),
      typicalRisk: t.float({
        nullable: true,
        resolve: (b) => shownProbabilityOrNull(b.typicalRisk),
        description:
          "The churn risk of the hub's typical customer, from which each reason's contribution is measured (4 decimal places).",
      }),
      model: t.field({
        type: PredictionQualityRef,
        nullable: true,
        description: "The churn model's figures; null when nothing could be measured.",
        resolve: (b) => b.model,
      }),
      daysSinceLastPurchase: t.field({
        type: PredictionQualityRef,
        nullable: true,
        description:
          "The same figures for days since the last purchase alone (days since the last activity for a customer who never bought): the baseline the model must beat.",
        resolve: (b) => b.recencyBaseline,
      }),
      levels: t.field({
        type: [LevelOutcomeRef],
        description: "How many customers each level held in the backtest and how many of them lapsed.",
        resolve: (b) => b.levels,
      }),
    }),
  });

const ChurnWeightRef = builder
  .objectRef<{
    factor: ChurnFeature;
    weight: number;
    typicalValue: number;
    lowestCountedValue: number | null;
    highestCountedValue: number | null;
  }>("ChurnModelWeight")
  .implement({
    description: "One signal's weight in the churn model.",
    fields: (t) => ({
      factor: t.field({ type: ChurnFactorEnum, description: "The signal.", resolve: (w) => w.factor }),
      weight: t.exposeFloat("weight", {
        description:
          "Log-odds points per unit of the signal's model value (days and counts enter as log(1 + n), survey answers as strengths from −0.5 to 1).",
      }),
      typicalValue: t.exposeFloat("typicalValue", {
        description:
          "The model value of the typical customer, from which contributions are measured (0 for signals that are absent by default).",
      }),
      lowestCountedValue: t.exposeFloat("lowestCountedValue", {
        nullable: true,
        description:
          "The lowest model value the weight counts: the history's 1st percentile, where the weight was learned. A customer below it counts as at it. Null: no limit (default weights, or a signal bounded by construction).",
      }),
      highestCountedValue: t.exposeFloat("highestCountedValue", {
        nullable: true,
        description:
          "The highest model value the weight counts: the history's 99th percentile. A customer above it counts as at it. Null: no limit.",
      }),
    }),
  });

export const ScoreModelNode = builder.prismaNode("ScoreModel", {
  description:
    "A purchase model fitted on the hub's order history; scores use the newest one until the next fit.",
  id: { field: "id", description: "The model's global ID." },
  fields: (t) => ({
    version: t.exposeString("version", { description: "Stamped on every score it produced." }),
    fittedAt: t.expose("fittedAt", { type: "DateTime", description: "When it was fitted." }),
    calibrationEnd: t.expose("calibrationEnd", {
      type: "DateTime",
      description: "Purchases up to this moment were fitted.",
    }),
    currency: t.exposeString("currency", { description: "The currency spend is modelled in." }),
    customersFitted: t.exposeInt("customersFitted", { description: "Customers with at least one purchase." }),
    repeatCustomersFitted: t.exposeInt("repeatCustomersFitted", {
      description: "Of those, customers who bought again (on another day).",
    }),
    repeatPurchaseModel: t.field({
      type: BgNbdFitRef,
      description: "The BG/NBD parameters and fit.",
      resolve: (model) => ({
        ...storedBgNbd(model),
        logLikelihood: model.bgNbdLogLikelihood,
        converged: model.bgNbdConverged,
        atBound: model.bgNbdAtBound,
      }),
    }),
    spendModel: t.field({
      type: GammaGammaFitRef,
      nullable: true,
      description: "The Gamma-Gamma parameters and fit; null when too few repeat buyers had a known spend.",
      resolve: (model) => {
        const parameters = storedGammaGamma(model);
        return parameters && model.gammaGammaLogLikelihood !== null
          ? { ...parameters, logLikelihood: model.gammaGammaLogLikelihood, atBound: model.gammaGammaAtBound }
          : null;
      },
    }),
    fitMilliseconds: t.exposeInt("fitMilliseconds", {
      description: "How long reading the histories, fitting and the backtest took.",
    }),
    description: t.exposeString("description", {
      description: "What the model is and where its churn weights came from, in a sentence or two.",
    }),
    backtest: t.field({
      type: ChurnBacktestRef,
      nullable: true,
      description: "The backtest of the churn model; null for a model fitted before churn-v2.",
      resolve: (model) => {
        const backtest = storedBacktest(model);
        const weights = storedChurnWeights(model);
        return backtest ? { ...backtest, typicalRisk: weights ? sigmoid(weights.baseLogOdds) : null } : null;
      },
    }),
    churnWeights: t.field({
      type: [ChurnWeightRef],
      description: "The churn model's weight for each signal; empty for a model fitted before churn-v2.",
      resolve: (model) => {
        const weights = storedChurnWeights(model);
        return weights
          ? CHURN_FEATURES.map((factor) => ({
              factor,
              weight: weights.features[factor].weight,
              typicalValue: weights.features[factor].center,
              lowestCountedValue: weights.features[factor].lower ?? null,
              highestCountedValue: weights.features[factor].upper ?? null,
            }))
          : [];
      },
    }),
  }),
});

const LevelThresholdsRef = builder.objectRef<ScoringPolicy["levels"]>("ChurnRiskThresholds").implement({
  description: "The lowest churn risk of each level; LOW is everything below medium.",
  fields: (t) => ({
    medium: t.exposeFloat("medium", { description: "MEDIUM from this risk up." }),
    high: t.exposeFloat("high", { description: "HIGH from this risk up." }),
    critical: t.exposeFloat("critical", { description: "CRITICAL from this risk up." }),
  }),
});

export const ScoringPolicyRef = builder.objectRef<ScoringPolicy>("ScoringPolicy").implement({
  description:
    "The rules that turn facts into churn risk, set by the CXHUB_SCORING_POLICY file (see the README's Scores section).",
  fields: (t) => ({
    purchaseKinds: t.exposeStringList("purchaseKinds", {
      description: "Interaction kinds counted as purchases.",
    }),
    currency: t.exposeString("currency", { description: "The currency spend is modelled in." }),
    churnHorizonDays: t.exposeInt("churnHorizonDays", {
      description:
        "Churn risk is the chance that a customer lapses — no purchase, no inbound message, no survey answer — within this many days.",
    }),
    forecastMonths: t.exposeInt("forecastMonths", {
      description: "The horizon of the stored purchase forecast and lifetime value.",
    }),
    annualDiscountRate: t.exposeFloat("annualDiscountRate", {
      description: "The CLV discount rate per year.",
    }),
    levels: t.field({
      type: LevelThresholdsRef,
      description: "Where the levels start.",
      resolve: (p) => p.levels,
    }),
    weights: t.field({
      type: "JSONObject",
      description: "Each signal's weight, in log-odds points per unit of strength.",
      resolve: (p) => p.weights,
    }),
    windows: t.field({
      type: "JSONObject",
      description: "The time windows the signals look at, in days (replyWithinHours in hours).",
      resolve: (p) => p.windows,
    }),
  }),
});

const ANALYSTS = { $any: { admin: true, analyst: true } };

builder.queryFields((t) => ({
  scoreModel: t.prismaField({
    type: "ScoreModel",
    nullable: true,
    authScopes: ANALYSTS,
    description: "The purchase model in use (the newest fit); null before the first fit.",
    resolve: (query, _parent, _args, context) =>
      context.prisma.scoreModel.findFirst({ ...query, orderBy: [{ fittedAt: "desc" }, { id: "desc" }] }),
  }),
  scoreModels: t.prismaConnection(
    {
      type: "ScoreModel",
      cursor: "id",
      ...pagedConnection,
      authScopes: ANALYSTS,
      description: "Every fitted purchase model, newest first, to compare fits.",
      totalCount: (_parent, _args, context) => context.prisma.scoreModel.count(),
      resolve: (query, _parent, _args, context) =>
        context.prisma.scoreModel.findMany({ ...query, orderBy: [{ fittedAt: "desc" }, { id: "desc" }] }),
    },
    { name: "ScoreModelConnection" },
    { name: "ScoreModelEdge" },
  ),
  scoringPolicy: t.field({
    type: ScoringPolicyRef,
    description: "The churn-risk rules in force.",
    resolve: (_parent, _args, context) => context.scoring,
  }),
}));

const RefitScoreModelInput = builder.inputType("RefitScoreModelInput", {
  description: "How to refit the purchase model.",
  fields: (t) => ({
    calibrationEnd: t.field({
      type: "DateTime",
      description: "Fit purchases up to this moment; now by default.",
    }),
    rescore: t.boolean({
      defaultValue: true,
      description: "Rescore every customer with the new model right away (true by default).",
    }),
  }),
});

const RefitScoreModelPayload = builder
  .objectRef<{ model: ModelRecord; rescoredCustomers: number }>("RefitScoreModelPayload")
  .implement({
    description: "The new model, now in use.",
    fields: (t) => ({
      model: t.field({ type: ScoreModelNode, description: "The fitted model.", resolve: (p) => p.model }),
      rescoredCustomers: t.exposeInt("rescoredCustomers", {
        description: "Customers rescored with it (0 when rescore was false).",
      }),
    }),
  });

const RescoreCustomersInput = builder.inputType("RescoreCustomersInput", {
  description: "Which customers to rescore.",
  fields: (t) => ({
    customerIds: t.globalIDList({
      description: "These customers (global IDs, at most 1,000); every live customer when omitted.",
      validate: z
        .array(z.unknown())
        .max(1000, "at most 1,000 customers at a time; omit the list to rescore everyone"),
      // Above the default list bound: a rescore of 1,000 named customers is one batch.
      ...bounded({ maxItems: 1000 }),
    }),
  }),
});

const RescoreCustomersPayload = builder
  .objectRef<{ rescoredCustomers: number; modelVersion: string }>("RescoreCustomersPayload")
  .implement({
    description: "What the rescore did.",
    fields: (t) => ({
      rescoredCustomers: t.exposeInt("rescoredCustomers", { description: "Customers rescored." }),
      modelVersion: t.exposeString("modelVersion", { description: "The rules and model used." }),
    }),
  });

builder.mutationFields((t) => ({
  refitScoreModel: t.field({
    type: RefitScoreModelPayload,
    authScopes: { admin: true },
    errors: { types: MUTATION_ERRORS },
    description:
      "Fits the purchase model (BG/NBD and Gamma-Gamma) on the order history, learns the churn model's weights from a time-split backtest and, by default, rescores every customer with it. Fails with a ConflictError when there is too little purchase history.",
    args: { input: t.arg({ type: RefitScoreModelInput, description: "Options; all optional." }) },
    resolve: async (_parent, { input }, context) => {
      const fitted = await fitScoreModel(context.prisma, {
        policy: context.scoring,
        calibrationEnd: input?.calibrationEnd ?? context.clock(),
        clock: context.clock,
      });
      const rescored =
        input?.rescore === false
          ? 0
          : // A new model moves every score at once: alert states follow without raising alerts.
            (
              await rescoreWithAlerts(context.prisma, {
                policy: context.scoring,
                model: fitted,
                asOf: context.clock(),
                alerts: "rebaseline",
              })
            ).rescored;
      return { model: fitted.record, rescoredCustomers: rescored };
    },
  }),
  rescoreCustomers: t.field({
    type: RescoreCustomersPayload,
    authScopes: { admin: true },
    errors: { types: MUTATION_ERRORS },
    description:
      "Recomputes scores with the current model, for the customers given or for everyone: after changing the scoring policy, or to bring every score to today.",
    args: {
      input: t.arg({ type: RescoreCustomersInput, description: "Whom to rescore; everyone by default." }),
    },
    resolve: async (_parent, { input }, context) => {
      const customerIds = input?.customerIds?.map((id, index) =>
        expectGlobalId(id, "Customer", ["input", "customerIds", index]),
      );
      const result = await rescoreWithAlerts(context.prisma, {
        policy: context.scoring,
        customerIds,
        asOf: context.clock(),
      });
      return { rescoredCustomers: result.rescored, modelVersion: result.modelVersion };
    },
  }),
}));
