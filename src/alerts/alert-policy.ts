// The alert policy: when a churn-risk score raises an alert. Its settings live in
// src/policy/alert-policy-settings.ts; this is the pure rule that turns a customer's alert state
// and new risk into the next state and, at most, one alert. raise-alerts.ts applies it to a batch.
//
// The rule, per customer:
// - An alert is raised when the risk crosses into a higher alert level than the one the customer is
//   already at: into HIGH, or into CRITICAL (an escalation from HIGH is a new alert).
// - Hysteresis: the level reached stays reached until the risk falls below its threshold by more than
//   `hysteresis`, so a score wobbling around a threshold raises one alert, not one per wobble.
// - Cool-down: after an alert at a level, a new crossing into that level (or a lower one) within
//   `coolDownMinutes` raises nothing, even after a real drop in between; an escalation still does.
// - A customer's first score raises nothing unless `alertOnFirstScore`: it is where the customer
//   starts, not a change (a bulk load of 2,000 at-risk customers must not be 2,000 alerts).
// - Resolution: the open alerts of a level resolve themselves once the risk falls below the level's
//   threshold less the hysteresis, the point where the level is let go (RISK_FELL).
// - Rebaselining (after a refit or new scoring rules, when every score moves at once for reasons that
//   are not the customer's): the state moves to the level of the new score and nothing is raised; the
//   open alerts of the levels above it resolve (MODEL_CHANGED), so that state and alerts agree.
import { ALERT_LEVELS, type AlertLevel, type AlertPolicy } from "../policy/alert-policy-settings.ts";

/** A customer's alert state, as stored in CustomerAlertState. */
export interface AlertState {
  alertedLevel: AlertLevel | null;
  alertCount: number;
  lastHighAlertAt: Date | null;
  lastCriticalAlertAt: Date | null;
}

export const NO_ALERT_STATE: AlertState = {
  alertedLevel: null,
  alertCount: 0,
  lastHighAlertAt: null,
  lastCriticalAlertAt: null,
};

/**
 * The state at another level, the rest kept. A literal rather than \`{ ...state, alertedLevel }\`: every
 * rescored customer passes here, and on Node 20 that form costs microseconds per object.
 */
const atLevel = (state: AlertState, alertedLevel: AlertLevel | null): AlertState => ({
  alertedLevel,
  alertCount: state.alertCount,
  lastHighAlertAt: state.lastHighAlertAt,
  lastCriticalAlertAt: state.lastCriticalAlertAt,
});

const rank = (level: AlertLevel | null) => (level === null ? 0 : ALERT_LEVELS.indexOf(level) + 1);

/** The alert level a risk is in, or null below the HIGH threshold. */
export function alertLevelOf(churnRisk: number, policy: AlertPolicy): AlertLevel | null {
  if (churnRisk >= policy.thresholds.CRITICAL) return "CRITICAL";
  if (churnRisk >= policy.thresholds.HIGH) return "HIGH";
  return null;
}

/**
 * The state a customer starts from when they have none stored: the level of their previous score
 * (so a crossing from it still alerts), or, on their first score, the level of that score itself,
 * which therefore raises nothing unless the policy says otherwise.
 */
export function initialAlertState(
  previousRisk: number | null,
  churnRisk: number,
  policy: AlertPolicy,
): AlertState {
  if (previousRisk !== null) return atLevel(NO_ALERT_STATE, alertLevelOf(previousRisk, policy));
  if (policy.alertOnFirstScore) return NO_ALERT_STATE;
  return atLevel(NO_ALERT_STATE, alertLevelOf(churnRisk, policy));
}

/**
 * What a rescore does with alerts: `decide` applies the rule above; `rebaseline` moves every customer
 * to the level of their new score without raising alerts (after a refit or a change of the rules).
 */
export type AlertMode = "decide" | "rebaseline";

/** Why the hub resolved an alert (RESOLVED_BY_USER is a person's, in work-alerts.ts). */
export type AutoResolutionReason = "RISK_FELL" | "MODEL_CHANGED";

export interface AlertDecision {
  state: AlertState;
  /** The level of the alert to raise, or null. */
  raise: AlertLevel | null;
  /** A crossing the cool-down held back (for logs and tests). */
  heldBack: AlertLevel | null;
  /** The levels whose open alerts the new risk resolves, and why; none when it resolves nothing. */
  resolve: { levels: AlertLevel[]; reason: AutoResolutionReason };
}

/** The levels whose band a risk is below: where the hysteresis lets the level go. */
function levelsFallenBelow(churnRisk: number, policy: AlertPolicy): AlertLevel[] {
  return ALERT_LEVELS.filter((level) => churnRisk < policy.thresholds[level] - policy.hysteresis);
}

/** Applies the policy to one customer's new risk. Pure: the caller stores the state and the alert. */
export function decideAlert(
  state: AlertState,
  churnRisk: number,
  policy: AlertPolicy,
  now: Date,
): AlertDecision {
  let reached = state.alertedLevel;
  // Hysteresis: a reached level is left only when the risk falls clearly below its threshold.
  while (reached !== null && churnRisk < policy.thresholds[reached] - policy.hysteresis) {
    reached = reached === "CRITICAL" ? "HIGH" : null;
  }
  // Not only the levels left just now: an alert still open at a level the risk is already below
  // (raised before alerts resolved themselves) is resolved by the next rescore too.
  const resolve = { levels: levelsFallenBelow(churnRisk, policy), reason: "RISK_FELL" as const };
  const level = alertLevelOf(churnRisk, policy);
  if (level === null || rank(level) <= rank(reached)) {
    return { state: atLevel(state, reached), raise: null, heldBack: null, resolve };
  }
  if (coolingDown(state, level, policy, now)) {
    return { state: atLevel(state, level), raise: null, heldBack: level, resolve };
  }
  return {
    resolve,
    state: {
      alertedLevel: level,
      alertCount: state.alertCount + 1,
      lastHighAlertAt: level === "HIGH" ? now : state.lastHighAlertAt,
      lastCriticalAlertAt: level === "CRITICAL" ? now : state.lastCriticalAlertAt,
    },
    raise: level,
    heldBack: null,
  };
}

/**
 * Moves a customer to the level of their new score without raising anything (a refit, new rules):
 * cool-down times and the alert count are kept. The open alerts of every level above the new score's
 * resolve, without hysteresis, so that no alert stays open at a level the state no longer holds.
 */
export function rebaselineAlert(state: AlertState, churnRisk: number, policy: AlertPolicy): AlertDecision {
  return {
    state: atLevel(state, alertLevelOf(churnRisk, policy)),
    raise: null,
    heldBack: null,
    resolve: {
      levels: ALERT_LEVELS.filter((level) => churnRisk < policy.thresholds[level]),
      reason: "MODEL_CHANGED",
    },
  };
}

/** The sentence stored with an alert the hub resolved, saying how far the risk fell. */
export function resolutionNote(
  level: AlertLevel,
  churnRisk: number,
  policy: AlertPolicy,
  reason: AutoResolutionReason,
): string {
  const threshold = policy.thresholds[level];
  if (reason === "MODEL_CHANGED") {
    return `The scores were rebaselined after a change of model or rules: churn risk is now ${percentBelow(churnRisk, threshold)}, below ${level} (${percent(threshold)}).`;
  }
  const band = threshold - policy.hysteresis;
  const hysteresis =
    policy.hysteresis === 0 ? "" : ` less the ${trim(policy.hysteresis * 100)}-point hysteresis`;
  return `Churn risk fell to ${percentBelow(churnRisk, band)}, below ${level} (${percent(threshold)})${hysteresis}.`;
}

const trim = (value: number) => String(Number(value.toFixed(2)));
const percent = (value: number) => `${trim(value * 100)}%`;

/** A risk as a percentage with the fewest decimals (up to 2) that still show it below `limit`. */
function percentBelow(value: number, limit: number): string {
  for (const digits of [0, 1, 2]) {
    const shown = (value * 100).toFixed(digits);
    if (Number(shown) < Number((limit * 100).toFixed(2))) return `${Number(shown)}%`;
  }
  return `${(value * 100).toFixed(3)}%`;
}

/** Whether an alert at this level or above was raised within the cool-down. */
function coolingDown(state: AlertState, level: AlertLevel, policy: AlertPolicy, now: Date): boolean {
  const since = now.getTime() - policy.coolDownMinutes * 60_000;
  const recent = (at: Date | null) => at !== null && at.getTime() > since;
  return recent(state.lastCriticalAlertAt) || (level === "HIGH" && recent(state.lastHighAlertAt));
}

/** The key that makes an alert unique: two evaluations of the same crossing produce the same key. */
export function alertTriggerKey(customerId: string, level: AlertLevel, alertNumber: number): string {
  return `${customerId}:${level}:${alertNumber}`;
}
