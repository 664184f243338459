// When a scheduled run may leave a stored score as it is: only when the fresh score agrees with the
// STORED one within the tolerance, on the same level and model, with the same facts behind it, and
// without crossing a line the alert policy acts on.
import { describe, expect, it } from "vitest";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import type { ScoreRow } from "../../src/scoring/score-writes.ts";
import { SKIP_TOLERANCE, type StoredScore, scoreHolds } from "../../src/scoring/unchanged-scores.ts";

const policy = DEFAULT_SCORING_POLICY;
const model = { modelVersion: "churn-v2/bgnbd-gg@1", modelId: "0190f5a2-0000-7000-8000-0000000000aa" };
const reasons = [
  {
    factor: "PURCHASE_PATTERN" as const,
    value: 0.5,
    contribution: 0.2,
    weight: 1,
    facts: { purchases: 3, lastPurchaseOn: "2026-08-15", horizonDays: 90 },
  },
];

function stored(overrides: Partial<StoredScore> = {}): StoredScore {
  return {
    churnRisk: 0.3,
    level: "LOW",
    reasons,
    probabilityAlive: 0.7,
    expectedTransactions: 1.2,
    clv: "120.00",
    currency: "USD",
    forecastMonths: 12,
    repeatTransactions: 2,
    firstPurchaseOn: "2025-10-01",
    lastPurchaseOn: "2026-08-15",
    averageRepeatSpend: "40.0000",
    ...model,
    ...overrides,
  };
}

function fresh(overrides: Partial<ScoreRow> = {}): ScoreRow {
  return {
    customerId: "0190f5a2-0000-7000-8000-000000000001",
    churnRisk: 0.3,
    level: "LOW",
    reasons,
    probabilityAlive: 0.7,
    expectedTransactions: 1.2,
    clv: "120.00",
    currency: "USD",
    health: 70,
    forecastMonths: 12,
    repeatTransactions: 2,
    firstPurchaseOn: "2025-10-01",
    lastPurchaseOn: "2026-08-15",
    averageRepeatSpend: "40.0000",
    historyId: "0190f5a2-0000-7000-8000-0000000000bb",
    ...overrides,
  };
}

const holds = (before: StoredScore, after: ScoreRow) => scoreHolds(before, after, model, policy);

describe("scoreHolds", () => {
  it("lets a score stand that drifted less than the tolerance since it was stored", () => {
    expect(holds(stored(), fresh({ churnRisk: 0.3 + SKIP_TOLERANCE / 2, clv: "120.50" }))).toBe(true);
  });

  it("writes drift that reached the tolerance against the stored score", () => {
    expect(holds(stored(), fresh({ churnRisk: 0.3 + SKIP_TOLERANCE }))).toBe(false);
    expect(holds(stored(), fresh({ probabilityAlive: 0.7 - SKIP_TOLERANCE }))).toBe(false);
    expect(holds(stored(), fresh({ clv: "121.00" }))).toBe(false);
  });

  it("writes a new level, a new model or new purchase facts, however small the move", () => {
    const { medium } = policy.levels;
    expect(holds(stored({ churnRisk: medium - 0.001 }), fresh({ churnRisk: medium, level: "MEDIUM" }))).toBe(
      false,
    );
    expect(holds(stored({ modelVersion: "churn-v2/bgnbd-gg@0" }), fresh())).toBe(false);
    expect(holds(stored(), fresh({ lastPurchaseOn: "2026-08-16" }))).toBe(false);
    expect(holds(stored(), fresh({ averageRepeatSpend: "41.0000" }))).toBe(false);
  });

  it("writes a score that crosses the line where an open alert resolves (a level's threshold less the hysteresis)", () => {
    const line = policy.levels.high - policy.alerts.hysteresis;
    const before = stored({ churnRisk: line + 0.001, level: "MEDIUM" });
    expect(holds(before, fresh({ churnRisk: line - 0.001, level: "MEDIUM" }))).toBe(false);
    expect(holds(before, fresh({ churnRisk: line + 0.002, level: "MEDIUM" }))).toBe(true);
  });

  it("writes a score that crosses an alert threshold set apart from the scoring levels", () => {
    // alerts.thresholds.high at 0.7 while the HIGH level starts elsewhere: the alert rule acts at 0.7.
    const apart = { ...policy, alerts: { ...policy.alerts, thresholds: { high: 0.7 } } };
    const level = "HIGH" as const;
    const crossing = (to: number) =>
      scoreHolds(stored({ churnRisk: 0.698, level }), fresh({ churnRisk: to, level }), model, apart);
    expect(policy.levels.high).not.toBe(0.7);
    expect(crossing(0.701)).toBe(false);
    expect(crossing(0.6995)).toBe(true);
    // And the line where its open alert resolves: 0.7 less the hysteresis.
    const resolveLine = 0.7 - policy.alerts.hysteresis;
    const falling = scoreHolds(
      stored({ churnRisk: resolveLine + 0.001, level }),
      fresh({ churnRisk: resolveLine - 0.001, level }),
      model,
      apart,
    );
    expect(falling).toBe(false);
  });

  it("writes a score whose reasons cite other facts", () => {
    const answered = [
      { ...reasons[0], facts: { ...reasons[0]?.facts, purchases: 4 } },
    ] as ScoreRow["reasons"];
    expect(holds(stored(), fresh({ reasons: answered }))).toBe(false);
  });
});
