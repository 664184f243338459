// A diagnostic load, not part of `npm run bench`: submitFeedback alone, each answer taking a fresh
// customer to HIGH and raising one alert (the alerts bench's recording mutation), with no subscriber.
// It prints, per run, the CPU milliseconds per mutation of the hub's process and of its PostgreSQL
// backends (both less moved by the machine's load than latency), the answer times, and the load average.
//
//   npx tsx test/bench/feedback-load.ts [hubRoot ...]
//
// Each argument is a project folder whose compiled hub (dist/, as `npm start` runs it) to measure: give
// two (a copy of main's build, this tree) and they run interleaved, A B A B …, on one database, each run
// on customers of its own. Environment: FEEDBACK_LOAD_DATABASE (default cxhub_feedback_load, made anew),
// FEEDBACK_LOAD_MUTATIONS per run (300), FEEDBACK_LOAD_CONCURRENCY (4), FEEDBACK_LOAD_PAIRS (3),
// BENCH_CPU_PROF_DIR (a CPU profile of each run's hub), FEEDBACK_LOAD_LOG_STATEMENTS=1 (PostgreSQL logs
// every statement of the measured runs, with its parse, bind and execute times, in its server log),
// FEEDBACK_LOAD_PERF=/tmp/x (perf samples of each run's hub during its measured mutations, in
// /tmp/x.<run>, the hub started with --perf-basic-prof so that `perf script` names its JavaScript).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { v7 as uuidv7 } from "uuid";
import { createApiKey } from "../../src/auth/api-keys.ts";
import { rescoreWithAlerts } from "../../src/pipeline/rescore-with-alerts.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { freshBenchDatabase, submitDetractorAnswer } from "./alerts-bench.ts";
import { HUB_ENTRY, startChildServer, stopAllChildServers } from "./child-servers.ts";
import { processCpuMs } from "./cpu-meter.ts";

/** User and system CPU milliseconds of a process (/proc, 100 ticks a second). */
function userSystemMs(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
}

const DATABASE = process.env.FEEDBACK_LOAD_DATABASE ?? "cxhub_feedback_load";
const MUTATIONS = Number(process.env.FEEDBACK_LOAD_MUTATIONS ?? 300);
const WARM = 100;
const CONCURRENCY = Number(process.env.FEEDBACK_LOAD_CONCURRENCY ?? 4);
const PAIRS = Number(process.env.FEEDBACK_LOAD_PAIRS ?? 3);
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const HUB_READY = /GraphQL and GraphiQL at (http:\/\/\S+\/graphql)/;

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [process.cwd()];
const runs = roots.length > 1 ? PAIRS * roots.length : PAIRS;

async function seed(): Promise<{ url: string; adminKey: string; customers: string[][] }> {
  const { url, database } = await freshBenchDatabase(ADMIN_URL, DATABASE);
  try {
    const { key: adminKey, principal } = await createApiKey(database.prisma, {
      principal: { name: "Feedback load" },
      name: "load",
      role: "ADMIN",
    });
    const customers = Array.from({ length: runs }, () =>
      Array.from({ length: WARM + MUTATIONS }, () => uuidv7()),
    );
    const ids = customers.flat();
    await database.prisma.customer.createMany({
      data: ids.map((id) => ({ id, displayName: `load-${id}`, ownerId: principal.id })),
    });
    await rescoreWithAlerts(database.prisma, {
      policy: DEFAULT_SCORING_POLICY,
      asOf: new Date(),
      customerIds: ids,
    });
    if (process.env.FEEDBACK_LOAD_LOG_STATEMENTS === "1") {
      await database.prisma.$executeRawUnsafe(
        `ALTER DATABASE "${DATABASE}" SET log_min_duration_statement = 0`,
      );
    }
    return { url: url.toString(), adminKey, customers };
  } finally {
    await database.close();
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

async function backendCpuMs(sql: pg.Client): Promise<number> {
  const { rows } = await sql.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    [DATABASE],
  );
  return rows.reduce((sum, { pid }) => sum + (processCpuMs(pid) ?? 0), 0);
}

async function measure(root: string, run: number, seeded: Awaited<ReturnType<typeof seed>>) {
  const url = seeded.url;
  const profile = process.env.BENCH_CPU_PROF_DIR;
  const hub = await startChildServer({
    name: `hub ${path.basename(root)}`,
    entry: HUB_ENTRY,
    compiled: true,
    foreign: { node: process.execPath, cwd: root },
    env: { DATABASE_URL: url, PORT: "0", LOG_LEVEL: "warn" },
    nodeFlags: [
      ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []),
      ...(process.env.FEEDBACK_LOAD_PERF ? ["--perf-basic-prof"] : []),
    ],
    readyLine: HUB_READY,
  });
  const sql = new pg.Client({ connectionString: seeded.url });
  await sql.connect();
  try {
    let answer = 0;
    const submit = (customerId: string) => {
      answer += 1;
      return submitDetractorAnswer(hub.url, seeded.adminKey, customerId, {
        source: "feedback-load",
        externalId: `answer-${run}-${answer}`,
      });
    };
    const customers = seeded.customers[run] ?? [];
    const stream = async (ids: string[]) => {
      const times: number[] = [];
      let next = 0;
      const worker = async () => {
        while (next < ids.length) {
          const id = ids[next++] ?? "";
          const sent = performance.now();
          await submit(id);
          times.push(performance.now() - sent);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return times.sort((a, b) => a - b);
    };
    await stream(customers.slice(0, WARM));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const hubBefore = userSystemMs(hub.pid);
    const pgBefore = await backendCpuMs(sql);
    const perf = process.env.FEEDBACK_LOAD_PERF
      ? spawn(
          "perf",
          [
            "record",
            "-e",
            "cpu-clock",
            "-F",
            "997",
            "-g",
            "-p",
            String(hub.pid),
            "-o",
            `${process.env.FEEDBACK_LOAD_PERF}.${run}`,
          ],
          { stdio: "ignore" },
        )
      : null;
    const started = performance.now();
    const times = await stream(customers.slice(WARM));
    if (perf) {
      const exited = new Promise((resolve) => perf.once("exit", resolve));
      perf.kill("SIGINT");
      await exited;
    }
    const seconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 300)); // the dispatcher's publications
    const hubAfter = userSystemMs(hub.pid);
    const userMs = (hubAfter.user - hubBefore.user) / MUTATIONS;
    const systemMs = (hubAfter.system - hubBefore.system) / MUTATIONS;
    const hubMs = userMs + systemMs;
    const pgMs = ((await backendCpuMs(sql)) - pgBefore) / MUTATIONS;
    const load = readFileSync("/proc/loadavg", "utf8").trim();
    console.log(
      `${path.basename(root).padEnd(16)} hub ${hubMs.toFixed(2)} ms/mutation (user ${userMs.toFixed(2)}, system ${systemMs.toFixed(2)}), PostgreSQL ${pgMs.toFixed(2)} ms/mutation; p50 ${percentile(times, 0.5).toFixed(1)} ms, p99 ${percentile(times, 0.99).toFixed(1)} ms; ${(MUTATIONS / seconds).toFixed(0)}/s; loadavg ${load}`,
    );
    return { hubMs, pgMs };
  } finally {
    await sql.end();
    await hub.stop();
  }
}

const seeded = await seed();
const results = new Map<string, Array<{ hubMs: number; pgMs: number }>>();
try {
  for (let run = 0; run < runs; run++) {
    const root = roots[run % roots.length] as string;
    const figures = await measure(root, run, seeded);
    results.set(root, [...(results.get(root) ?? []), figures]);
  }
} finally {
  await stopAllChildServers();
}
for (const [root, list] of results) {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  console.log(
    `${root}: median hub ${median(list.map((f) => f.hubMs)).toFixed(2)} ms/mutation, PostgreSQL ${median(list.map((f) => f.pgMs)).toFixed(2)} ms/mutation over ${list.length} runs`,
  );
}
