// Alerts raised by real rescores on a real database: by the facts that move a score, once per
// crossing, with everything an account manager needs stored; never for a first score; once when two
// transactions rescore the same crossing at the same time; open alerts resolved when the risk falls
// away, states rebaselined without alerts after a model change, and many alerts for one owner from
// one transaction gathered into a digest.
import { describe, expect, inject } from "vitest";
import { z } from "zod";
import { type RaiseAlertsOptions, raiseAlerts } from "../../src/alerts/raise-alerts.ts";
import type { Database } from "../../src/db/database.ts";
import { storeRecords } from "../../src/domain/records/store-records.ts";
import { rescoreWithAlerts } from "../../src/pipeline/rescore-with-alerts.ts";
import { resolveAlertPolicy } from "../../src/policy/alert-policy-settings.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { churnReasonValuesSchema } from "../../src/scoring/churn-factors.ts";
import { explainReasons } from "../../src/scoring/churn-reasons.ts";
import { countingStatements } from "../helpers/counted-statements.ts";
import { test } from "../helpers/database.ts";
import { rowsRead } from "../helpers/rows-read.ts";
import { recordInteraction, submitFeedback, upsertCustomer } from "../helpers/writes.ts";
import { changesOf, customers, intoCritical, intoHigh, type Move } from "./helpers/score-changes.ts";

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

async function customerOwnedBy(db: Database, email: string) {
  const owner = await db.prisma.principal.create({ data: { name: "Ana Souza", email: `am-${email}` } });
  const { customer } = await upsertCustomer(db.prisma, {
    identities: [{ kind: "EMAIL", value: email }],
    displayName: "Bea Lima",
  });
  await db.prisma.customer.update({ where: { id: customer.id }, data: { ownerId: owner.id } });
  return { customerId: customer.id, ownerId: owner.id };
}

/** A survey answer: NPS 0 lifts a customer without purchases from 50% to HIGH, 10 brings them down. */
function nps(db: Database, customerId: string, score: number, id: string, at = minutesAgo(1)) {
  return submitFeedback(db.prisma, {
    customer: { id: customerId },
    source: "survey",
    externalId: id,
    kind: "NPS",
    score,
    respondedAt: at,
  });
}

/** An angry message, unanswered: with a detractor answer it takes the risk past CRITICAL. */
function angryMessage(db: Database, customerId: string, id: string) {
  return recordInteraction(db.prisma, {
    customer: { id: customerId },
    source: "mail",
    externalId: id,
    channel: "EMAIL",
    kind: "email.received",
    direction: "INBOUND",
    occurredAt: minutesAgo(1),
    summary: "This is the third time I ask for my refund",
    sentiment: -0.9,
  });
}

describe("raising alerts", () => {
  test("a detractor answer that takes a customer into HIGH raises one alert with what the manager needs", async ({
    db,
  }) => {
    const { customerId, ownerId } = await customerOwnedBy(db, "bea@example.com");
    const before = await db.prisma.score.findUniqueOrThrow({ where: { customerId } });
    expect(before.churnRiskLevel).toBe("MEDIUM");

    await nps(db, customerId, 0, "nps-1");
    const alerts = await db.prisma.alert.findMany({ where: { customerId } });
    const score = await db.prisma.score.findUniqueOrThrow({ where: { customerId } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      ownerId,
      level: "HIGH",
      score: score.churnRisk,
      previousScore: before.churnRisk,
      previousLevel: "MEDIUM",
      status: "OPEN",
      publishedAt: null,
      triggerKey: `${customerId}:HIGH:1`,
    });
    // The alert keeps the score's reasons with their sentences as of its moment (a snapshot); the
    // score keeps them as values, and the graph builds the sentences when they are read.
    const scoreReasons = z.array(churnReasonValuesSchema).parse(score.reasons);
    expect(alerts[0]?.reasons).toEqual(
      explainReasons(scoreReasons, { now: score.computedAt, computedAt: score.computedAt }),
    );

    // Another detractor answer keeps the customer HIGH: no second alert.
    await nps(db, customerId, 1, "nps-2");
    expect(await db.prisma.alert.count({ where: { customerId } })).toBe(1);
  });

  test("escalating to CRITICAL is a second alert; a promoter's drop and a new detractor within the day are not", async ({
    db,
  }) => {
    const { customerId } = await customerOwnedBy(db, "caio@example.com");
    await nps(db, customerId, 0, "nps-1", minutesAgo(30));
    await angryMessage(db, customerId, "mail-1");
    const levels = async () =>
      (await db.prisma.alert.findMany({ where: { customerId }, orderBy: { id: "asc" } })).map((a) => a.level);
    expect(await levels()).toEqual(["HIGH", "CRITICAL"]);

    await nps(db, customerId, 10, "nps-2", minutesAgo(20));
    const calmer = await db.prisma.score.findUniqueOrThrow({ where: { customerId } });
    expect(calmer.churnRisk).toBeLessThan(0.75);
    await nps(db, customerId, 0, "nps-3", minutesAgo(10));
    expect((await db.prisma.score.findUniqueOrThrow({ where: { customerId } })).churnRiskLevel).toBe(
      "CRITICAL",
    );
    expect(await levels()).toEqual(["HIGH", "CRITICAL"]);
    expect(await db.prisma.customerAlertState.findUnique({ where: { customerId } })).toMatchObject({
      alertedLevel: "CRITICAL",
      alertCount: 2,
    });
  });

  test("scoring customers for the first time raises nothing, however many are at risk", async ({ db }) => {
    // A bulk load (the demo, a first sync): facts written without rescoring, then scored at once.
    const customers = await db.prisma.customer.createManyAndReturn({
      data: Array.from({ length: 30 }, (_, i) => ({ displayName: `Customer ${i}` })),
    });
    await db.prisma.feedback.createMany({
      data: customers.map((customer, i) => ({
        customerId: customer.id,
        source: "survey",
        externalId: `first-${i}`,
        kind: "NPS" as const,
        score: 0,
        respondedAt: minutesAgo(5),
      })),
    });
    const result = await rescoreWithAlerts(db.prisma, {
      policy: DEFAULT_SCORING_POLICY,
      asOf: new Date(),
      customerIds: customers.map((customer) => customer.id),
    });
    expect(result.changes.every((change) => change.level === "HIGH")).toBe(true);
    expect(result.alerts).toEqual([]);
    expect(await db.prisma.alert.count()).toBe(0);
    // They start at HIGH: only an escalation alerts them from here.
    expect(await db.prisma.customerAlertState.count({ where: { alertedLevel: "HIGH" } })).toBe(30);
  });

  test("two transactions rescoring the same crossing at once raise it once", async ({ db }) => {
    const { customerId } = await customerOwnedBy(db, "dora@example.com");
    // The fact lands without a rescore; then two rescores (two server instances) race over it.
    await nps(db, customerId, 0, "nps-1").then(() => undefined);
    await db.prisma.alert.deleteMany();
    await db.prisma.customerAlertState.deleteMany();
    await db.prisma.score.update({
      where: { customerId },
      data: { churnRisk: 0.5, churnRiskLevel: "MEDIUM" },
    });

    const race = () =>
      rescoreWithAlerts(db.prisma, {
        policy: DEFAULT_SCORING_POLICY,
        customerIds: [customerId],
        asOf: new Date(),
      });
    const results = await Promise.all([race(), race(), race()]);
    expect(results.flatMap((result) => result.alerts)).toHaveLength(1);
    expect(await db.prisma.alert.count({ where: { customerId } })).toBe(1);
  });

  test("a rescore rolled back with its transaction leaves no alert behind", async ({ db }) => {
    const { customerId } = await customerOwnedBy(db, "edu@example.com");
    await expect(
      db.prisma.$transaction(async (tx) => {
        // The pipeline's steps inside a caller's transaction: store, then rescore with alert decisions.
        const now = new Date();
        const input = { customer: { id: customerId }, source: "survey", externalId: "nps-1" };
        await storeRecords(
          tx,
          [{ type: "feedback", input: { ...input, kind: "NPS", score: 0, respondedAt: minutesAgo(1) } }],
          { now },
        );
        await rescoreWithAlerts(tx, { policy: DEFAULT_SCORING_POLICY, customerIds: [customerId], asOf: now });
        expect(await tx.alert.count()).toBe(1);
        throw new Error("the caller's transaction fails later");
      }),
    ).rejects.toThrow("fails later");
    expect(await db.prisma.alert.count()).toBe(0);
  });
});

// The alert decisions on their own, fed score changes at chosen risks under a clock standing still:
// what the scoring model makes of facts is another module's business (and changes with it).
const alertPolicy = resolveAlertPolicy(DEFAULT_SCORING_POLICY.alerts, DEFAULT_SCORING_POLICY.levels);
const t0 = new Date("2026-03-02T10:00:00Z");
const hoursAfter = (hours: number) => new Date(t0.getTime() + hours * 3_600_000);
/** One rescore's transaction over these moves. */
function rescoredAt(db: Database, moves: Move[], options: RaiseAlertsOptions, policy = alertPolicy) {
  return db.prisma.$transaction((tx) => raiseAlerts(tx, changesOf(moves, options.now), policy, options));
}

describe("round trips", () => {
  // Every statement of the decisions is latency a mutation's caller and the alert's subscribers wait
  // through, and CPU of the hub's one thread: a first crossing costs two.
  test("a customer's first crossing is decided in two statements: states read and inserted with the score changes announced, then states and alerts written", async ({
    db,
  }) => {
    const [customer] = await customers(db, 1);
    if (!customer) throw new Error("A customer was made.");
    let statements = 0;
    const raised = await db.prisma.$transaction((tx) => {
      const counted = countingStatements(tx);
      // Into HIGH, and too close to CRITICAL for open CRITICAL alerts to resolve (a statement of its own).
      const move = { customer, from: 0.5, to: 0.78 };
      return raiseAlerts(counted.tx, changesOf([move], t0), alertPolicy, { now: t0 }).finally(() => {
        statements = counted.count();
      });
    });
    expect(raised.raised).toEqual([expect.objectContaining({ customerId: customer.id, level: "HIGH" })]);
    expect(
      await db.prisma.customerAlertState.findUniqueOrThrow({ where: { customerId: customer.id } }),
    ).toMatchObject({
      alertedLevel: "HIGH",
      alertCount: 1,
    });
    expect(statements).toBe(2);
  });
});

describe("rows read", () => {
  test("a batch's states are inserted by looking up its own customers, not every stored state", async ({
    db,
  }) => {
    // Never analyzed, as in the drain after a first sync: as an anti-join, the insert hashed every
    // stored state for each batch, so a batch cost what the hub holds.
    const stored = 1_500;
    const batch = 100;
    const people = await customers(db, stored + batch);
    const moves = people.map((customer) => ({ customer, from: null, to: 0.7 }));
    await rescoredAt(db, moves.slice(0, stored), { now: t0 });
    const read = await db.prisma.$transaction(async (tx) => {
      const before = await rowsRead(tx, "CustomerAlertState");
      await raiseAlerts(tx, changesOf(moves.slice(stored), t0), alertPolicy, { now: t0 });
      return (await rowsRead(tx, "CustomerAlertState")) - before;
    });
    // The batch's states are new: looked up (nothing found), inserted, read back by nobody.
    expect(read).toBeLessThanOrEqual(batch);
    expect(await db.prisma.customerAlertState.count()).toBe(stored + batch);
  });
});

describe("row locks", () => {
  // PGlite has one connection: two transactions cannot hold locks at once there.
  test.skipIf(inject("databaseKind") !== "postgres")(
    "a rescore that leaves a customer's alert state as it is does not wait for its lock; one that moves it decides under the lock",
    async ({ db }) => {
      const [stays, moves] = await customers(db, 2);
      if (!stays || !moves) throw new Error("Two customers were made.");
      await rescoredAt(
        db,
        [
          { customer: stays, from: 0.5, to: 0.7 },
          { customer: moves, from: 0.5, to: 0.7 },
        ],
        { now: t0 },
      );
      const stateOf = (customerId: string) =>
        db.prisma.customerAlertState.findUniqueOrThrow({ where: { customerId } });

      // Another transaction holds both states' rows (a rescore of the same customers on another instance).
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked = () => {};
      const holding = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = db.prisma.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT 1 FROM "CustomerAlertState" WHERE "customerId" IN (${stays.id}::uuid, ${moves.id}::uuid) FOR UPDATE`;
          locked();
          await released;
        },
        { timeout: 20_000 },
      );
      await holding;
      try {
        // One rescore's alert decisions, giving up on a row lock after `lockTimeout`.
        const rescoredWaiting = (move: Move, lockTimeout: string) =>
          db.prisma.$transaction(async (tx) => {
            await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '${lockTimeout}'`);
            return raiseAlerts(tx, changesOf([move], hoursAfter(1)), alertPolicy, { now: hoursAfter(1) });
          });
        // Still HIGH: nothing of the state changes, so the rescore neither waits nor fails on the lock.
        expect(await rescoredWaiting({ customer: stays, from: 0.7, to: 0.72 }, "3s")).toEqual({
          raised: [],
          resolved: [],
          digests: [],
        });
        // An escalation to CRITICAL moves the state: it waits for the lock (and here gives up).
        await expect(rescoredWaiting({ customer: moves, from: 0.7, to: 0.9 }, "200ms")).rejects.toThrow(
          /lock timeout/,
        );
      } finally {
        release();
        await holder;
      }
      expect(await stateOf(stays.id)).toMatchObject({ alertedLevel: "HIGH", alertCount: 1 });
      const escalated = await rescoredAt(db, [{ customer: moves, from: 0.7, to: 0.9 }], {
        now: hoursAfter(2),
      });
      expect(escalated.raised).toEqual([
        expect.objectContaining({ customerId: moves.id, level: "CRITICAL" }),
      ]);
      expect(await stateOf(moves.id)).toMatchObject({ alertedLevel: "CRITICAL", alertCount: 2 });
    },
  );
});

describe("alerts that resolve themselves", () => {
  test("an open or acknowledged alert resolves in the rescore that takes the risk below its level less the hysteresis, saying why", async ({
    db,
  }) => {
    const owner = await db.prisma.principal.create({ data: { name: "Ana Souza" } });
    const [bea, caio] = await customers(db, 2, owner.id);
    if (!bea || !caio) throw new Error("Two customers were made.");
    const raised = await rescoredAt(
      db,
      [
        { customer: bea, from: 0.5, to: 0.7 },
        { customer: caio, from: 0.5, to: 0.7 },
      ],
      { now: t0 },
    );
    expect(raised.raised).toHaveLength(2);
    await db.prisma.alert.updateMany({
      where: { customerId: bea.id },
      data: { status: "ACKNOWLEDGED", acknowledgedAt: t0, acknowledgedById: owner.id },
    });
    // Caio's manager closed theirs by hand: a later fall leaves their resolution as it is.
    await db.prisma.alert.updateMany({
      where: { customerId: caio.id },
      data: {
        status: "RESOLVED",
        resolvedAt: t0,
        resolvedById: owner.id,
        resolutionReason: "RESOLVED_BY_USER",
        resolutionNote: "Called him.",
      },
    });

    // Below HIGH, but not by more than the hysteresis: still at risk, the alert stays open.
    const wobble = await rescoredAt(db, [{ customer: bea, from: 0.7, to: 0.57 }], { now: hoursAfter(1) });
    expect(wobble.resolved).toEqual([]);
    expect(await db.prisma.alert.findFirstOrThrow({ where: { customerId: bea.id } })).toMatchObject({
      status: "ACKNOWLEDGED",
    });

    const fell = await rescoredAt(
      db,
      [
        { customer: bea, from: 0.57, to: 0.4132 },
        { customer: caio, from: 0.7, to: 0.3 },
      ],
      { now: hoursAfter(2) },
    );
    expect(fell.resolved).toEqual([
      expect.objectContaining({ customerId: bea.id, level: "HIGH", reason: "RISK_FELL" }),
    ]);
    expect(await db.prisma.alert.findFirstOrThrow({ where: { customerId: bea.id } })).toMatchObject({
      status: "RESOLVED",
      resolutionReason: "RISK_FELL",
      resolutionNote: "Churn risk fell to 41%, below HIGH (60%) less the 5-point hysteresis.",
      resolvedAt: hoursAfter(2),
      resolvedById: null,
      acknowledgedById: owner.id,
    });
    expect(await db.prisma.alert.findFirstOrThrow({ where: { customerId: caio.id } })).toMatchObject({
      resolutionReason: "RESOLVED_BY_USER",
      resolutionNote: "Called him.",
    });
    expect(await db.prisma.customerAlertState.findUnique({ where: { customerId: bea.id } })).toMatchObject({
      alertedLevel: null,
    });
  });

  test("a fall from CRITICAL into HIGH's band resolves the CRITICAL alert only; below HIGH's band, the HIGH one too", async ({
    db,
  }) => {
    const [dora] = await customers(db, 1);
    if (!dora) throw new Error("A customer was made.");
    await rescoredAt(db, [{ customer: dora, from: 0.5, to: 0.65 }], { now: t0 });
    await rescoredAt(db, [{ customer: dora, from: 0.65, to: 0.9 }], { now: hoursAfter(1) });
    const open = () =>
      db.prisma.alert
        .findMany({ where: { customerId: dora.id, status: "OPEN" }, orderBy: { id: "asc" } })
        .then((alerts) => alerts.map((alert) => alert.level));
    expect(await open()).toEqual(["HIGH", "CRITICAL"]);

    await rescoredAt(db, [{ customer: dora, from: 0.9, to: 0.77 }], { now: hoursAfter(2) });
    expect(await open()).toEqual(["HIGH", "CRITICAL"]);
    const intoHigh = await rescoredAt(db, [{ customer: dora, from: 0.77, to: 0.7 }], { now: hoursAfter(3) });
    expect(intoHigh.resolved.map((alert) => alert.level)).toEqual(["CRITICAL"]);
    expect(await open()).toEqual(["HIGH"]);
    const below = await rescoredAt(db, [{ customer: dora, from: 0.7, to: 0.2 }], { now: hoursAfter(4) });
    expect(below.resolved.map((alert) => alert.level)).toEqual(["HIGH"]);
    expect(await open()).toEqual([]);
  });
});

describe("rebaselining after a model change", () => {
  test("states move to the new levels and nothing is raised; alerts of levels left resolve as MODEL_CHANGED", async ({
    db,
  }) => {
    const [edu, fia, gil] = await customers(db, 3);
    if (!edu || !fia || !gil) throw new Error("Three customers were made.");
    await rescoredAt(db, [{ customer: edu, from: 0.5, to: 0.65 }], { now: t0 });

    const rebaselined = await rescoredAt(
      db,
      [
        { customer: edu, from: 0.65, to: 0.58 }, // inside HIGH's band, but the model moved it there
        { customer: fia, from: 0.5, to: 0.9 }, // would be a CRITICAL alert
        { customer: gil, from: 0.3, to: 0.7 }, // would be a HIGH alert
      ],
      { now: hoursAfter(30), mode: "rebaseline" },
    );
    expect(rebaselined.raised).toEqual([]);
    expect(rebaselined.resolved).toEqual([
      expect.objectContaining({ customerId: edu.id, level: "HIGH", reason: "MODEL_CHANGED" }),
    ]);
    expect(await db.prisma.alert.findFirstOrThrow({ where: { customerId: edu.id } })).toMatchObject({
      status: "RESOLVED",
      resolutionReason: "MODEL_CHANGED",
      resolutionNote:
        "The scores were rebaselined after a change of model or rules: churn risk is now 58%, below HIGH (60%).",
    });
    const states = await db.prisma.customerAlertState.findMany();
    const levelOfCustomer = (id: string) => states.find((state) => state.customerId === id)?.alertedLevel;
    expect([edu, fia, gil].map((c) => levelOfCustomer(c.id))).toEqual([null, "CRITICAL", "HIGH"]);
    expect(await db.prisma.alert.count()).toBe(1);

    // From the new baseline, only real crossings alert: Gil escalating does, Fia staying does not.
    const next = await rescoredAt(
      db,
      [
        { customer: fia, from: 0.9, to: 0.92 },
        { customer: gil, from: 0.7, to: 0.85 },
      ],
      { now: hoursAfter(31) },
    );
    expect(next.raised).toEqual([expect.objectContaining({ customerId: gil.id, level: "CRITICAL" })]);
  });

  test('rescoreWithAlerts(…, { alerts: "rebaseline" }) scores everyone at their new level without an alert', async ({
    db,
  }) => {
    // Thirty customers scored MEDIUM, then a change of the rules (here: detractor answers, already
    // stored, counted at last) that lifts them all into HIGH.
    const rows = await customers(db, 30);
    const ids = rows.map((row) => row.id);
    await db.prisma.feedback.createMany({
      data: ids.map((customerId, i) => ({
        customerId,
        source: "survey",
        externalId: `rebaseline-${i}`,
        kind: "NPS" as const,
        score: 0,
        respondedAt: hoursAfter(-1),
      })),
    });
    const ignoringNps = { ...DEFAULT_SCORING_POLICY, weights: { ...DEFAULT_SCORING_POLICY.weights, nps: 0 } };
    await rescoreWithAlerts(db.prisma, { policy: ignoringNps, customerIds: ids, asOf: t0 });
    const result = await rescoreWithAlerts(db.prisma, {
      policy: DEFAULT_SCORING_POLICY,
      customerIds: ids,
      asOf: hoursAfter(1),
      alerts: "rebaseline",
    });
    expect(
      result.changes.every((change) => change.previousLevel === "MEDIUM" && change.level === "HIGH"),
    ).toBe(true);
    expect(result.alerts).toEqual([]);
    expect(await db.prisma.alert.count()).toBe(0);
    expect(await db.prisma.customerAlertState.count({ where: { alertedLevel: "HIGH" } })).toBe(30);
  });
});

describe("digests instead of floods", () => {
  const digestAbove3 = { ...alertPolicy, digestAbove: 3 };

  test("more alerts than digestAbove for one owner from one transaction become one digest; fewer stay alerts; nobody's customers count together", async ({
    db,
  }) => {
    const [ana, ben] = await Promise.all(
      ["Ana", "Ben"].map((name) => db.prisma.principal.create({ data: { name } })),
    );
    if (!ana || !ben) throw new Error("Two managers were made.");
    const anas = await customers(db, 5, ana.id);
    const bens = await customers(db, 3, ben.id);
    const nobodys = await customers(db, 4);
    const outcome = await rescoredAt(
      db,
      [
        ...anas.slice(0, 3).map(intoHigh),
        ...anas.slice(3).map(intoCritical),
        ...bens.map(intoHigh), // exactly digestAbove: not more
        ...nobodys.map(intoHigh),
      ],
      { now: t0 },
      digestAbove3,
    );
    expect(outcome.raised).toHaveLength(12);
    expect(outcome.digests).toEqual(
      expect.arrayContaining([
        { id: expect.any(String), ownerId: ana.id, alertCount: 5 },
        { id: expect.any(String), ownerId: null, alertCount: 4 },
      ]),
    );
    expect(outcome.digests).toHaveLength(2);
    const digests = await db.prisma.alertDigest.findMany({ include: { alerts: true } });
    const anasDigest = digests.find((digest) => digest.ownerId === ana.id);
    expect(anasDigest).toMatchObject({ alertCount: 5, highCount: 3, criticalCount: 2, publishedAt: null });
    expect(anasDigest?.alerts.map((alert) => alert.customerId).sort()).toEqual(anas.map((c) => c.id).sort());
    expect(digests.find((digest) => digest.ownerId === null)?.alerts).toHaveLength(4);
    // Every alert is stored; Ben's three stand on their own.
    expect(await db.prisma.alert.count()).toBe(12);
    expect(
      await db.prisma.alert.count({ where: { ownerId: ben.id, digestId: null, publishedAt: null } }),
    ).toBe(3);
  });

  test("a transaction that rescores in several batches gathers all its alerts for an owner into one digest", async ({
    db,
  }) => {
    const ana = await db.prisma.principal.create({ data: { name: "Ana" } });
    const anas = await customers(db, 7, ana.id);
    const [first, second, third] = [anas.slice(0, 2), anas.slice(2, 4), anas.slice(4)];
    const policy = digestAbove3;
    await db.prisma.$transaction(async (tx) => {
      // Two alerts, then two more: the limit is passed on the second batch, and the first two join.
      await raiseAlerts(tx, changesOf(first.map(intoHigh), t0), policy, { now: t0 });
      expect(await tx.alertDigest.count()).toBe(0);
      const grown = await raiseAlerts(tx, changesOf(second.map(intoHigh), t0), policy, { now: t0 });
      expect(grown.digests).toEqual([{ id: expect.any(String), ownerId: ana.id, alertCount: 4 }]);
    });
    // Another transaction's alerts are another digest's, or none: three are not more than three.
    await rescoredAt(db, third.map(intoCritical), { now: hoursAfter(1) }, policy);

    const digests = await db.prisma.alertDigest.findMany({ include: { alerts: true } });
    expect(digests).toHaveLength(1);
    expect(digests[0]).toMatchObject({ ownerId: ana.id, alertCount: 4, highCount: 4, criticalCount: 0 });
    expect(digests[0]?.alerts.map((alert) => alert.customerId).sort()).toEqual(
      [...first, ...second].map((c) => c.id).sort(),
    );
    expect(await db.prisma.alert.count({ where: { digestId: null } })).toBe(3);
  });
});
