// Key touchpoints: which touchpoints move an outcome (NPS detractor or promoter, CSAT satisfied, high
// churn risk, lapsed) — interaction channels and kinds, journey stages reached, a slow first reply,
// the sentiment of the customer's messages — each with an adjusted risk ratio, its 95% interval, the
// customers it covers and a sentence, ranked. The data is read in SQL (touchpoint-features.ts), the
// model fitted here (driver-effects.ts says which model and why), the words in driver-sentences.ts.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { Channel } from "../../generated/prisma/enums.ts";
import type { ScoringPolicy } from "../../policy/scoring-policy.ts";
import { parseInput, ValidationError } from "../errors.ts";
import { type DriverEffect, driverEffects, type FeaturePattern } from "./driver-effects.ts";
import {
  channelTouchpoint,
  driverSentence,
  kindTouchpoint,
  sentimentTouchpoint,
  slowReplyTouchpoint,
  stageTouchpoint,
} from "./driver-sentences.ts";
import {
  DRIVER_OUTCOMES,
  type DriverOutcome,
  readTouchpointPatterns,
  stageNames,
  TOUCHPOINT_FAMILIES,
  type TouchpointFamily,
} from "./touchpoint-features.ts";
import { type Candidate, MAX_FEATURES, MAX_KIND_FEATURES, selectFeatures } from "./touchpoint-selection.ts";

export { MAX_FEATURES, MAX_KIND_FEATURES };

/** Fewer customers with (or without) the outcome than this, and nothing can be told apart. */
export const MIN_OUTCOME_CUSTOMERS = 10;
const DAY_MS = 86_400_000;

export const keyTouchpointsSchema = z.object({
  outcome: z.enum(DRIVER_OUTCOMES),
  /** Touchpoints (and, for survey outcomes, answers) from this moment on … */
  from: z.date().optional(),
  /** … and before this one; the churn outcomes are judged here. The request's time by default. */
  to: z.date().optional(),
  ownerId: z.uuid().optional(),
  channel: z.enum(Channel).optional(),
  /** Only these customers: `SELECT id` of a segment's members (segmentMembersSql). */
  customersIn: z.custom<Prisma.Sql>((value) => value instanceof Prisma.Sql).optional(),
  touchpoints: z
    .array(z.enum(TOUCHPOINT_FAMILIES))
    .min(1, "name at least one kind of touchpoint")
    .default([...TOUCHPOINT_FAMILIES]),
  slowReplyHours: z.number().positive().max(720).default(4),
  /** A touchpoint had by fewer customers than this (or missed by fewer) is left out. */
  minCustomers: z.number().int().min(5).max(1_000_000).default(20),
});
export type KeyTouchpointsInput = z.input<typeof keyTouchpointsSchema>;

export type DriverDirection = "RAISES" | "LOWERS" | "UNCLEAR";

/** A touchpoint's effect (driver-effects.ts), with what it is and where it ranks. */
export interface KeyDriver extends DriverEffect {
  rank: number;
  /** Stable key of the touchpoint: CHANNEL:SUPPORT, KIND:order.placed, STAGE:<id>, SLOW_FIRST_REPLY, SENTIMENT:NEGATIVE. */
  key: string;
  family: TouchpointFamily;
  channel: Channel | null;
  kind: string | null;
  stageId: string | null;
  /** "waited over 4 h for a first reply": what "Customers who …" had. */
  touchpoint: string;
  direction: DriverDirection;
  sentence: string;
}

export interface KeyTouchpoints {
  outcome: DriverOutcome;
  from: Date | null;
  to: Date;
  /** The first-reply delay over which a customer counts as having waited (RESPONSE_DELAY). */
  slowReplyHours: number;
  customers: number;
  positives: number;
  drivers: KeyDriver[];
  /** Why there are no drivers, or what was left out; null when there is nothing to say. */
  note: string | null;
}

/** The analysis. `asOf` is the request's "now"; an account manager's caller passes their id as ownerId. */
export async function keyTouchpoints(
  db: Db,
  input: KeyTouchpointsInput,
  context: { asOf: Date; policy: ScoringPolicy },
): Promise<KeyTouchpoints> {
  const parsed = parseInput(keyTouchpointsSchema, input, "The key touchpoints analysis");
  const to = parsed.to && parsed.to < context.asOf ? parsed.to : context.asOf;
  if (parsed.from && parsed.from >= to) {
    throw new ValidationError(
      `The period is empty: "from" must be before "to" (exclusive) and before the request's time.`,
      [{ path: ["period", "from"], message: "must be before to" }],
    );
  }
  // The Score table holds only today's level: judging it against touchpoints cut at a past `to`
  // would explain today's risk by last month's contacts, so a past period end is refused.
  if (parsed.outcome === "HIGH_CHURN_RISK" && parsed.to && parsed.to < context.asOf) {
    throw new ValidationError(
      `HIGH_CHURN_RISK is the customer's current churn risk, so it is judged at the request's time (${context.asOf.toISOString()}): leave period.to out (or give one not in the past), or use the LAPSED outcome to study a past period.`,
      [{ path: ["period", "to"], message: "must not be in the past for HIGH_CHURN_RISK" }],
    );
  }
  if (parsed.outcome === "LAPSED") {
    const horizon = context.policy.churnHorizonDays;
    if (!parsed.to || parsed.to.getTime() + horizon * DAY_MS > context.asOf.getTime()) {
      throw new ValidationError(
        `A lapse is judged over the ${horizon} days after the period: give a period.to at least ${horizon} days before now (${new Date(context.asOf.getTime() - horizon * DAY_MS).toISOString()}), or use the HIGH_CHURN_RISK outcome for the current risk.`,
        [{ path: ["period", "to"], message: `must be at least ${horizon} days before now` }],
      );
    }
  }
  const rows = await readTouchpointPatterns(db, {
    outcome: parsed.outcome,
    from: parsed.from,
    to,
    ownerId: parsed.ownerId,
    channel: parsed.channel,
    customersIn: parsed.customersIn,
    families: parsed.touchpoints,
    slowReplySeconds: parsed.slowReplyHours * 3600,
    asOf: context.asOf,
    purchaseKinds: context.policy.purchaseKinds,
    churnHorizonDays: context.policy.churnHorizonDays,
    resolveAfterQuietHours: context.policy.responseSpeed.resolveAfterQuietHours,
  });
  const customers = rows.reduce((sum, row) => sum + row.customers, 0);
  const positives = rows.reduce((sum, row) => sum + (row.positive ? row.customers : 0), 0);
  const base = {
    outcome: parsed.outcome,
    from: parsed.from ?? null,
    to,
    slowReplyHours: parsed.slowReplyHours,
    customers,
    positives,
  };
  if (Math.min(positives, customers - positives) < MIN_OUTCOME_CUSTOMERS) {
    return {
      ...base,
      drivers: [],
      note: `Too few outcomes to tell drivers apart: of ${customers} customers, ${positives} had the outcome and ${customers - positives} did not; the analysis needs ${MIN_OUTCOME_CUSTOMERS} of each. Widen the period or the filter.`,
    };
  }
  const { selected, leftOut, capped } = selectFeatures(rows, customers, parsed.minCustomers);
  const names = await stageNames(
    db,
    [...selected, ...capped]
      .filter((c) => c.family === "JOURNEY_STAGE")
      .map((c) => c.key.slice("STAGE:".length)),
  );
  const slowReplySeconds = parsed.slowReplyHours * 3600;
  const leftOutNote =
    leftOut > 0
      ? `${leftOut} touchpoint(s) left out: had or missed by fewer than ${parsed.minCustomers} customers, beyond the ${MAX_KIND_FEATURES} commonest interaction kinds, or had by exactly the same customers as one kept.`
      : null;
  const cappedNote =
    capped.length > 0
      ? `The model takes at most ${MAX_FEATURES} touchpoints, those had by the most customers; ${capped.length} more left out: ${capped
          .map((c) => `${describe(c, names, slowReplySeconds).touchpoint} (${c.customers} customers)`)
          .join("; ")}. Narrow the touchpoints or raise minCustomers to analyse them.`
      : null;
  const selectionNote = [leftOutNote, cappedNote].filter(Boolean).join(" ") || null;
  if (selected.length === 0) return { ...base, drivers: [], note: selectionNote };

  const column = new Map(selected.map((candidate, j) => [candidate.key, j]));
  const patterns: FeaturePattern[] = rows.map((row) => ({
    features: row.features.flatMap((key) => {
      const j = column.get(key);
      return j === undefined ? [] : [j];
    }),
    positive: row.positive,
    customers: row.customers,
  }));
  const fit = driverEffects(patterns, selected.length);
  const drivers = selected.map((candidate, j): Omit<KeyDriver, "rank"> => {
    const effect = fit.effects[j];
    if (!effect) throw new Error(`The fit returned no effect for ${candidate.key}.`);
    const described = describe(candidate, names, slowReplySeconds);
    const direction: DriverDirection =
      effect.riskRatio.lower > 1 ? "RAISES" : effect.riskRatio.upper < 1 ? "LOWERS" : "UNCLEAR";
    return {
      key: candidate.key,
      family: candidate.family,
      ...described,
      direction,
      ...effect,
      sentence: driverSentence(described.touchpoint, parsed.outcome, effect.riskRatio, effect.customers),
    };
  });
  // Clear effects first, largest first (a halving ranks with a doubling); then the unclear ones.
  drivers.sort(
    (a, b) =>
      Number(a.direction === "UNCLEAR") - Number(b.direction === "UNCLEAR") ||
      Math.abs(Math.log(b.riskRatio.estimate)) - Math.abs(Math.log(a.riskRatio.estimate)) ||
      b.customers - a.customers ||
      a.key.localeCompare(b.key),
  );
  const converged = fit.converged
    ? null
    : "The model did not converge in 50 steps: treat the intervals with caution.";
  return {
    ...base,
    drivers: drivers.map((driver, index) => ({ rank: index + 1, ...driver })),
    note: [selectionNote, converged].filter(Boolean).join(" ") || null,
  };
}

function describe(
  candidate: Candidate,
  names: Map<string, { journey: string; stage: string }>,
  slowReplySeconds: number,
): Pick<KeyDriver, "channel" | "kind" | "stageId" | "touchpoint"> {
  const none = { channel: null, kind: null, stageId: null };
  const [, value = ""] = candidate.key.split(/:(.*)/s);
  switch (candidate.family) {
    case "CHANNEL":
      return { ...none, channel: value as Channel, touchpoint: channelTouchpoint(value as Channel) };
    case "INTERACTION_KIND":
      return { ...none, kind: value, touchpoint: kindTouchpoint(value) };
    case "JOURNEY_STAGE": {
      const name = names.get(value);
      return {
        ...none,
        stageId: value,
        touchpoint: stageTouchpoint(name?.journey ?? "(deleted)", name?.stage ?? value),
      };
    }
    case "SENTIMENT":
      return { ...none, touchpoint: sentimentTouchpoint(value === "NEGATIVE" ? "NEGATIVE" : "POSITIVE") };
    case "RESPONSE_DELAY":
      return { ...none, touchpoint: slowReplyTouchpoint(slowReplySeconds) };
  }
}
