// Time drives scores: scheduled runs on the job engine rescore every live customer as of the hub's
// clock, which the tests move (never the machine's). A customer who goes silent ages into an alert,
// raised once however many instances share the database (two on PostgreSQL; the embedded database
// runs the same run in its one process). A slice that fails inside its transaction leaves nothing
// written and is retried. A run writes only the scores that moved and records the instant it scored
// everyone as of, which is when the others hold.
import { describe, expect, inject } from "vitest";
import { type Database, fromPostgresUrl } from "../../src/db/database.ts";
import { QUEUES } from "../../src/jobs/job-engine.ts";
import type { RunJobData, SliceJobData } from "../../src/jobs/scheduled-runs.ts";
import { type RunningJobs, startJobs } from "../../src/jobs/start-jobs.ts";
import { type ScoringPolicy, scoringPolicySchema } from "../../src/policy/scoring-policy.ts";
import { lastRescoreAsOf, scoreHoldsAsOf } from "../../src/scoring/rescore-runs.ts";
import { databaseKind, test } from "../helpers/database.ts";
import { dropJobSchema, silentLogger } from "../helpers/jobs.ts";
import { databaseUrl } from "../helpers/postgres-admin.ts";
import { recordInteraction, upsertCustomer } from "../helpers/writes.ts";

const DAY = 24 * 3600_000;
const T0 = new Date("2026-03-02T10:30:00Z");

function policyWith(schedule: Partial<ScoringPolicy["schedule"]>): ScoringPolicy {
  return scoringPolicySchema.parse({
    // Silence must reach an alert level whatever the default weights are: a full engagement drop
    // alone makes the risk CRITICAL.
    weights: { engagementDrop: 3 },
    schedule: { sliceSize: 100, ...schedule },
  });
}

/** A customer of `ownerId` who was active every ten days up to the day before T0, then silent. */
async function silentCustomer(db: Database, ownerId: string, policy: ScoringPolicy) {
  const clock = () => new Date(T0);
  const { customer } = await upsertCustomer(
    db.prisma,
    { identities: [{ kind: "EMAIL", value: "quiet@example.com" }], displayName: "Quinn Quiet" },
    {},
    { policy, clock },
  );
  await db.prisma.customer.update({ where: { id: customer.id }, data: { ownerId } });
  for (let i = 0; i < 5; i++) {
    await recordInteraction(
      db.prisma,
      {
        customer: { id: customer.id },
        source: "social",
        externalId: `like-${i}`,
        channel: "SOCIAL",
        kind: "social.like",
        direction: "INBOUND",
        occurredAt: new Date(T0.getTime() - (1 + 10 * i) * DAY),
        summary: "Liked a post",
      },
      { policy, clock },
    );
  }
  return customer.id;
}

/** Customers with nothing but a profile, in bulk, spread over owners: they fill several slices. */
async function fillers(db: Database, count: number, ownerIds: (string | null)[]) {
  await db.prisma.customer.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      displayName: `Filler ${i}`,
      ownerId: ownerIds[i % ownerIds.length] ?? null,
    })),
  });
}

async function waitForRun(jobs: RunningJobs, id: string, timeout = 30_000) {
  await expect
    .poll(async () => (await jobs.engine.boss.getJobById(QUEUES.run, id))?.state, { timeout, interval: 100 })
    .toBe("completed");
}

async function runJobs(jobs: RunningJobs) {
  const { rows } = await jobs.engine.sql.executeSql(
    `SELECT id::text, data, state::text FROM pgboss.job WHERE name = $1 ORDER BY created_on`,
    [QUEUES.run],
  );
  return rows as { id: string; data: RunJobData; state: string }[];
}

describe("scheduled rescoring", () => {
  test(`a silent customer's risk rises as the clock moves 120 days, with exactly one alert across ${
    databaseKind === "postgres" ? "two instances" : "the embedded instance"
  }`, { timeout: 120_000 }, async ({ db }) => {
    // Weekly refits as by default: the slot that moved is a refit's, whose first step rescores everyone
    // with the model in use (the hub has too few buyers to fit one: it goes on without).
    const policy = policyWith({});
    const managers = await Promise.all(
      ["Ana", "Ben"].map((name) =>
        db.prisma.principal.create({ data: { name, email: `${name}@example.com` } }),
      ),
    );
    const quietId = await silentCustomer(db, managers[0]?.id ?? "", policy);
    await fillers(db, 250, [managers[0]?.id ?? null, managers[1]?.id ?? null, null]);
    const before = await db.prisma.score.findUniqueOrThrow({ where: { customerId: quietId } });

    let now = new Date(T0);
    const clock = () => new Date(now);
    // Two instances are two databases handles (their own connections) on one PostgreSQL database;
    // the embedded database belongs to one process.
    const handles: Database[] =
      databaseKind === "postgres" ? [db, fromPostgresUrl(await databaseUrlOf(db))] : [db];
    const instances = await Promise.all(
      handles.map((database) =>
        startJobs({ database, logger: silentLogger, writes: { policy, clock }, sync: null, autoTick: false }),
      ),
    );
    try {
      const tickAll = async () =>
        (await Promise.all(instances.map((jobs) => jobs.tick()))).flatMap((r) => r.runs);
      // The first slot a hub sees is marked done: start-up scoring has just scored everyone. Either
      // instance may create either run (they tick at once), so they are compared in kind order.
      const firstRuns = (await tickAll()).sort((a, b) => a.kind.localeCompare(b.kind));
      expect(firstRuns.map((run) => [run.kind, run.skip])).toEqual([
        ["refit", "first-run"],
        ["rescore", "first-run"],
      ]);
      expect(await tickAll()).toEqual([]);

      now = new Date(T0.getTime() + 120 * DAY);
      // Either instance may create either run: what counts is which runs exist, in kind order.
      const due = (await tickAll()).sort((a, b) => a.kind.localeCompare(b.kind));
      expect(due.map((run) => [run.kind, run.skip])).toEqual([
        ["refit", undefined],
        ["rescore", "covered-by-refit"],
      ]);
      const [first] = instances;
      if (!first || !due[0]) throw new Error("no instance or no run");
      await waitForRun(first, due[0].id);
      // Created once, by one instance: no second run for the same slot.
      expect((await runJobs(first)).filter((run) => !run.data.skip)).toHaveLength(1);

      const after = await db.prisma.score.findUniqueOrThrow({ where: { customerId: quietId } });
      expect(after.computedAt).toEqual(now);
      expect(after.churnRisk).toBeGreaterThan(before.churnRisk);
      expect(["HIGH", "CRITICAL"]).toContain(after.churnRiskLevel);
      // Every live customer was rescored as of the run's one instant, slice by slice.
      expect(await db.prisma.score.count({ where: { computedAt: now } })).toBe(251);
      const { rows: slices } = await first.engine.sql.executeSql(
        "SELECT data, state::text, retry_count FROM pgboss.job WHERE name = $1",
        [QUEUES.slice],
      );
      expect(slices).toHaveLength(3);
      expect(slices.every((slice) => slice.state === "completed" && slice.retry_count === 0)).toBe(true);
      expect(new Set(slices.map((slice) => (slice.data as SliceJobData).asOf))).toEqual(
        new Set([now.toISOString()]),
      );

      const alerts = await db.prisma.alert.findMany();
      expect(alerts.map((alert) => [alert.customerId, alert.ownerId])).toEqual([[quietId, managers[0]?.id]]);

      // The same slot ticked again, by both: nothing new, no second alert.
      now = new Date(now.getTime() + 3600_000);
      expect(await tickAll()).toEqual([]);
      expect(await db.prisma.alert.count()).toBe(1);

      // The next day's run scores everyone again as of its instant, but writes only the scores that
      // moved: the fillers' (nothing about them changed) stay as stored, and hold as of the run, which
      // the run's record says.
      const ranAt = new Date(T0.getTime() + 120 * DAY);
      now = new Date(ranAt.getTime() + DAY);
      const nextDay = (await tickAll()).filter((run) => run.kind === "rescore" && !run.skip);
      expect(nextDay).toHaveLength(1);
      await waitForRun(first, nextDay[0]?.id ?? "");
      const scores = await db.prisma.score.findMany({ select: { customerId: true, computedAt: true } });
      const fillerScores = scores.filter((score) => score.customerId !== quietId);
      expect(fillerScores).toHaveLength(250);
      expect(fillerScores.every((score) => score.computedAt.getTime() === ranAt.getTime())).toBe(true);
      const lastRun = await lastRescoreAsOf(db.prisma, now);
      expect(lastRun).toEqual(now);
      expect(new Set(scores.map((score) => scoreHoldsAsOf(score.computedAt, lastRun).toISOString()))).toEqual(
        new Set([now.toISOString()]),
      );
      // Before the run's instant, the run is not known: scores hold as of what was known then.
      expect(await lastRescoreAsOf(db.prisma, new Date(now.getTime() - 1))).toEqual(ranAt);
      expect(await db.prisma.alert.count()).toBe(1);
    } finally {
      await Promise.all(instances.map((jobs) => jobs.stop()));
      for (const handle of handles.slice(1)) await handle.close();
      await dropJobSchema(db);
    }
  });

  test("a slice that fails inside its transaction leaves no partial scores and is retried", {
    timeout: 60_000,
  }, async ({ db }) => {
    const policy = policyWith({ refit: null, sliceSize: 1000 });
    const manager = await db.prisma.principal.create({ data: { name: "Ana", email: "ana@example.com" } });
    const quietId = await silentCustomer(db, manager.id, policy);
    await fillers(db, 40, [manager.id, null]);

    let now = new Date(T0);
    let failing = true;
    const attempts: number[] = [];
    const jobs = await startJobs({
      database: db,
      logger: silentLogger,
      writes: { policy, clock: () => new Date(now) },
      sync: null,
      autoTick: false,
      sliceFault: (_slice, attempt) => {
        attempts.push(attempt);
        if (failing) throw new Error("the process died mid-slice");
      },
    });
    try {
      await jobs.tick();
      now = new Date(T0.getTime() + 120 * DAY);
      const [run] = (await jobs.tick()).runs;
      if (!run) throw new Error("no run was due");

      // The slice wrote its scores, then failed before committing: once pg-boss recorded the failure
      // (the slice waits for its retry), no score of the run is there.
      await expect
        .poll(
          async () => {
            const { rows } = await jobs.engine.sql.executeSql(
              "SELECT state::text FROM pgboss.job WHERE name = $1",
              [QUEUES.slice],
            );
            return rows.map((row) => row.state);
          },
          { timeout: 20_000, interval: 50 },
        )
        .toEqual(["retry"]);
      expect(await db.prisma.score.count({ where: { computedAt: now } })).toBe(0);
      expect(await db.prisma.alert.count()).toBe(0);
      const quiet = await db.prisma.score.findUniqueOrThrow({ where: { customerId: quietId } });
      expect(quiet.computedAt).toEqual(T0);

      failing = false;
      await waitForRun(jobs, run.id);
      expect(attempts[0]).toBe(0);
      expect(attempts.at(-1)).toBeGreaterThanOrEqual(1);
      expect(await db.prisma.score.count({ where: { computedAt: now } })).toBe(41);
      expect(await db.prisma.alert.count({ where: { customerId: quietId } })).toBe(1);
    } finally {
      await jobs.stop();
      await dropJobSchema(db);
    }
  });
});

/** The URL of the test's own PostgreSQL database, for a second instance's connections. */
async function databaseUrlOf(db: Database): Promise<string> {
  const [row] = await db.prisma.$queryRaw<{ name: string }[]>`SELECT current_database() AS name`;
  return databaseUrl(inject("postgresAdminUrl"), row?.name ?? "");
}
