// Scores on the graph: a customer's current churn risk (with its reasons), health, P(alive) and
// purchase forecast, and the history of their scores. The numbers are computed by src/scoring when
// facts arrive; resolvers only read them (a forecast for another horizon runs the stored model).
import DataLoader from "dataloader";
import { z } from "zod";
import { parseStoredJson } from "../../db/stored-json.ts";
import { currencyMinorUnits } from "../../domain/money.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { ChurnRiskLevel } from "../../generated/prisma/enums.ts";
import { storedScoreReasonsSchema } from "../../scoring/churn-factors.ts";
import { explainReasons } from "../../scoring/churn-reasons.ts";
import { CHURN_FACTORS, type ChurnReason, churnReasonsSchema } from "../../scoring/churn-risk.ts";
import { purchaseHistoryAt } from "../../scoring/models/purchase-summary.ts";
import { forecastPurchases } from "../../scoring/purchase-forecast.ts";
import { lastRescoreAsOf, scoreHoldsAsOf } from "../../scoring/rescore-runs.ts";
import { toFittedModel } from "../../scoring/score-model.ts";
import { builder, pagedConnection } from "../builder.ts";
import type { GraphContext } from "../context.ts";
import type { PageRowRelation } from "../page-row-relations.ts";
import { shownProbability, shownProbabilityOrNull } from "../probability.ts";
import { CUSTOMER_READERS } from "./customer-scopes.ts";
import { DateTimeRange, dateTimeFilter } from "./date-time-range.ts";
import { Money } from "./interaction.ts";

export const ChurnRiskLevelEnum = builder.enumType(ChurnRiskLevel, {
  name: "ChurnRiskLevel",
  description: "How likely a customer is to stop buying, in bands; the thresholds are configuration.",
  values: {
    LOW: { description: "Below the medium threshold (0.4 by default)." },
    MEDIUM: { description: "From the medium threshold (0.4) up to the high one." },
    HIGH: { description: "From the high threshold (0.6) up to the critical one." },
    CRITICAL: { description: "From the critical threshold (0.8 by default) up." },
  },
});

const FACTOR_DESCRIPTIONS: Record<(typeof CHURN_FACTORS)[number], string> = {
  PURCHASE_PATTERN:
    "The purchase model (BG/NBD): its chance that the customer makes no purchase within the churn horizon, from how often and how recently they bought (the reason also cites the purchases it expects).",
  NO_PURCHASES: "The customer has not bought anything yet.",
  NO_PURCHASE_MODEL:
    "No purchase model is fitted yet, so the purchase pattern is not scored (and scores of the rules before churn-v2).",
  RECENCY: "Days since the customer's last activity (a purchase, an inbound message or a survey answer).",
  FREQUENCY: "How many separate days the customer bought on.",
  TENURE: "How long the customer has been one: days since their first fact.",
  SPEND: "What the customer spends per purchase day, in the policy's currency.",
  ENGAGEMENT_DROP: "Fewer interactions (purchases included) lately than the customer's own usual rate.",
  SENTIMENT: "The tone of the customer's recent messages, from −1 (negative) to 1 (positive).",
  NPS: "The latest NPS answer: a detractor (0–6) or a promoter (9–10).",
  CSAT: "The latest satisfaction rating (1–5).",
  CES: "The latest effort rating (1 easy … 7 very hard).",
  UNANSWERED_MESSAGES: "Messages from the customer still waiting for a reply.",
};

export const ChurnFactorEnum = builder.enumType("ChurnFactor", {
  description: "A signal that can move churn risk.",
  values: Object.fromEntries(
    CHURN_FACTORS.map((factor) => [factor, { description: FACTOR_DESCRIPTIONS[factor] }]),
  ) as Record<(typeof CHURN_FACTORS)[number], { description: string }>,
});

export const ChurnRiskReasonRef = builder.objectRef<ChurnReason>("ChurnRiskReason").implement({
  description: "One factor behind a churn risk: what was measured, how much it moved the score, and why.",
  fields: (t) => ({
    factor: t.field({ type: ChurnFactorEnum, description: "The signal.", resolve: (r) => r.factor }),
    value: t.float({
      resolve: (r) => shownProbability(r.value),
      description:
        "What was measured, in its own unit: the chance of no purchase within the churn horizon (PURCHASE_PATTERN), days (RECENCY, TENURE), purchase days (FREQUENCY), money per purchase day (SPEND), a drop from 0 to 1 (ENGAGEMENT_DROP), an average sentiment from −1 to 1, a survey answer, or a count of messages.",
    }),
    weight: t.float({
      resolve: (r) => shownProbability(r.weight),
      description:
        "This factor's share of everything that moved the score, from 0 to 1 (4 decimal places); the reasons of a score add up to 1.",
    }),
    contribution: t.exposeFloat("contribution", {
      description:
        "How far it moved the score from the hub's typical customer, in log-odds: positive raises the risk, negative lowers it. The typical customer's risk is the model's `backtest.typicalRisk`.",
    }),
    explanation: t.exposeString("explanation", { description: "A sentence an account manager can read." }),
  }),
});

const PurchaseForecastRef = builder
  .objectRef<{
    horizonMonths: number;
    probabilityAlive: number;
    expectedPurchases: number;
    expectedSpendPerPurchase: number | null;
    lifetimeValue: number | null;
    currency: string;
  }>("PurchaseForecast")
  .implement({
    description:
      "What the purchase model expects of a customer over a horizon: BG/NBD for purchases, Gamma-Gamma for spend.",
    fields: (t) => ({
      horizonMonths: t.exposeInt("horizonMonths", { description: "Months ahead the forecast covers." }),
      probabilityAlive: t.float({
        resolve: (forecast) => shownProbability(forecast.probabilityAlive),
        description:
          "The probability that the customer is still a customer (has not silently left), to 4 decimal places.",
      }),
      expectedPurchases: t.exposeFloat("expectedPurchases", {
        description: "Purchases expected over the horizon (purchases on the same day count as one).",
      }),
      expectedSpendPerPurchase: t.field({
        type: Money,
        nullable: true,
        description: "The expected value of one purchase; null when the spend model is not fitted.",
        resolve: (f) => money(f.expectedSpendPerPurchase, f.currency),
      }),
      lifetimeValue: t.field({
        type: Money,
        nullable: true,
        description:
          "Customer lifetime value over the horizon: expected revenue, discounted at the configured annual rate; null when the spend model is not fitted.",
        resolve: (f) => money(f.lifetimeValue, f.currency),
      }),
    }),
  });

/** Forecasts are estimates: shown with the currency's usual decimals. */
function money(value: number | null, currency: string) {
  return value === null
    ? null
    : { amount: new Prisma.Decimal(value.toFixed(currencyMinorUnits(currency))), currency };
}

/** Reasons read already, by stored value: every subscriber of a live alert reads the same array. */
const readReasons = new WeakMap<object, ChurnReason[]>();

/**
 * An alert's stored reasons (a snapshot, with their sentences) read through their schema: a row that
 * does not fit fails naming itself.
 */
export function reasonsOf(json: Prisma.JsonValue, where: { table: "Alert"; rowId: string }): ChurnReason[] {
  const known = typeof json === "object" && json !== null ? readReasons.get(json) : undefined;
  if (known) return known;
  const reasons = parseStoredJson(churnReasonsSchema, json, {
    ...where,
    column: "reasons",
    remedy:
      "It was written by something other than this hub: correct the row's reasons, or delete the alert.",
  });
  if (typeof json === "object" && json !== null) readReasons.set(json, reasons);
  return reasons;
}

/**
 * A score's or snapshot's stored reasons with their sentences built as of `now`: stored as values,
 * they cite dates, and "days ago" counts to `now` (the request's clock for the current score, which
 * holds today; the snapshot's own moment for history, which says what was true then). Reasons stored
 * with their sentences (before values were) are shown as they were written, until the next rescore.
 */
function scoreReasonsOf(
  json: Prisma.JsonValue,
  where: { table: "Score" | "ScoreHistory"; rowId: string; computedAt: Date },
  now: Date,
): ChurnReason[] {
  const stored = parseStoredJson(storedScoreReasonsSchema, json, {
    table: where.table,
    rowId: where.rowId,
    column: "reasons",
    remedy: "Rescore the customer (rescoreCustomers) to write the reasons again.",
  });
  return stored.map((reason) =>
    "explanation" in reason
      ? reason
      : (explainReasons([reason], { now, computedAt: where.computedAt })[0] as ChurnReason),
  );
}

/**
 * The instant of the last finished scheduled run, read once per batch of one response (never kept
 * across requests or across a subscription's events): many scores of one page share it.
 */
const lastRunLoaders = new WeakMap<object, DataLoader<"last", Date | null>>();

function lastRunOf(context: GraphContext): Promise<Date | null> {
  let loader = lastRunLoaders.get(context.loaders);
  if (!loader) {
    loader = new DataLoader<"last", Date | null>(
      async (keys) => {
        const last = await lastRescoreAsOf(context.prisma, context.clock());
        return keys.map(() => last);
      },
      { cache: false },
    );
    lastRunLoaders.set(context.loaders, loader);
  }
  return loader.load("last");
}

export const CustomerScoreRef = builder.prismaObject("Score", {
  name: "CustomerScore",
  authScopes: CUSTOMER_READERS,
  description:
    "A customer's current scores, recomputed whenever new facts about them arrive and after every refit of the purchase model.",
  fields: (t) => ({
    churnRisk: t.float({
      resolve: (score) => shownProbability(score.churnRisk),
      description:
        "The probability that the customer lapses within the churn horizon, from 0 to 1, to 4 decimal places.",
    }),
    churnRiskLevel: t.expose("churnRiskLevel", {
      type: ChurnRiskLevelEnum,
      description: "The churn risk's band.",
    }),
    reasons: t.field({
      type: [ChurnRiskReasonRef],
      description: "The factors behind the churn risk, the largest effect first.",
      resolve: (score, _args, context) =>
        scoreReasonsOf(
          score.reasons,
          { table: "Score", rowId: score.customerId, computedAt: score.computedAt },
          context.clock(),
        ),
    }),
    health: t.exposeInt("health", {
      nullable: true,
      description: "A 0–100 health score for the UI: 100 × (1 − churn risk), rounded.",
    }),
    probabilityAlive: t.float({
      nullable: true,
      resolve: (score) => shownProbabilityOrNull(score.probabilityAlive),
      description:
        "The probability that the customer is still a customer, from the purchase model, to 4 decimal places; null without purchases or without a fitted model.",
    }),
    expectedPurchases: t.exposeFloat("expectedTransactions", {
      nullable: true,
      description:
        "Purchases expected over the next `forecastMonths`; null without purchases or a fitted model.",
    }),
    lifetimeValue: t.field({
      type: Money,
      nullable: true,
      description:
        "Customer lifetime value over the next `forecastMonths`, discounted; null without purchases or a fitted spend model.",
      resolve: (score) =>
        score.clv && score.currency ? { amount: score.clv, currency: score.currency } : null,
    }),
    valueAtRisk: t.field({
      type: Money,
      nullable: true,
      description:
        "Value at risk: lifetimeValue × churnRisk, the revenue over the next `forecastMonths` that the churn risk puts in doubt (order an owner's at-risk list by VALUE_AT_RISK to see whom to call first). Null without a lifetime value.",
      resolve: (score) =>
        score.valueAtRisk && score.currency ? { amount: score.valueAtRisk, currency: score.currency } : null,
    }),
    forecastMonths: t.exposeInt("forecastMonths", {
      nullable: true,
      description: "The horizon of expectedPurchases, lifetimeValue and valueAtRisk, in months.",
    }),
    purchaseForecast: t.field({
      type: PurchaseForecastRef,
      nullable: true,
      description:
        "The purchase model's forecast over any horizon, as of when the score was computed; null without purchases or a fitted model.",
      args: {
        horizonMonths: t.arg.int({
          required: true,
          defaultValue: 12,
          description: "Months ahead, 1 to 120.",
          validate: z.number().int().min(1, "from 1 to 120 months").max(120, "from 1 to 120 months"),
        }),
      },
      select: { model: true },
      resolve: (score, { horizonMonths }, context) => {
        if (
          !score.model ||
          score.repeatTransactions === null ||
          !score.firstPurchaseOn ||
          !score.lastPurchaseOn
        )
          return null;
        const model = toFittedModel(score.model);
        const history = purchaseHistoryAt(
          {
            transactions: score.repeatTransactions + 1,
            firstDay: score.firstPurchaseOn,
            lastDay: score.lastPurchaseOn,
          },
          score.computedAt,
        );
        const forecast = forecastPurchases(model, history, score.averageRepeatSpend?.toNumber() ?? null, {
          horizonMonths,
          annualDiscountRate: context.scoring.annualDiscountRate,
        });
        return {
          horizonMonths,
          probabilityAlive: forecast.probabilityAlive,
          expectedPurchases: forecast.expectedTransactions,
          expectedSpendPerPurchase: forecast.expectedSpendPerTransaction,
          lifetimeValue: forecast.lifetimeValue,
          currency: model.currency,
        };
      },
    }),
    modelVersion: t.exposeString("modelVersion", {
      description: "The scoring rules and purchase model that produced it: `churn-v2/bgnbd-gg@<fitted at>`.",
    }),
    computedAt: t.expose("computedAt", {
      type: "DateTime",
      description:
        "The moment the stored score was computed as of (facts after it were not yet known). A scheduled rescore leaves a score that has not moved as it was, so this can be older than `asOf`.",
    }),
    asOf: t.field({
      type: "DateTime",
      description:
        "The moment the score holds as of: the later of `computedAt` and the last finished scheduled rescore, which scored every customer as of its one instant and rewrote only the scores that moved (churn risk or P(alive) by 0.005 or more, lifetime value by 0.5%, a new level, new facts behind the reasons, or a crossing that alerts act on).",
      resolve: async (score, _args, context) => scoreHoldsAsOf(score.computedAt, await lastRunOf(context)),
    }),
  }),
});

builder.prismaObject("ScoreHistory", {
  name: "ScoreSnapshot",
  authScopes: CUSTOMER_READERS,
  description:
    "A customer's scores at one moment. A snapshot is kept whenever the level or model changes or the risk moves by 0.005 or more.",
  fields: (t) => ({
    churnRisk: t.float({
      resolve: (snapshot) => shownProbability(snapshot.churnRisk),
      description: "The churn risk then, from 0 to 1, to 4 decimal places.",
    }),
    churnRiskLevel: t.expose("churnRiskLevel", { type: ChurnRiskLevelEnum, description: "Its band then." }),
    reasons: t.field({
      type: [ChurnRiskReasonRef],
      description: "The factors behind it then, the largest effect first.",
      resolve: (snapshot) =>
        scoreReasonsOf(
          snapshot.reasons,
          { table: "ScoreHistory", rowId: snapshot.id, computedAt: snapshot.computedAt },
          snapshot.computedAt,
        ),
    }),
    health: t.exposeInt("health", { nullable: true, description: "The 0–100 health score then." }),
    probabilityAlive: t.float({
      nullable: true,
      resolve: (snapshot) => shownProbabilityOrNull(snapshot.probabilityAlive),
      description: "The probability the customer was still a customer then, to 4 decimal places.",
    }),
    expectedPurchases: t.exposeFloat("expectedTransactions", {
      nullable: true,
      description: "The purchases then expected over the forecast horizon.",
    }),
    lifetimeValue: t.field({
      type: Money,
      nullable: true,
      description: "The lifetime value then expected over the forecast horizon.",
      resolve: (s) => (s.clv && s.currency ? { amount: s.clv, currency: s.currency } : null),
    }),
    modelVersion: t.exposeString("modelVersion", { description: "The rules and model that produced it." }),
    computedAt: t.expose("computedAt", { type: "DateTime", description: "The moment it describes." }),
  }),
});

builder.prismaObjectFields("Customer", (t) => ({
  score: t.relation("score", {
    nullable: true,
    extensions: { pageRowRelation: "score" satisfies PageRowRelation },
    description:
      "The customer's current churn risk, health and purchase forecast; null until the customer is first scored.",
  }),
  scoreHistory: t.relatedConnection("scoreHistory", {
    description: "How the customer's scores moved, newest first.",
    cursor: "id",
    totalCount: true,
    ...pagedConnection,
    args: {
      computed: t.arg({
        type: DateTimeRange,
        description: "Only scores that describe moments in this span.",
      }),
    },
    query: (args) => ({
      where: { computedAt: dateTimeFilter(args.computed) },
      orderBy: [{ computedAt: "desc" }, { id: "desc" }],
    }),
  }),
}));
