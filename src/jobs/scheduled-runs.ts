// Scheduled runs: time drives scores. The policy's cron schedules (src/policy/schedule-settings.ts)
// are read against the hub's one clock, never the machine's, so tests move time by moving the clock.
//
// A run is named by its kind and its slot: the latest cron occurrence at or before "now". Its job id
// is derived from that name (uuid v5), so any number of instances ticking at once create it once
// (pg-boss inserts ON CONFLICT DO NOTHING), and a slot already run (in pg-boss's job table or its
// archive) is not run again. Its `asOf` is the clock when it was created: every slice of the run
// scores as of that one instant, so the run is consistent.
//
// Runs queue on one singleton queue: one run at a time for all instances. A run plans its slices
// (rescore-slices.ts), inserts them as jobs in one statement, and waits for them; any instance's slice
// workers take them, each slice exactly once at a time. A refit run first rescores everyone with the
// current model (real crossings since the last run raise alerts), then fits, then rescores everyone
// with the new model, rebaselining the alert state instead of alerting.
import type PgBoss from "pg-boss";
import { v5 as uuidv5 } from "uuid";
import type { Db } from "../db/database.ts";
import { ConflictError } from "../domain/errors.ts";
import type { Logger } from "../logger.ts";
import type { ScheduleSettings } from "../policy/schedule-settings.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import { recordFinishedRescore } from "../scoring/rescore-runs.ts";
import { fitScoreModel } from "../scoring/score-model.ts";
import { JOB_SCHEMA, type JobEngine, QUEUES } from "./job-engine.ts";
import { planSlices, type SliceAlerts, type SliceRange } from "./rescore-slices.ts";
import { previousOccurrence } from "./schedule-slots.ts";

export type RunKind = "rescore" | "refit";

export interface RunJobData {
  kind: RunKind;
  /** The cron occurrence this run is for (ISO). */
  slot: string;
  /** The instant every slice scores as of (ISO): the clock when the run was created. */
  asOf: string;
  /**
   * Set on a run that does nothing but mark its slot as done: the first slot a hub sees (start-up
   * scoring just scored everyone) or a rescore slot that a refit run of the same moment covers.
   */
  skip?: "first-run" | "covered-by-refit";
}

export interface SliceJobData extends SliceRange {
  runKey: string;
  index: number;
  asOf: string;
  alerts: SliceAlerts;
}

/** Fixed namespace of the run ids (uuid v5 of "kind@slot"). */
const RUN_ID_NAMESPACE = "3f0c4a56-2b1e-4d59-9a53-8f7f0b6c1e2d";

export function runJobId(kind: RunKind, slot: Date): string {
  return uuidv5(`${kind}@${slot.toISOString()}`, RUN_ID_NAMESPACE);
}

function sliceJobId(runKey: string, index: number): string {
  return uuidv5(`${runKey}#${index}`, RUN_ID_NAMESPACE);
}

export interface DueRun {
  kind: RunKind;
  id: string;
  slot: Date;
  skip?: RunJobData["skip"];
}

/**
 * Creates the runs that are due at `now` and not created yet; returns those this call created. The
 * very first slot of a kind is recorded as done without running (see RunJobData.skip).
 */
export async function createDueRuns(
  engine: JobEngine,
  schedule: ScheduleSettings,
  now: Date,
): Promise<DueRun[]> {
  const created: DueRun[] = [];
  // When the current refit run (created here or by another instance) rescores everyone as of: a rescore
  // slot at or before that instant is covered. Decided from the stored run, not from who created it,
  // so two instances ticking at once agree.
  let refitAsOf: Date | null = null;
  for (const kind of ["refit", "rescore"] as const) {
    const cron = schedule[kind];
    if (cron === null) continue;
    const slot = previousOccurrence(cron, schedule.timeZone, now);
    const id = runJobId(kind, slot);
    if (kind === "rescore" && schedule.refit !== null) {
      refitAsOf = await currentRefitAsOf(engine, schedule.refit, schedule.timeZone, now);
    }
    if (await runExists(engine, id)) continue;
    const skip: RunJobData["skip"] = !(await anyRunOfKind(engine, kind))
      ? "first-run"
      : kind === "rescore" && refitAsOf !== null && refitAsOf.getTime() >= slot.getTime()
        ? "covered-by-refit"
        : undefined;
    const data: RunJobData = {
      kind,
      slot: slot.toISOString(),
      asOf: now.toISOString(),
      ...(skip && { skip }),
    };
    // A run keeps retrying for hours (see runScheduledRun: it yields every few minutes while slices go on).
    const sent = await engine.boss.send(QUEUES.run, data, { id, retryLimit: 200, retryDelay: 1 });
    if (sent === null) continue; // Another instance created it meanwhile.
    created.push({ kind, id, slot, ...(skip && { skip }) });
  }
  return created;
}

/** The instant the current refit slot's run rescores as of, when it exists and is not a skipped first run. */
async function currentRefitAsOf(
  engine: JobEngine,
  cron: string,
  timeZone: string,
  now: Date,
): Promise<Date | null> {
  const slot = previousOccurrence(cron, timeZone, now);
  const job = await engine.boss.getJobById(QUEUES.run, runJobId("refit", slot), { includeArchive: true });
  const data = job?.data as RunJobData | undefined;
  return data && !data.skip ? new Date(data.asOf) : null;
}

async function runExists(engine: JobEngine, id: string): Promise<boolean> {
  return (await engine.boss.getJobById(QUEUES.run, id, { includeArchive: true })) !== null;
}

async function anyRunOfKind(engine: JobEngine, kind: RunKind): Promise<boolean> {
  const { rows } = await engine.sql.executeSql(
    `SELECT EXISTS (SELECT 1 FROM ${JOB_SCHEMA}.job WHERE name = $1 AND data->>'kind' = $2)
         OR EXISTS (SELECT 1 FROM ${JOB_SCHEMA}.archive WHERE name = $1 AND data->>'kind' = $2) AS found`,
    [QUEUES.run, kind],
  );
  return rows[0]?.found === true;
}

export interface RunContext {
  db: Db;
  engine: JobEngine;
  policy: ScoringPolicy;
  logger: Logger;
  /** Wakes this instance's slice workers at once when slices are queued. */
  wakeSliceWorkers(): void;
  signal: AbortSignal;
}

export interface RunReport {
  kind: RunKind;
  skipped?: RunJobData["skip"];
  slices: number;
  fittedVersion?: string | null;
}

/** A run waits for its slices at most this long per attempt, then yields (and is retried at once). */
const WAIT_PER_ATTEMPT_MS = 10 * 60_000;

export class RunStillGoingError extends Error {
  override name = "RunStillGoingError";
}

/** Works one run job: plans and waits for its slices (and fits, for a refit). Resumable on retry. */
export async function runScheduledRun(context: RunContext, job: PgBoss.Job<RunJobData>): Promise<RunReport> {
  const { kind, skip } = job.data;
  if (skip) return { kind, skipped: skip, slices: 0 };
  const asOf = new Date(job.data.asOf);
  const deadline = Date.now() + WAIT_PER_ATTEMPT_MS;
  if (kind === "rescore") {
    const slices = await rescoreEveryone(context, { runKey: job.id, asOf, alerts: "decide", deadline });
    return { kind, slices };
  }
  // Rescore with the model in use first, so that crossings since the last run raise their alerts;
  // the model fitted next would otherwise take credit for them silently.
  let slices = await rescoreEveryone(context, {
    runKey: `${job.id}:before`,
    asOf,
    alerts: "decide",
    deadline,
  });
  const fittedVersion = await fitOnce(context, asOf);
  if (fittedVersion) {
    slices += await rescoreEveryone(context, {
      runKey: `${job.id}:after`,
      asOf,
      alerts: "rebaseline",
      deadline,
    });
  }
  return { kind, slices, fittedVersion };
}

/** Fits the model as of `asOf` unless a retry of this run already did. Too little history: logged. */
async function fitOnce(context: RunContext, asOf: Date): Promise<string | null> {
  const already = await context.db.scoreModel.findFirst({
    where: { calibrationEnd: asOf, currency: context.policy.currency },
    orderBy: { fittedAt: "desc" },
  });
  if (already) return already.version;
  try {
    const fitted = await fitScoreModel(context.db, { policy: context.policy, calibrationEnd: asOf });
    context.logger.info(
      `Scheduled refit: fitted ${fitted.version} on ${fitted.record.customersFitted} buyers in ${fitted.record.fitMilliseconds} ms.`,
    );
    return fitted.version;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    context.logger.info(`Scheduled refit skipped: ${error.message}`);
    return null;
  }
}

async function rescoreEveryone(
  context: RunContext,
  run: { runKey: string; asOf: Date; alerts: SliceAlerts; deadline: number },
): Promise<number> {
  const { engine } = context;
  let total = (await sliceStates(engine, run.runKey)).total;
  if (total === 0) {
    const ranges = await planSlices(context.db, context.policy.schedule.sliceSize);
    if (ranges.length > 0) {
      // One statement: the run's slices are all queued or none is. Fixed ids: a second planning of
      // the same run (after an expiry) adds no duplicates of the slices already queued.
      await engine.boss.insert(
        ranges.map((range, index) => ({
          id: sliceJobId(run.runKey, index),
          name: QUEUES.slice,
          data: {
            runKey: run.runKey,
            index,
            asOf: run.asOf.toISOString(),
            alerts: run.alerts,
            ...range,
          } satisfies SliceJobData,
          retryLimit: 5,
          retryDelay: 1,
          retryBackoff: true,
        })),
      );
      context.wakeSliceWorkers();
    }
    total = ranges.length;
  }
  await waitForSlices(context, run.runKey, run.deadline);
  // Every live customer is scored as of the run's instant; the scores that did not move were left as
  // stored, and this row is what says they hold as of it.
  await recordFinishedRescore(context.db, { key: run.runKey, asOf: run.asOf, slices: total });
  return total;
}

interface SliceStates {
  total: number;
  completed: number;
  failed: string[];
}

async function sliceStates(engine: JobEngine, runKey: string): Promise<SliceStates> {
  const { rows } = await engine.sql.executeSql(
    `SELECT id::text, state::text FROM ${JOB_SCHEMA}.job WHERE name = $1 AND data->>'runKey' = $2
     UNION ALL
     SELECT id::text, state::text FROM ${JOB_SCHEMA}.archive WHERE name = $1 AND data->>'runKey' = $2`,
    [QUEUES.slice, runKey],
  );
  const ids = new Set<string>();
  const completed = new Set<string>();
  const failed = new Set<string>();
  for (const row of rows as { id: string; state: string }[]) {
    ids.add(row.id);
    if (row.state === "completed") completed.add(row.id);
    if (row.state === "failed") failed.add(row.id);
  }
  return {
    total: ids.size,
    completed: completed.size,
    failed: [...failed].filter((id) => !completed.has(id)),
  };
}

async function waitForSlices(context: RunContext, runKey: string, deadline: number): Promise<void> {
  for (;;) {
    const states = await sliceStates(context.engine, runKey);
    if (states.completed === states.total) return;
    if (states.failed.length > 0) {
      // Out of retries: give them a new round, and fail this attempt so the run's own retries bound it.
      await context.engine.boss.retry(QUEUES.slice, states.failed);
      throw new Error(
        `${states.failed.length} slice(s) of run ${runKey} failed every retry; they were queued again.`,
      );
    }
    if (Date.now() > deadline || context.signal.aborted) {
      throw new RunStillGoingError(
        `Run ${runKey}: ${states.completed} of ${states.total} slices done; it goes on at its next attempt.`,
      );
    }
    await sleep(200, context.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
