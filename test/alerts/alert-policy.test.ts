// The alert policy's rule, step by step as a score moves: crossings, hysteresis, cool-down,
// escalation, first scores; and its settings, validated with the scoring policy.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import {
  type AlertState,
  decideAlert,
  initialAlertState,
  NO_ALERT_STATE,
} from "../../src/alerts/alert-policy.ts";
import { type AlertPolicy, resolveAlertPolicy } from "../../src/policy/alert-policy-settings.ts";
import { DEFAULT_SCORING_POLICY, loadScoringPolicy } from "../../src/policy/scoring-policy.ts";

const policy = resolveAlertPolicy(DEFAULT_SCORING_POLICY.alerts, DEFAULT_SCORING_POLICY.levels);
const start = new Date("2026-11-20T09:00:00Z");
const minutesLater = (minutes: number) => new Date(start.getTime() + minutes * 60_000);

/** Feeds risks to the rule in order (one per minute unless given), returning the alerts raised. */
function run(risks: Array<number | [number, number]>, from: AlertState = NO_ALERT_STATE, rule = policy) {
  let state = from;
  const raised: Array<{ level: string; minute: number }> = [];
  risks.forEach((step, index) => {
    const [risk, minute] = Array.isArray(step) ? step : [step, index];
    const decision = decideAlert(state, risk, rule, minutesLater(minute));
    state = decision.state;
    if (decision.raise) raised.push({ level: decision.raise, minute });
  });
  return { raised, state };
}

describe("the alert rule", () => {
  test("defaults: HIGH at 0.6 and CRITICAL at 0.8 (the scoring levels), hysteresis 0.05, a day's cool-down", () => {
    expect(policy).toEqual({
      thresholds: { HIGH: 0.6, CRITICAL: 0.8 },
      hysteresis: 0.05,
      coolDownMinutes: 1440,
      alertOnFirstScore: false,
    });
  });

  test("crossing into HIGH raises one alert; staying HIGH raises no more", () => {
    const { raised, state } = run([0.45, 0.61, 0.65, 0.7]);
    expect(raised).toEqual([{ level: "HIGH", minute: 1 }]);
    expect(state.alertedLevel).toBe("HIGH");
    expect(state.alertCount).toBe(1);
  });

  test("a score wobbling around the threshold, within the hysteresis, raises one alert", () => {
    const { raised } = run([0.5, 0.61, 0.58, 0.62, 0.56, 0.61, 0.59, 0.63]);
    expect(raised).toEqual([{ level: "HIGH", minute: 1 }]);
  });

  test("a real drop and a new crossing inside the cool-down raise nothing; after it they alert again", () => {
    const { raised } = run([
      [0.5, 0],
      [0.62, 1], // alert
      [0.4, 60], // clearly below: re-armed
      [0.63, 120], // within the day: held back
      [0.4, 1000],
      [0.64, 1500], // 25 hours after the first alert: a new one
    ]);
    expect(raised).toEqual([
      { level: "HIGH", minute: 1 },
      { level: "HIGH", minute: 1500 },
    ]);
  });

  test("escalating from HIGH to CRITICAL is a new alert, even inside the cool-down", () => {
    const { raised, state } = run([0.5, 0.65, 0.85]);
    expect(raised).toEqual([
      { level: "HIGH", minute: 1 },
      { level: "CRITICAL", minute: 2 },
    ]);
    expect(state.alertCount).toBe(2);
  });

  test("a jump straight to CRITICAL raises one CRITICAL alert, not a HIGH one too", () => {
    expect(run([0.3, 0.9]).raised).toEqual([{ level: "CRITICAL", minute: 1 }]);
  });

  test("after a CRITICAL alert, falling to HIGH and back up raises nothing until the cool-down ends", () => {
    const { raised, state } = run([
      [0.85, 0],
      [0.7, 10], // CRITICAL left (0.7 < 0.8 − 0.05), HIGH still reached
      [0.82, 20], // back to CRITICAL within the cool-down: held back
    ]);
    expect(raised).toEqual([{ level: "CRITICAL", minute: 0 }]);
    expect(state.alertedLevel).toBe("CRITICAL");
  });

  test("a HIGH crossing shortly after a CRITICAL alert is held back: the customer was already flagged", () => {
    const { raised } = run([
      [0.85, 0],
      [0.3, 10],
      [0.65, 20],
    ]);
    expect(raised).toEqual([{ level: "CRITICAL", minute: 0 }]);
  });

  test("a first score starts where it is: no alert, unless alertOnFirstScore", () => {
    const firstHigh = initialAlertState(null, 0.9, policy);
    expect(decideAlert(firstHigh, 0.9, policy, start).raise).toBeNull();
    expect(firstHigh.alertedLevel).toBe("CRITICAL");

    const eager: AlertPolicy = { ...policy, alertOnFirstScore: true };
    expect(decideAlert(initialAlertState(null, 0.9, eager), 0.9, eager, start).raise).toBe("CRITICAL");
  });

  test("a customer without stored state starts from their previous score, so a crossing from it alerts", () => {
    expect(decideAlert(initialAlertState(0.5, 0.7, policy), 0.7, policy, start).raise).toBe("HIGH");
    expect(decideAlert(initialAlertState(0.65, 0.7, policy), 0.7, policy, start).raise).toBeNull();
  });

  test("a cool-down of 0 alerts on every new crossing past the hysteresis", () => {
    const eager: AlertPolicy = { ...policy, coolDownMinutes: 0, hysteresis: 0 };
    expect(run([0.5, 0.61, 0.59, 0.61], NO_ALERT_STATE, eager).raised).toHaveLength(2);
  });
});

describe("alert settings in the scoring policy file", () => {
  async function policyFile(json: unknown) {
    const folder = await mkdtemp(path.join(tmpdir(), "cxhub-alert-policy-"));
    const file = path.join(folder, "policy.json");
    await writeFile(file, JSON.stringify(json));
    return file;
  }

  test("thresholds follow the scoring levels unless set, and every setting can be changed", async () => {
    const loaded = await loadScoringPolicy(
      await policyFile({
        levels: { high: 0.55, critical: 0.85 },
        alerts: { thresholds: { critical: 0.9 }, hysteresis: 0.1, coolDownMinutes: 60 },
      }),
    );
    expect(resolveAlertPolicy(loaded.alerts, loaded.levels)).toEqual({
      thresholds: { HIGH: 0.55, CRITICAL: 0.9 },
      hysteresis: 0.1,
      coolDownMinutes: 60,
      alertOnFirstScore: false,
    });
  });

  test.each([
    [
      { alerts: { thresholds: { high: 0.9 } } },
      "alerts.thresholds must rise: the high threshold (0.9) below the critical one (0.8)",
    ],
    [{ alerts: { hysteresis: 0.7 } }, "alerts.hysteresis the hysteresis is at most 0.5"],
    [{ alerts: { coolDown: 5 } }, 'alerts Unrecognized key: "coolDown"'],
    [{ alerts: { coolDownMinutes: -1 } }, "alerts.coolDownMinutes the cool-down is 0 (none) or more minutes"],
  ])("a bad alert setting stops start-up naming it: %j", async (json, message) => {
    await expect(loadScoringPolicy(await policyFile(json))).rejects.toThrow(message);
  });
});
