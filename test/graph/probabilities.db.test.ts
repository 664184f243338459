// Probabilities as the API shows them (issue 16: "A churn risk of 0.9999000000000001 is shown"):
// to 4 decimal places, while the stored values keep their full precision for the models.
import { expect } from "vitest";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const NOISY_RISK = 0.9999000000000001;

test("shows churn risks, P(alive), reason values and shares and alert risks to 4 decimal places", async ({
  db,
}) => {
  const customer = await db.prisma.customer.create({ data: { displayName: "Noisy" } });
  const reason = {
    factor: "PURCHASE_PATTERN",
    value: 0.9000000000000001,
    contribution: 9.21024036697585,
    weight: 0.30000000000000004,
    explanation: "One purchase 400 days ago.",
  };
  await db.prisma.score.create({
    data: {
      customerId: customer.id,
      churnRisk: NOISY_RISK,
      churnRiskLevel: "CRITICAL",
      reasons: [reason],
      probabilityAlive: 0.12345678,
      currency: "USD",
      modelVersion: "churn-v1/test",
      computedAt: new Date("2026-06-15T12:00:00Z"),
    },
  });
  await db.prisma.alert.create({
    data: {
      customerId: customer.id,
      level: "CRITICAL",
      score: NOISY_RISK,
      previousScore: 0.7000000000000001,
      triggerKey: "noisy-1",
    },
  });
  const admin = await createTestClient(db);
  const response = await admin.fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: `{
        customers(first: 1) { edges { node { score { churnRisk probabilityAlive reasons { value weight contribution } } } } }
        alerts(first: 1) { edges { node { churnRisk previousChurnRisk } } }
      }`,
    }),
  });
  const text = await response.text();
  expect(text).not.toContain("0000000");
  const body = JSON.parse(text);
  expect(body.data.customers.edges[0].node.score).toEqual({
    churnRisk: 0.9999,
    probabilityAlive: 0.1235,
    // Contributions are log-odds, not probabilities: shown as computed.
    reasons: [{ value: 0.9, weight: 0.3, contribution: 9.21024036697585 }],
  });
  expect(body.data.alerts.edges[0].node).toEqual({ churnRisk: 0.9999, previousChurnRisk: 0.7 });
  // The database keeps the full value: thresholds and calibration are untouched.
  const stored = await db.prisma.score.findUniqueOrThrow({ where: { customerId: customer.id } });
  expect(stored.churnRisk).toBe(NOISY_RISK);
});
