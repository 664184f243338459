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
  rebaselineAlert,
  resolutionNote,
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
      digestAbove: 10,
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

describe("alerts that resolve themselves", () => {
  const alerted = (level: "HIGH" | "CRITICAL"): AlertState => ({ ...NO_ALERT_STATE, alertedLevel: level });

  test("a level's alerts resolve once the risk falls below its threshold less the hysteresis, not before", () => {
    // 0.56 is below HIGH but inside its band (0.55): the level is held, its alert stays open.
    expect(decideAlert(alerted("HIGH"), 0.56, policy, start)).toMatchObject({
      state: { alertedLevel: "HIGH" },
      resolve: { levels: ["CRITICAL"] },
    });
    expect(decideAlert(alerted("HIGH"), 0.54, policy, start)).toMatchObject({
      state: { alertedLevel: null },
      resolve: { levels: ["HIGH", "CRITICAL"], reason: "RISK_FELL" },
    });
  });

  test("a fall from CRITICAL into HIGH's band resolves CRITICAL alerts only; below HIGH's band, both", () => {
    expect(decideAlert(alerted("CRITICAL"), 0.76, policy, start).resolve.levels).toEqual([]);
    expect(decideAlert(alerted("CRITICAL"), 0.7, policy, start)).toMatchObject({
      state: { alertedLevel: "HIGH" },
      resolve: { levels: ["CRITICAL"] },
    });
    expect(decideAlert(alerted("CRITICAL"), 0.3, policy, start).resolve.levels).toEqual(["HIGH", "CRITICAL"]);
  });

  test("the note says how far the risk fell, in points an account manager reads", () => {
    expect(resolutionNote("HIGH", 0.4132, policy, "RISK_FELL")).toBe(
      "Churn risk fell to 41%, below HIGH (60%) less the 5-point hysteresis.",
    );
    // Rounded to 55% it would not look below 55%: one more decimal, or two, until it does.
    expect(resolutionNote("HIGH", 0.5499, policy, "RISK_FELL")).toBe(
      "Churn risk fell to 54.99%, below HIGH (60%) less the 5-point hysteresis.",
    );
    expect(resolutionNote("CRITICAL", 0.7, { ...policy, hysteresis: 0.025 }, "RISK_FELL")).toBe(
      "Churn risk fell to 70%, below CRITICAL (80%) less the 2.5-point hysteresis.",
    );
    expect(resolutionNote("HIGH", 0.5, { ...policy, hysteresis: 0 }, "RISK_FELL")).toBe(
      "Churn risk fell to 50%, below HIGH (60%).",
    );
    expect(resolutionNote("HIGH", 0.58, policy, "MODEL_CHANGED")).toBe(
      "The scores were rebaselined after a change of model or rules: churn risk is now 58%, below HIGH (60%).",
    );
  });
});

describe("rebaselining", () => {
  const state: AlertState = {
    alertedLevel: "HIGH",
    alertCount: 3,
    lastHighAlertAt: start,
    lastCriticalAlertAt: null,
  };

  test("moves the state to the new score's level without raising, keeping counts and cool-downs", () => {
    expect(rebaselineAlert(state, 0.95, policy)).toEqual({
      state: { ...state, alertedLevel: "CRITICAL" },
      raise: null,
      heldBack: null,
      resolve: { levels: [], reason: "MODEL_CHANGED" },
    });
    expect(rebaselineAlert(NO_ALERT_STATE, 0.7, policy).state.alertedLevel).toBe("HIGH");
  });

  test("resolves the levels above the new score without hysteresis, so state and open alerts agree", () => {
    // 0.58 is inside HIGH's band: a decision would hold HIGH; a rebaseline leaves it.
    expect(decideAlert(state, 0.58, policy, start).resolve.levels).toEqual(["CRITICAL"]);
    expect(rebaselineAlert(state, 0.58, policy)).toMatchObject({
      state: { alertedLevel: null },
      resolve: { levels: ["HIGH", "CRITICAL"], reason: "MODEL_CHANGED" },
    });
    expect(rebaselineAlert(state, 0.79, policy).resolve.levels).toEqual(["CRITICAL"]);
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
        alerts: { thresholds: { critical: 0.9 }, hysteresis: 0.1, coolDownMinutes: 60, digestAbove: 50 },
      }),
    );
    expect(resolveAlertPolicy(loaded.alerts, loaded.levels)).toEqual({
      thresholds: { HIGH: 0.55, CRITICAL: 0.9 },
      hysteresis: 0.1,
      coolDownMinutes: 60,
      alertOnFirstScore: false,
      digestAbove: 50,
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
    [
      { alerts: { digestAbove: 0 } },
      "alerts.digestAbove digestAbove is at least 1 (a digest lists more alerts than this)",
    ],
  ])("a bad alert setting stops start-up naming it: %j", async (json, message) => {
    await expect(loadScoringPolicy(await policyFile(json))).rejects.toThrow(message);
  });
});
