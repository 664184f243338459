// The alerts API over GraphQL: the list an account manager works from (only their customers' alerts,
// filtered, newest first, with the stream cursor to go live from), acknowledging, resolving with a
// note, snoozing, the errors that say what to fix, and the policy in force.
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import {
  AcknowledgeAlertDocument,
  AlertPolicyDocument,
  AlertsDocument,
  ResolveAlertDocument,
  SnoozeAlertDocument,
} from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";
import { detractorAnswer, managerWithCustomer } from "./helpers/live-hub.ts";

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");

/** Two managers, each with one customer who has just raised a HIGH alert. */
async function twoManagersWithAlerts(db: Database) {
  const ana = await managerWithCustomer(db, "Ana");
  const ben = await managerWithCustomer(db, "Ben");
  await detractorAnswer(db, ana.customerId);
  await detractorAnswer(db, ben.customerId);
  const alertOf = async (customerId: string) =>
    globalId("Alert", (await db.prisma.alert.findFirstOrThrow({ where: { customerId } })).id);
  return {
    ana: { ...ana, alertId: await alertOf(ana.customerId) },
    ben: { ...ben, alertId: await alertOf(ben.customerId) },
    anaClient: await createTestClient(db, { role: "ACCOUNT_MANAGER", principalId: ana.principal.id }),
  };
}

describe("the alert list", () => {
  test("an account manager sees only their own customers' alerts; an admin filters by owner; integrators see none; the policy is shown", async ({
    db,
  }) => {
    const { ana, ben, anaClient } = await twoManagersWithAlerts(db);
    const mine = await anaClient.execute(AlertsDocument, { filter: { status: ["OPEN"] } });
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.alerts.totalCount).toBe(1);
    expect(mine.data?.alerts.edges[0]?.node).toMatchObject({
      id: ana.alertId,
      level: "HIGH",
      status: "OPEN",
      snoozed: false,
      customer: { id: globalId("Customer", ana.customerId), displayName: "Ana's client" },
      owner: { id: globalId("Principal", ana.principal.id), name: "Ana" },
    });
    // Published by no dispatcher here (no live services), so no stream cursor yet; the list's is the start.
    expect(mine.data?.alerts.edges[0]?.node.streamCursor).toBeNull();
    expect(mine.data?.alerts.streamCursor).toBe(Buffer.from("alert-stream:0").toString("base64url"));

    const admin = await createTestClient(db);
    const bens = await admin.execute(AlertsDocument, {
      filter: { ownerId: globalId("Principal", ben.principal.id), levels: ["HIGH"] },
    });
    expect(bens.data?.alerts.edges.map((edge) => edge.node.id)).toEqual([ben.alertId]);
    const everyone = await admin.execute(AlertsDocument, {});
    expect(everyone.data?.alerts.edges.map((edge) => edge.node.id)).toEqual([ben.alertId, ana.alertId]);

    // The policy in force, thresholds following the scoring levels.
    expect((await anaClient.execute(AlertPolicyDocument)).data?.alertPolicy).toEqual({
      highThreshold: 0.6,
      criticalThreshold: 0.8,
      hysteresis: 0.05,
      coolDownMinutes: 1440,
      alertOnFirstScore: false,
      digestAbove: 10,
    });

    const integrator = await createTestClient(db, { role: "INTEGRATOR" });
    expect((await integrator.execute(AlertsDocument, {})).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("working an alert", () => {
  test("acknowledge (twice is harmless), then resolve with a note; a resolved alert cannot be worked again", async ({
    db,
  }) => {
    const { ana, anaClient } = await twoManagersWithAlerts(db);
    const acknowledged = await anaClient.execute(AcknowledgeAlertDocument, {
      input: { alertId: ana.alertId },
    });
    expect(acknowledged.data?.acknowledgeAlert).toMatchObject({
      __typename: "AlertPayload",
      alert: { status: "ACKNOWLEDGED", acknowledgedBy: { name: "Ana" } },
    });
    const again = await anaClient.execute(AcknowledgeAlertDocument, { input: { alertId: ana.alertId } });
    expect(again.data?.acknowledgeAlert).toMatchObject({ alert: { status: "ACKNOWLEDGED" } });

    const blank = await anaClient.execute(ResolveAlertDocument, {
      input: { alertId: ana.alertId, note: "  " },
    });
    expect(blank.data?.resolveAlert).toMatchObject({
      __typename: "ValidationError",
      issues: [{ path: ["note"], message: "say what was done: the note is kept with the alert" }],
    });

    const resolved = await anaClient.execute(ResolveAlertDocument, {
      input: { alertId: ana.alertId, note: "Called her: the refund went out today, she is staying." },
    });
    expect(resolved.data?.resolveAlert).toMatchObject({
      __typename: "AlertPayload",
      alert: {
        status: "RESOLVED",
        resolutionReason: "RESOLVED_BY_USER",
        resolutionNote: "Called her: the refund went out today, she is staying.",
        resolvedBy: { name: "Ana" },
      },
    });
    const twice = await anaClient.execute(ResolveAlertDocument, {
      input: { alertId: ana.alertId, note: "again" },
    });
    expect(twice.data?.resolveAlert).toMatchObject({
      __typename: "ConflictError",
      message: expect.stringMatching(
        /^The alert is already resolved \(since .*\): nothing more to do with it\.$/,
      ),
    });
    const stored = await db.prisma.alert.findFirstOrThrow({ where: { customerId: ana.customerId } });
    expect(stored).toMatchObject({ status: "RESOLVED", acknowledgedById: ana.principal.id });
    const byHand = await anaClient.execute(AlertsDocument, {
      filter: { resolutionReasons: ["RESOLVED_BY_USER"] },
    });
    expect(byHand.data?.alerts.totalCount).toBe(1);
    const byTheHub = await anaClient.execute(AlertsDocument, {
      filter: { resolutionReasons: ["RISK_FELL"] },
    });
    expect(byTheHub.data?.alerts.totalCount).toBe(0);
  });

  test("a snoozed alert leaves the list of what needs attention until its time; the time must be ahead", async ({
    db,
  }) => {
    const { ana, anaClient } = await twoManagersWithAlerts(db);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const snoozed = await anaClient.execute(SnoozeAlertDocument, {
      input: { alertId: ana.alertId, until: tomorrow },
    });
    expect(snoozed.data?.snoozeAlert).toMatchObject({
      alert: { status: "OPEN", snoozed: true, snoozedUntil: tomorrow },
    });
    const attention = await anaClient.execute(AlertsDocument, {
      filter: { status: ["OPEN"], snoozed: false },
    });
    expect(attention.data?.alerts.totalCount).toBe(0);
    const asleep = await anaClient.execute(AlertsDocument, { filter: { snoozed: true } });
    expect(asleep.data?.alerts.totalCount).toBe(1);

    const past = await anaClient.execute(SnoozeAlertDocument, {
      input: { alertId: ana.alertId, until: "2020-01-01T00:00:00Z" },
    });
    expect(past.data?.snoozeAlert).toMatchObject({
      __typename: "ValidationError",
      message: "The snooze is invalid at until: snooze until a moment in the next 30 days.",
    });
  });

  test("an account manager cannot work another manager's alert; an analyst reads but cannot work them", async ({
    db,
  }) => {
    const { ben, anaClient } = await twoManagersWithAlerts(db);
    const foreign = await anaClient.execute(AcknowledgeAlertDocument, { input: { alertId: ben.alertId } });
    expect(foreign.data?.acknowledgeAlert).toMatchObject({
      __typename: "ForbiddenError",
      message:
        "This alert is about a customer you do not own: ask their account manager, or an admin to reassign the customer.",
    });
    const analyst = await createTestClient(db, { role: "ANALYST" });
    expect((await analyst.execute(AlertsDocument, {})).data?.alerts.totalCount).toBe(2);
    const refused = await analyst.execute(AcknowledgeAlertDocument, { input: { alertId: ben.alertId } });
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const wrongId = await anaClient.execute(AcknowledgeAlertDocument, {
      input: { alertId: globalId("Customer", ben.customerId) },
    });
    expect(wrongId.data?.acknowledgeAlert).toMatchObject({ __typename: "ValidationError" });
  });
});
