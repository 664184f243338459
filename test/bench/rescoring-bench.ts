// `npm run bench -- --only rescoring`: a scheduled rescore run of every live customer, on the job
// engine, at 10k, 100k and 1M generated customers (BENCH_RESCORING_SIZES=10000,100000 for others) in
// PostgreSQL. For each size, customers with 1–3 orders each over two years (and one in 20 buying weekly
// lately) are generated set-based in SQL (spread over 100 account managers), then two runs of the
// schedule are timed, each from its creation to its last slice: the first scores everyone (first
// scores: inserts, no alerts), the next day's run rescores them all again after 0.5% of them, LOW-risk
// weekly buyers, answered bad surveys overnight (written in SQL, unscored until the run), which takes
// them across an alert level. The daily run writes only the scores that moved (src/scoring/unchanged-scores.ts):
// it prints how many.
//
// Figures: customers per second of each run beside the machine's load average (its 2 cores are
// shared); the CPU time per customer of the hub and of PostgreSQL (cpu-meter.ts: it moves far less
// with the load); the per-customer cost at the largest size over the smallest, in wall-clock and in
// CPU time (linearity: 1.0 is linear); how many alerts the surveyed customers raised; and the latency
// from a slice's commit to a graphql-ws subscriber (an admin, in its own process) receiving each alert
// it raised, alone or in a digest: p50 and p99. Its own database, cxhub_rescoring_bench (or
// BENCH_RESCORING_DATABASE, so that two people benchmarking at once do not drop each other's), made
// anew on every run. BENCH_SLICE_CONCURRENCY (default 2) and BENCH_SLICE_SIZE (default 5000) tune the slices.
import { type ChildProcess, fork } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startLiveAlerts } from "../../src/alerts/live-alerts.ts";
import { createApiKey } from "../../src/auth/api-keys.ts";
import { type Database, fromPostgresUrl } from "../../src/db/database.ts";
import { applyMigrations } from "../../src/db/migrations.ts";
import { JOB_SCHEMA, QUEUES } from "../../src/jobs/job-engine.ts";
import { type RunningJobs, startJobs } from "../../src/jobs/start-jobs.ts";
import type { Logger } from "../../src/logger.ts";
import { type ScoringPolicy, scoringPolicySchema } from "../../src/policy/scoring-policy.ts";
import { fitScoreModel } from "../../src/scoring/score-model.ts";
import { startHubServer } from "../../src/server/create-server.ts";
import { startCpuMeter } from "./cpu-meter.ts";

export const RESCORING_BENCH_DATABASE = process.env.BENCH_RESCORING_DATABASE ?? "cxhub_rescoring_bench";
const DAY = 24 * 3600_000;
/** After the day's 02:00 slot: the run of T0 is the first real one. */
const T0 = new Date("2026-06-01T03:00:00Z");
const OWNERS = 100;
const ALERTING_SHARE = 0.005;
const subscriberScript = fileURLToPath(new URL("./rescoring-subscriber.ts", import.meta.url));

export interface RescoringRunFigures {
  customers: number;
  seconds: number;
  customersPerSecond: number;
  slices: number;
  /** The machine's 1-minute load average as the run finished: the cores are shared, so it says how fair a figure is. */
  load: number;
  /** CPU milliseconds per customer, of the hub's process and of the database's backends (null: not readable). */
  cpu: { hubMs: number; databaseMs: number | null };
}

export interface RescoringSizeFigures {
  size: number;
  generateSeconds: number;
  first: RescoringRunFigures;
  daily: RescoringRunFigures & {
    /** Scores the run wrote: those that moved (the others were left as stored, and hold as of the run). */
    written: number;
    alerts: number;
    /** Customers who answered the bad surveys, and how many of them the run alerted on. */
    surveyed: number;
    surveyedAlerts: number;
    delivered: number;
    /** Events that were digests (an owner with more than digestAbove alerts from one slice). */
    digests: number;
    latency: { p50: number; p99: number; max: number } | null;
    errors: string[];
  };
}

export interface RescoringFigures {
  sliceSize: number;
  sliceConcurrency: number;
  sizes: RescoringSizeFigures[];
}

const quiet: Logger = {
  debug() {},
  info() {},
  warn: (...args) => console.warn(...args),
  error: console.error,
};

export async function runRescoringBench(
  adminUrl: string,
  log: (line: string) => void,
): Promise<RescoringFigures> {
  const sizes = (process.env.BENCH_RESCORING_SIZES ?? "10000,100000,1000000").split(",").map(Number);
  const sliceSize = Number(process.env.BENCH_SLICE_SIZE ?? 5000);
  const sliceConcurrency = Number(process.env.BENCH_SLICE_CONCURRENCY ?? 2);
  const policy: ScoringPolicy = scoringPolicySchema.parse({
    schedule: { rescore: "0 2 * * *", refit: null, sliceSize, sliceConcurrency },
  });
  const url = await freshDatabase(adminUrl);
  const database = fromPostgresUrl(url);
  const figures: RescoringFigures = { sliceSize, sliceConcurrency, sizes: [] };
  try {
    await applyMigrations(database.adapterFactory);
    const admin = await createApiKey(database.prisma, {
      principal: { name: "Bench" },
      name: "bench",
      role: "ADMIN",
    });
    const sql = new pg.Client({ connectionString: url });
    await sql.connect();
    try {
      for (const size of sizes) {
        log(`  ${size.toLocaleString("en")} customers:`);
        figures.sizes.push(await benchSize({ database, sql, policy, size, adminKey: admin.key, log }));
      }
    } finally {
      await sql.end();
    }
  } finally {
    await database.close();
  }
  return figures;
}

async function benchSize(context: {
  database: Database;
  sql: pg.Client;
  policy: ScoringPolicy;
  size: number;
  adminKey: string;
  log: (line: string) => void;
}): Promise<RescoringSizeFigures> {
  const { database, sql, policy, size, log } = context;
  let started = performance.now();
  await generateCustomers(sql, size);
  const generateSeconds = (performance.now() - started) / 1000;
  log(`    generated in ${generateSeconds.toFixed(1)} s`);
  if (!(await database.prisma.scoreModel.count())) {
    started = performance.now();
    const fitted = await fitScoreModel(database.prisma, { policy, calibrationEnd: T0 });
    log(
      `    fitted the purchase model on ${fitted.record.customersFitted} buyers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }

  let now = new Date(T0.getTime() - DAY);
  const clock = () => new Date(now);
  const commits = new Map<string, number>();
  const live = await startLiveAlerts({ database, logger: quiet });
  const hub = await startHubServer({
    database,
    logger: quiet,
    scoringPolicy: policy,
    clock,
    live,
    port: 0,
    host: "127.0.0.1",
  });
  const jobs = await startJobs({
    database,
    logger: quiet,
    writes: { policy, clock },
    sync: null,
    autoTick: false,
    onSliceCommitted: (_slice, result, committedAt) => {
      for (const id of result.alertedCustomerIds) commits.set(id, committedAt.getTime());
    },
  });
  const subscriber = fork(subscriberScript, [], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  try {
    await request(
      subscriber,
      { type: "start", url: `${hub.url.replace("http", "ws")}/graphql`, key: context.adminKey },
      "ready",
    );
    await jobs.tick(); // The first slot a hub sees is only marked.

    now = new Date(T0);
    const first = await timedRun(jobs, sql, size);
    log(
      `    first scores: ${first.customersPerSecond.toFixed(0)} customers/s (${first.seconds.toFixed(1)} s, ${first.slices} slices, load ${first.load.toFixed(1)}; CPU ${cpuPerCustomer(first)})`,
    );

    const surveyed = await badSurveysOvernight(sql, Math.max(1, Math.round(size * ALERTING_SHARE)));
    now = new Date(T0.getTime() + DAY);
    const daily = await timedRun(jobs, sql, size);
    const { rows: writtenRows } = await sql.query<{ written: number }>(
      `SELECT count(*)::int AS written FROM "Score" WHERE "computedAt" = $1`,
      [now],
    );
    const written = writtenRows[0]?.written ?? 0;
    // Alerts go out after their slice commits: give the last ones a moment to arrive.
    const deadline = Date.now() + 30_000;
    let received: Array<[string, number]> = [];
    let digests = 0;
    let errors: string[] = [];
    for (;;) {
      const report = (await request(subscriber, { type: "report" }, "report")) as {
        received: Array<[string, number]>;
        digests: number;
        errors: string[];
      };
      received = received.concat(report.received);
      digests = report.digests;
      errors = errors.concat(report.errors);
      if (received.length >= commits.size || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const latencies = received
      .map(([customerId, at]) => at - (commits.get(customerId) ?? Number.NaN))
      .filter((ms) => Number.isFinite(ms))
      .sort((a, b) => a - b);
    const figures = {
      ...daily,
      written,
      alerts: commits.size,
      surveyed: surveyed.length,
      surveyedAlerts: surveyed.filter((id) => commits.has(id)).length,
      delivered: latencies.length,
      digests,
      latency: latencies.length
        ? { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? 0 }
        : null,
      errors,
    };
    log(
      `    daily run: ${daily.customersPerSecond.toFixed(0)} customers/s (${daily.seconds.toFixed(1)} s, load ${daily.load.toFixed(1)}; CPU ${cpuPerCustomer(daily)}); ${written.toLocaleString("en")} scores written (moved), the rest held; ${commits.size} alerts, ${figures.surveyedAlerts} of them for the ${surveyed.length} customers with bad surveys; ${latencies.length} delivered (${digests} digests); commit → subscriber p50 ${figures.latency?.p50 ?? "-"} ms, p99 ${figures.latency?.p99 ?? "-"} ms`,
    );
    if (figures.surveyedAlerts === 0)
      log("    the bad surveys raised no alert: the scenario no longer measures alert latency");
    return { size, generateSeconds, first, daily: figures };
  } finally {
    subscriber.send({ type: "stop" });
    await jobs.stop();
    await hub.close();
    await live.close();
  }
}

async function timedRun(jobs: RunningJobs, sql: pg.Client, customers: number): Promise<RescoringRunFigures> {
  const meter = await startCpuMeter(sql, RESCORING_BENCH_DATABASE);
  const started = performance.now();
  const { runs } = await jobs.tick();
  const run = runs.find((candidate) => !candidate.skip);
  if (!run) throw new Error("No rescore run was due: the bench's clock and schedule disagree.");
  for (;;) {
    const job = await jobs.engine.boss.getJobById(QUEUES.run, run.id);
    if (job?.state === "completed") break;
    if (job?.state === "failed") throw new Error(`The run failed: ${JSON.stringify(job.output)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  const used = await meter.stop();
  const { rows } = await jobs.engine.sql.executeSql(
    `SELECT count(*)::int AS slices FROM ${JOB_SCHEMA}.job WHERE name = $1 AND data->>'runKey' = $2`,
    [QUEUES.slice, run.id],
  );
  return {
    customers,
    seconds,
    customersPerSecond: customers / seconds,
    slices: Number(rows[0]?.slices ?? 0),
    load: loadavg()[0] ?? 0,
    cpu: {
      hubMs: used.processMs / customers,
      databaseMs: used.databaseMs === null ? null : used.databaseMs / customers,
    },
  };
}

/** Tables the generator fills, whose secondary indexes it builds once after the rows are in. */
const GENERATED_TABLES = ["Customer", "Interaction"];

/**
 * Customers with 1–3 orders over the two years before T0, owned by 100 managers (and 1 in 10 by none),
 * and one in 20 buying every week lately. Loaded as PostgreSQL's "Populating a Database" advises: the
 * secondary indexes are dropped, the rows inserted set-based, the indexes built again in one pass each
 * (1M customers' index entries inserted one by one took most of the 5 minutes generation took), then
 * VACUUM ANALYZE, as autovacuum would leave a hub's tables: statistics, hint bits and visibility map set.
 */
async function generateCustomers(sql: pg.Client, size: number): Promise<void> {
  await sql.query(`TRUNCATE "Customer" CASCADE`);
  await sql.query(`DROP SCHEMA IF EXISTS ${JOB_SCHEMA} CASCADE`);
  await sql.query(`INSERT INTO "Principal" ("id", "name", "email")
    SELECT gen_random_uuid(), 'Manager ' || g, 'manager' || g || '@bench.example' FROM generate_series(1, ${OWNERS}) g
    ON CONFLICT ("email") DO NOTHING`);
  const { rows: indexes } = await sql.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname = 'public' AND tablename = ANY($1::text[])
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u', 'x'))`,
    [GENERATED_TABLES],
  );
  for (const index of indexes) await sql.query(`DROP INDEX "${index.name}"`);
  try {
    await insertCustomers(sql, size);
  } finally {
    await sql.query(`SET maintenance_work_mem = '256MB'`);
    for (const index of indexes) await sql.query(index.definition);
    await sql.query(`RESET maintenance_work_mem`);
  }
  await sql.query(`VACUUM ANALYZE "Customer", "Interaction"`);
}

async function insertCustomers(sql: pg.Client, size: number): Promise<void> {
  await sql.query(
    `INSERT INTO "Customer" ("id", "displayName", "ownerId", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), 'Customer ' || g,
            CASE WHEN g % 10 = 0 THEN NULL ELSE o.ids[1 + g % ${OWNERS}] END, $1, $1
       FROM generate_series(1, $2::int) g,
            (SELECT array_agg("id" ORDER BY "id") AS ids FROM "Principal" WHERE "email" LIKE '%@bench.example') o`,
    [new Date(T0.getTime() - 800 * DAY), size],
  );
  await sql.query(
    `INSERT INTO "Interaction" ("id", "customerId", "source", "externalId", "channel", "kind", "direction",
                                "occurredAt", "amount", "currency")
     SELECT gen_random_uuid(), c."id", 'bench', c."id"::text || '-' || s, 'ECOMMERCE', 'order.placed', 'INBOUND',
            $1::timestamptz - (1 + floor(random() * 700)) * interval '1 day', round((10 + random() * 90)::numeric, 2), 'USD'
       FROM "Customer" c, LATERAL generate_series(1, 1 + abs(hashtext(c."id"::text)) % 3) s`,
    [T0],
  );
  // One customer in 20 buys every week lately: LOW risk, so a bad survey can take them into an alert level.
  await sql.query(
    `INSERT INTO "Interaction" ("id", "customerId", "source", "externalId", "channel", "kind", "direction",
                                "occurredAt", "amount", "currency")
     SELECT gen_random_uuid(), c."id", 'bench', c."id"::text || '-weekly-' || s, 'ECOMMERCE', 'order.placed', 'INBOUND',
            $1::timestamptz - (s * 7 - 3) * interval '1 day', 25, 'USD'
       FROM "Customer" c, generate_series(1, 8) s
      WHERE abs(hashtext(c."id"::text)) % 20 = 0`,
    [T0],
  );
}

/**
 * NPS 0, CSAT 1 and CES 7 the night before the daily run, from up to `count` LOW-risk customers (the
 * recent weekly buyers: a level or two below any alert, so that the surveys make them cross one); returns
 * their ids.
 */
async function badSurveysOvernight(sql: pg.Client, count: number): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(
    `WITH chosen AS (SELECT "customerId" AS "id" FROM "Score" WHERE "churnRiskLevel" = 'LOW'
                      ORDER BY md5("customerId"::text) LIMIT $1),
     answered AS (
       INSERT INTO "Feedback" ("id", "customerId", "source", "externalId", "kind", "score", "respondedAt")
       SELECT gen_random_uuid(), c."id", 'bench-survey', c."id"::text || '-' || k.kind, k.kind::"FeedbackKind", k.score, $2
         FROM chosen c, (VALUES ('NPS', 0), ('CSAT', 1), ('CES', 7)) AS k(kind, score)
       RETURNING 1)
     SELECT "id"::text FROM chosen`,
    [count, new Date(T0.getTime() + DAY / 2)],
  );
  return rows.map((row) => row.id);
}

function request(child: ChildProcess, message: object, answer: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`The subscriber exited (${code}).`));
    const onMessage = (reply: { type: string }) => {
      if (reply.type !== answer) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(reply);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.send(message);
  });
}

/** "0.21 ms/customer (hub 0.08 + database 0.13)". */
function cpuPerCustomer(run: RescoringRunFigures): string {
  const { hubMs, databaseMs } = run.cpu;
  if (databaseMs === null) return `hub ${hubMs.toFixed(3)} ms/customer, database not measured`;
  return `${(hubMs + databaseMs).toFixed(3)} ms/customer (hub ${hubMs.toFixed(3)} + database ${databaseMs.toFixed(3)})`;
}

/** Both processes' CPU per customer, or the hub's alone when the database's cannot be read. */
function cpuMs(run: RescoringRunFigures): number {
  return run.cpu.hubMs + (run.cpu.databaseMs ?? 0);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

async function freshDatabase(adminUrl: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${RESCORING_BENCH_DATABASE}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${RESCORING_BENCH_DATABASE}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${RESCORING_BENCH_DATABASE}`;
  return url.toString();
}

export function formatRescoringReport(figures: RescoringFigures): string {
  const run = (figures: RescoringRunFigures) =>
    `${figures.customersPerSecond.toFixed(0).padStart(6)} (${figures.seconds.toFixed(1)} s, load ${figures.load.toFixed(1)})`;
  const lines = [
    `Scheduled rescoring (slices of ${figures.sliceSize}, ${figures.sliceConcurrency} at once, one instance; load = 1-minute load average of the 2 shared cores):`,
    "  customers   generate   first scores: cust/s          daily run: cust/s             alerts (surveyed)   delivered (digests)   commit→subscriber p50 / p99",
  ];
  for (const size of figures.sizes) {
    const daily = size.daily;
    lines.push(
      `  ${size.size.toLocaleString("en").padStart(9)}   ${size.generateSeconds.toFixed(1).padStart(6)} s   ${run(size.first).padEnd(28)}  ${run(daily).padEnd(28)}  ${`${daily.alerts} (${daily.surveyedAlerts}/${daily.surveyed})`.padStart(17)}   ${`${daily.delivered} (${daily.digests})`.padStart(19)}   ${daily.latency ? `${daily.latency.p50} / ${daily.latency.p99} ms` : "-"}`,
    );
  }
  const smallest = figures.sizes[0];
  const largest = figures.sizes.at(-1);
  for (const size of figures.sizes) {
    lines.push(
      `  ${size.size.toLocaleString("en").padStart(9)}   CPU per customer: first scores ${cpuPerCustomer(size.first)}; daily run ${cpuPerCustomer(size.daily)}`,
    );
  }
  if (smallest && largest && largest !== smallest) {
    const perCustomer = (run: RescoringRunFigures) => run.seconds / run.customers;
    const ratio = (pick: (run: RescoringRunFigures) => number) =>
      `first scores ${(pick(largest.first) / pick(smallest.first)).toFixed(2)}, daily run ${(pick(largest.daily) / pick(smallest.daily)).toFixed(2)}`;
    lines.push(
      `  Per-customer cost, ${largest.size.toLocaleString("en")} over ${smallest.size.toLocaleString("en")} (1.0 = linear): wall clock ${ratio(perCustomer)}; CPU ${ratio(cpuMs)}`,
    );
  }
  const errors = figures.sizes.flatMap((size) => size.daily.errors);
  if (errors.length) lines.push(`  Subscriber errors: ${errors.slice(0, 3).join("; ")}`);
  return lines.join("\n");
}
