// `npm run bench -- --only alerts`: live alert delivery. For each round (1,000 then 10,000
// graphql-ws subscribers, spread evenly over 100 account managers, held by client processes so that
// the hub's process is measured alone), a stream of survey answers recorded through the hub's GraphQL
// API at a steady rate, each taking a fresh customer to HIGH and so raising one alert. Figures:
// latency from the alert's insert (the last statement of the transaction that commits it) to receipt
// by each subscriber, p50 and p99; the same from the alert's publication (its publishedAt, stamped by
// the dispatcher's claim statement just before the rows come back and go to the bus), which is where
// the bare server's clock starts; alerts delivered per second; the CPU time the server's process used
// per 1,000 deliveries while the stream ran (less moved by the machine's load than latency); the
// peak RSS. The baseline, in the same run: a bare graphql-ws server (bare-alerts-server.ts) fanning out
// the same events to the same subscribers, its clock started when a publish has been read. Its own database, cxhub_alerts_bench (BENCH_ALERTS_DATABASE names another, so that
// benches run side by side do not drop each other's), made anew on every run.
// BENCH_ALERT_SUBSCRIBERS=1000 (a comma-separated list) runs other rounds than 1,000 and 10,000;
// BENCH_CPU_PROF_DIR=/tmp/prof writes a CPU profile of the hub and of the bare server for each round there.
// BENCH_ALERTS_SEPARATE_WRITER=1 sends the recording mutations to a second hub instance, both over Redis
// (BENCH_REDIS_URL, redis://127.0.0.1:6379 by default), as a deployment with more than one instance
// would: the hub's row is then the subscribers' instance alone, and the report gives the writer's CPU
// per alert beside PostgreSQL's. It shows what the fan-out costs without the recording on its thread.
import { type ChildProcess, fork } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { v7 as uuidv7 } from "uuid";
import { createApiKey } from "../../src/auth/api-keys.ts";
import { fromPostgresUrl } from "../../src/db/database.ts";
import { applyMigrations } from "../../src/db/migrations.ts";
import { rescoreWithAlerts } from "../../src/pipeline/rescore-with-alerts.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import {
  type ChildServer,
  ensureCompiled,
  HUB_ENTRY,
  startChildServer,
  stopAllChildServers,
} from "./child-servers.ts";
import { type CpuMeter, processCpuMs as cpuMsOf, startCpuMeter } from "./cpu-meter.ts";
import { busyCores, machineTicks } from "./machine-cpu.ts";

export const ALERTS_BENCH_DATABASE = process.env.BENCH_ALERTS_DATABASE ?? "cxhub_alerts_bench";
const OWNERS = 100;
const ALERTS_PER_SECOND = 100;
/** Five seconds of alerts per round: long enough for a p99 of a few thousand deliveries per owner. */
const ALERTS_PER_ROUND = ALERTS_PER_SECOND * 5;
const CLIENT_PROCESSES = 4;
/**
 * Requests the driver lets wait at once: the hub's pool of connections (node-postgres' default, 10).
 * More only wait in the hub for a connection, and on a busy machine past its 10 s connect timeout
 * (SERVICE_UNAVAILABLE). At 100/s and a mutation answered in tens of milliseconds a few are in
 * flight; the bound matters when the hub cannot keep up, and then the achieved rate (printed) says so.
 */
const MAX_IN_FLIGHT = 10;
const DELIVERY_TIMEOUT_MS = 60_000;
const HUB_READY = /GraphQL and GraphiQL at (http:\/\/\S+\/graphql)/;
const BARE_READY = /Bare graphql-ws server ready at (http:\/\/\S+\/graphql)/;
const subscriberScript = fileURLToPath(new URL("./alert-subscribers.ts", import.meta.url));
/** The Redis of BENCH_ALERTS_SEPARATE_WRITER's two instances; null when the recording shares the hub. */
const SEPARATE_WRITER_REDIS =
  process.env.BENCH_ALERTS_SEPARATE_WRITER === "1"
    ? (process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379")
    : null;

interface Seed {
  url: string;
  adminKey: string;
  owners: Array<{ id: string; key: string }>;
  /** Per round: customers to raise alerts for, and per owner the warm-up customers. */
  rounds: Array<{ measured: Array<{ id: string; owner: number }>; warm: string[][] }>;
}

export interface AlertsRoundFigures {
  subscribers: number;
  hub: DeliveryFigures & {
    commitToPublish: { p50: number; p99: number };
    /** submitFeedback's answer time as the driver saw it, for the measured stream. */
    mutation: { p50: number; p99: number };
    /**
     * CPU milliseconds per measured alert, over the stream: the database's PostgreSQL backends (the
     * recording's statements and the dispatcher's claims; null when they cannot be read), and the
     * second instance that answered the recording mutations
     * (BENCH_ALERTS_SEPARATE_WRITER; null when the hub answered them itself).
     */
    recordingCpuPerAlert: { database: number | null; writer: number | null };
    peakRss: number;
    readyRss: number;
  };
  bare: DeliveryFigures & { peakRss: number; readyRss: number };
}

interface DeliveryFigures {
  /** The rate the driver achieved, and how often it waited for one of MAX_IN_FLIGHT slots. */
  driven: { achievedPerSecond: number; waitsForSlot: number };
  deliveries: number;
  expected: number;
  p50: number;
  p99: number;
  /** From the alert's publication to receipt (the bare server's clock starts there anyway). */
  fromPublish: { p50: number; p99: number };
  /** CPU milliseconds (user + system) of the server's process from the stream's start to its last delivery. */
  cpuMs: number;
  /**
   * What the process uses idle (keep-alive pings to every socket, timers), measured for IDLE_CPU_MS
   * just before the stream, over as long as the stream lasted: without it, the stream's own cost,
   * which does not grow with a slower stream's length.
   */
  idleCpuMs: number;
  /**
   * The whole machine over the same span: its busy cores on average (of `cores`), and the CPU
   * milliseconds of the subscriber clients' processes. The rest of the busy time is PostgreSQL's (for
   * the hub), the bench's driver and anything else running.
   */
  machine: { busyCores: number; cores: number; clientsMs: number };
  alertsPerSecond: number;
  deliveriesPerSecond: number;
  errors: number;
}

export async function runAlertsBench(
  adminUrl: string,
  log: (line: string) => void,
  subscriberCounts = (process.env.BENCH_ALERT_SUBSCRIBERS ?? "1000,10000").split(",").map(Number),
): Promise<{ figures: AlertsRoundFigures[]; failures: number }> {
  const seed = await seedDatabase(adminUrl, subscriberCounts.length);
  log(
    `  ${ALERTS_BENCH_DATABASE}: ${OWNERS} account managers, ${ALERTS_PER_ROUND} customers per round about to cross into HIGH; ${ALERTS_PER_SECOND} alerts/s raised through GraphQL.`,
  );
  const figures: AlertsRoundFigures[] = [];
  let failures = 0;
  for (const [index, subscribers] of subscriberCounts.entries()) {
    const round = seed.rounds[index];
    if (!round) throw new Error("seedDatabase made one set of customers per round");
    const hub = await measureHub(seed, round, subscribers, log);
    const bare = await measureBare(round, subscribers, log);
    failures +=
      hub.errors + bare.errors + (hub.expected - hub.deliveries) + (bare.expected - bare.deliveries);
    figures.push({ subscribers, hub, bare });
  }
  return { figures, failures };
}

/** The database `name` made anew (dropped first) and migrated, open; the caller closes it. */
export async function freshBenchDatabase(adminUrl: string, name: string) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = fromPostgresUrl(url.toString());
  try {
    await applyMigrations(database.adapterFactory);
  } catch (error) {
    await database.close();
    throw error;
  }
  return { url, database };
}

async function seedDatabase(adminUrl: string, rounds: number): Promise<Seed> {
  const { url, database } = await freshBenchDatabase(adminUrl, ALERTS_BENCH_DATABASE);
  try {
    const adminKey = (
      await createApiKey(database.prisma, {
        principal: { name: "Bench driver" },
        name: "bench",
        role: "ADMIN",
      })
    ).key;
    const owners: Seed["owners"] = [];
    for (let i = 0; i < OWNERS; i++) {
      const { key, principal } = await createApiKey(database.prisma, {
        principal: { name: `Account manager ${i}` },
        name: "alerts bench",
        role: "ACCOUNT_MANAGER",
      });
      owners.push({ id: principal.id, key });
    }
    const seedRounds: Seed["rounds"] = [];
    const rows: Array<{ id: string; displayName: string; ownerId: string }> = [];
    for (let r = 0; r < rounds; r++) {
      const measured = Array.from({ length: ALERTS_PER_ROUND }, (_, i) => ({
        id: uuidv7(),
        owner: i % OWNERS,
      }));
      const warm = owners.map(() => [uuidv7(), uuidv7(), uuidv7()]);
      for (const customer of measured) {
        rows.push({
          id: customer.id,
          displayName: `customer-${r}-${customer.id}`,
          ownerId: owners[customer.owner]?.id ?? "",
        });
      }
      warm.forEach((ids, owner) => {
        for (const id of ids)
          rows.push({ id, displayName: `warm-${r}-${id}`, ownerId: owners[owner]?.id ?? "" });
      });
      seedRounds.push({ measured, warm });
    }
    await database.prisma.customer.createMany({ data: rows });
    // First scores (50%, no purchases): where these customers start, which raises no alert.
    await rescoreWithAlerts(database.prisma, {
      policy: DEFAULT_SCORING_POLICY,
      asOf: new Date(),
      customerIds: rows.map((r) => r.id),
    });
    return { url: url.toString(), adminKey, owners, rounds: seedRounds };
  } finally {
    await database.close();
  }
}

/** Subscriber processes still running: a round that fails ends them, or they keep the bench alive. */
const subscriberProcesses = new Set<ChildProcess>();
const killSubscriberProcesses = () => {
  for (const child of subscriberProcesses) child.kill();
};

/** Client processes holding `keys.length` subscribers between them. */
async function startSubscribers(wsUrl: string, keys: string[]) {
  const children: ChildProcess[] = [];
  const per = Math.ceil(keys.length / CLIENT_PROCESSES);
  const started = [];
  for (let i = 0; i < CLIENT_PROCESSES; i++) {
    const child = fork(subscriberScript, [], { execArgv: ["--import", "tsx"], stdio: "inherit" });
    children.push(child);
    subscriberProcesses.add(child);
    child.once("exit", () => subscriberProcesses.delete(child));
    started.push(
      request<{ opened: number; failed: number; firstError: string }>(child, "started", {
        type: "start",
        url: wsUrl,
        keys: keys.slice(i * per, (i + 1) * per),
      }),
    );
  }
  const results = await Promise.all(started);
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  if (failed > 0)
    throw new Error(
      `${failed} subscriber(s) could not connect: ${results.find((r) => r.firstError)?.firstError}`,
    );
  const report = async () => {
    const reports = await Promise.all(
      children.map((child) =>
        request<{
          warm: number;
          deliveries: number;
          errors: number;
          firstError: string;
          latencies: Array<[string, number[]]>;
        }>(child, "report", { type: "report" }),
      ),
    );
    return {
      warm: reports.reduce((sum, r) => sum + r.warm, 0),
      deliveries: reports.reduce((sum, r) => sum + r.deliveries, 0),
      errors: reports.reduce((sum, r) => sum + r.errors, 0),
      firstError: reports.find((r) => r.firstError)?.firstError ?? "",
      /** Per alert (its customer's display name), the latencies from its raisedAt. */
      latencies: reports.flatMap((r) => r.latencies),
    };
  };
  const stop = () =>
    Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once("exit", () => resolve());
            child.send({ type: "stop" });
          }),
      ),
    );
  /** CPU milliseconds the client processes have used so far. */
  const cpuMs = () => children.reduce((sum, child) => sum + (child.pid ? processCpuMs(child.pid) : 0), 0);
  return { report, stop, cpuMs };
}

function request<T>(child: ChildProcess, answer: string, message: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: { type: string } & T) => {
      if (reply.type !== answer) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(reply);
    };
    const onExit = (code: number | null) => reject(new Error(`A subscriber process exited (${code}).`));
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.send(message as never);
  });
}

type Subscribers = Awaited<ReturnType<typeof startSubscribers>>;

/**
 * Warm-up: an alert for every owner, again for the owners some of whose subscribers missed it (they
 * were not subscribed yet), until every subscriber has had one: then all are live.
 */
async function warmUp(
  subscribers: Subscribers,
  total: number,
  warmCustomers: string[][],
  raise: (owner: number, customer: string) => Promise<void>,
) {
  for (let attempt = 0; attempt < 3; attempt++) {
    // MAX_IN_FLIGHT at a time, as the measured stream: a hundred at once outwait the hub's pool of
    // connections on a busy machine, and the mutations fail with SERVICE_UNAVAILABLE.
    for (let first = 0; first < warmCustomers.length; first += MAX_IN_FLIGHT) {
      const owners = warmCustomers.slice(first, first + MAX_IN_FLIGHT);
      await Promise.all(owners.map((ids, i) => raise(first + i, ids[attempt] ?? "")));
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const { warm } = await subscribers.report();
      if (warm >= total) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error("Not every subscriber received a warm-up alert after three rounds.");
}

/**
 * Raises the round's alerts at a steady rate, open loop, with a bound on requests in flight. Returns
 * when it started and the rate it achieved (alerts whose request was answered, per second from the
 * start to the last answer), and how often it had to wait for a free slot: a rate short of
 * ALERTS_PER_SECOND with waits means the recording mutations, not the fan-out, set the pace.
 */
async function drive(count: number, fire: (index: number) => Promise<void>) {
  const interval = 1000 / ALERTS_PER_SECOND;
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  let waitsForSlot = 0;
  for (let i = 0; i < count; i++) {
    const due = started + i * interval;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight.size >= MAX_IN_FLIGHT) waitsForSlot += 1;
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const call = fire(i).finally(() => inFlight.delete(call));
    inFlight.add(call);
  }
  await Promise.all(inFlight);
  const achievedPerSecond = count / ((Date.now() - started) / 1000);
  return { started, driven: { achievedPerSecond, waitsForSlot } };
}

async function collect(subscribers: Subscribers, expected: number) {
  const latencies = new Map<string, number[]>();
  let deliveries = 0;
  let errors = 0;
  let firstError = "";
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  let doneAt = Date.now();
  while (Date.now() < deadline) {
    const report = await subscribers.report();
    for (const [name, list] of report.latencies) {
      const known = latencies.get(name);
      if (known) known.push(...list);
      else latencies.set(name, list);
    }
    deliveries += report.deliveries;
    errors += report.errors;
    firstError ||= report.firstError;
    doneAt = Date.now();
    if (deliveries >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { latencies, deliveries, errors, firstError, doneAt };
}

/**
 * `publishedAfter` gives, per alert (its customer's display name), the milliseconds from its raisedAt
 * to its publication; absent, the clock already starts at publication (the bare server).
 */
function figuresOf(
  result: Awaited<ReturnType<typeof collect>>,
  expected: number,
  alerts: number,
  startedAt: number,
  driven: DeliveryFigures["driven"],
  { cpu, machine }: CpuUsage,
  publishedAfter?: Map<string, number>,
): DeliveryFigures {
  const byNumber = (a: number, b: number) => a - b;
  const sorted = [...result.latencies.values()].flat().sort(byNumber);
  let fromPublish = sorted;
  if (publishedAfter) {
    fromPublish = [];
    for (const [name, list] of result.latencies) {
      const lag = publishedAfter.get(name);
      if (lag === undefined) throw new Error(`No publication time for the alert of ${name}.`);
      for (const latency of list) fromPublish.push(latency - lag);
    }
    fromPublish.sort(byNumber);
  }
  const seconds = (result.doneAt - startedAt) / 1000;
  return {
    driven,
    deliveries: result.deliveries,
    expected,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    fromPublish: { p50: percentile(fromPublish, 0.5), p99: percentile(fromPublish, 0.99) },
    cpuMs: cpu.used,
    idleCpuMs: cpu.idlePerSecond * seconds,
    machine,
    alertsPerSecond: alerts / seconds,
    deliveriesPerSecond: result.deliveries / seconds,
    errors: result.errors,
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN);

/**
 * A detractor's answer (NPS 0, a minute ago) through submitFeedback: it takes a customer scored at 50%
 * without purchases to HIGH, raising one alert. Throws unless the mutation answered its payload.
 */
export async function submitDetractorAnswer(
  url: string,
  apiKey: string,
  customerId: string,
  { source, externalId }: { source: string; externalId: string },
): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      query: `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { __typename } }`,
      variables: {
        input: {
          customer: { id: Buffer.from(`Customer:${customerId}`).toString("base64") },
          source,
          externalId,
          kind: "NPS",
          score: 0,
          respondedAt: new Date(Date.now() - 60_000).toISOString(),
        },
      },
    }),
  });
  const body = (await response.json()) as { data?: { submitFeedback: { __typename: string } } };
  if (body.data?.submitFeedback.__typename !== "SubmitFeedbackPayload") {
    throw new Error(`submitFeedback failed: ${JSON.stringify(body)}`);
  }
}

/** BENCH_CPU_PROF_DIR: a CPU profile of each server (the hub's, the bare one's), named by pid. */
const cpuProfileFlags = () =>
  process.env.BENCH_CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];

const subscriberKeys = (count: number, keyOf: (owner: number) => string) =>
  Array.from({ length: count }, (_, i) => keyOf(i % OWNERS));

async function measureHub(
  seed: Seed,
  round: Seed["rounds"][number],
  count: number,
  log: (line: string) => void,
) {
  await ensureCompiled();
  const redis: Record<string, string> = SEPARATE_WRITER_REDIS ? { REDIS_URL: SEPARATE_WRITER_REDIS } : {};
  const hub: ChildServer = await startChildServer({
    name: "hub",
    entry: HUB_ENTRY,
    compiled: true,
    env: { DATABASE_URL: seed.url, PORT: "0", LOG_LEVEL: "warn", ...redis },
    nodeFlags: cpuProfileFlags(),
    readyLine: HUB_READY,
  });
  // For the CPU of the database's backends over the stream (cpu-meter.ts): the recording's statements
  // and the dispatcher's claims.
  const database = new pg.Client({ connectionString: seed.url });
  let databaseCpu: CpuMeter | null = null;
  try {
    const writer: ChildServer | null = SEPARATE_WRITER_REDIS
      ? await startChildServer({
          name: "hub (recording instance)",
          entry: HUB_ENTRY,
          compiled: true,
          env: { DATABASE_URL: seed.url, PORT: "0", LOG_LEVEL: "warn", ...redis },
          readyLine: HUB_READY,
        })
      : null;
    await database.connect();
    const subscribers = await startSubscribers(
      hub.url.replace(/^http/, "ws"),
      subscriberKeys(count, (owner) => seed.owners[owner]?.key ?? ""),
    );
    let answer = 0;
    let answerTimes: number[] = [];
    const submit = async (customerId: string) => {
      answer += 1;
      const sent = Date.now();
      await submitDetractorAnswer((writer ?? hub).url, seed.adminKey, customerId, {
        source: "alerts-bench",
        externalId: `answer-${count}-${answer}`,
      });
      answerTimes.push(Date.now() - sent);
    };
    await warmUp(subscribers, count, round.warm, (_owner, customer) => submit(customer));
    await subscribers.report(); // Drop anything counted before the measured stream.
    hub.resetSampledPeak();
    answerTimes = [];
    const cpuUsed = await watchCpu(hub.pid, subscribers);
    const writerAtStart = writer ? processCpuMs(writer.pid) : 0;
    databaseCpu = await startCpuMeter(database, new URL(seed.url).pathname.slice(1));
    const { started: startedAt, driven } = await drive(round.measured.length, (i) =>
      submit(round.measured[i]?.id ?? ""),
    );
    const answers = [...answerTimes].sort((a, b) => a - b);
    const mutation = { p50: percentile(answers, 0.5), p99: percentile(answers, 0.99) };
    const expected = round.measured.length * (count / OWNERS);
    const result = await collect(subscribers, expected);
    const usage = cpuUsed();
    const alerts = round.measured.length;
    const { databaseMs } = await databaseCpu.stop();
    databaseCpu = null;
    const recordingCpuPerAlert = {
      database: databaseMs === null ? null : databaseMs / alerts,
      writer: writer ? (processCpuMs(writer.pid) - writerAtStart) / alerts : null,
    };
    const measuredIds = round.measured.map((c) => c.id);
    const figures = figuresOf(
      result,
      expected,
      round.measured.length,
      startedAt,
      driven,
      usage,
      await publishedAfterRaised(seed.url, measuredIds),
    );
    const commitToPublish = await publishLag(seed.url, measuredIds);
    log(
      `  hub, ${count} subscribers: p50 ${figures.p50} ms, p99 ${figures.p99} ms (from publication ${figures.fromPublish.p50}/${figures.fromPublish.p99} ms); CPU ${perThousand(figures)} ms per 1,000 deliveries; ${figures.deliveries}/${expected} deliveries${result.errors ? `, ${result.errors} errors (${result.firstError})` : ""}; ${drivenLine(driven)}; submitFeedback p50 ${mutation.p50} ms, p99 ${mutation.p99} ms; ${recordingLine(recordingCpuPerAlert)}; machine ${machineLine(figures.machine)}`,
    );
    await subscribers.stop();
    return {
      ...figures,
      commitToPublish,
      mutation,
      recordingCpuPerAlert,
      peakRss: hub.sampledPeakRss(),
      readyRss: hub.readyRss,
    };
  } finally {
    // A round that failed mid-stream: the meter stops polling before its connection closes.
    await databaseCpu?.stop();
    await database.end();
    killSubscriberProcesses();
    await stopAllChildServers();
  }
}

async function measureBare(round: Seed["rounds"][number], count: number, log: (line: string) => void) {
  const bare = await startChildServer({
    name: "bare graphql-ws",
    entry: "test/bench/bare-alerts-server.ts",
    env: {},
    nodeFlags: cpuProfileFlags(),
    readyLine: BARE_READY,
  });
  try {
    const base = bare.url.replace(/\/graphql$/, "");
    const subscribers = await startSubscribers(
      bare.url.replace(/^http/, "ws"),
      subscriberKeys(count, (owner) => `owner-${owner}`),
    );
    const publish = async (owner: number, id: string, displayName: string) => {
      const response = await fetch(`${base}/publish`, {
        method: "POST",
        body: JSON.stringify({ owner: `owner-${owner}`, id, displayName }),
      });
      if (response.status !== 204) throw new Error(`The bare server refused a publish (${response.status}).`);
    };
    await warmUp(subscribers, count, round.warm, (owner, customer) =>
      publish(owner, customer, `warm-${customer}`),
    );
    await subscribers.report();
    bare.resetSampledPeak();
    const cpuUsed = await watchCpu(bare.pid, subscribers);
    const { started: startedAt, driven } = await drive(round.measured.length, (i) => {
      const customer = round.measured[i];
      return publish(customer?.owner ?? 0, customer?.id ?? "", `customer-${customer?.id}`);
    });
    const expected = round.measured.length * (count / OWNERS);
    const result = await collect(subscribers, expected);
    const figures = figuresOf(result, expected, round.measured.length, startedAt, driven, cpuUsed());
    log(
      `  bare graphql-ws, ${count} subscribers: p50 ${figures.p50} ms, p99 ${figures.p99} ms; CPU ${perThousand(figures)} ms per 1,000 deliveries; ${figures.deliveries}/${expected} deliveries; ${drivenLine(driven)}; machine ${machineLine(figures.machine)}`,
    );
    await subscribers.stop();
    return { ...figures, peakRss: bare.sampledPeakRss(), readyRss: bare.readyRss };
  } finally {
    killSubscriberProcesses();
    await stopAllChildServers();
  }
}

interface CpuUsage {
  cpu: { used: number; idlePerSecond: number };
  machine: DeliveryFigures["machine"];
}

/**
 * Measures the server's idle CPU, then starts counting: the function it answers gives the server's
 * CPU, the machine's busy cores and the subscriber clients' CPU from this call until then.
 */
async function watchCpu(pid: number, subscribers: { cpuMs(): number }): Promise<() => CpuUsage> {
  const idlePerSecond = await idleCpuPerSecond(pid);
  const serverAtStart = processCpuMs(pid);
  const machineAtStart = machineTicks();
  const clientsAtStart = subscribers.cpuMs();
  return () => ({
    cpu: { used: processCpuMs(pid) - serverAtStart, idlePerSecond },
    machine: {
      busyCores: busyCores(machineAtStart, machineTicks()),
      cores: availableParallelism(),
      clientsMs: subscribers.cpuMs() - clientsAtStart,
    },
  });
}

const recordingLine = ({ database, writer }: AlertsRoundFigures["hub"]["recordingCpuPerAlert"]) =>
  `CPU per alert: PostgreSQL ${database === null ? "not readable" : `${database.toFixed(1)} ms`}${writer === null ? "" : `, the recording instance ${writer.toFixed(1)} ms`}`;

const machineLine = ({ busyCores, cores, clientsMs }: DeliveryFigures["machine"]) =>
  `${busyCores.toFixed(2)} of ${cores} cores busy (subscriber clients ${(clientsMs / 1000).toFixed(1)} s of CPU)`;

const drivenLine = ({ achievedPerSecond, waitsForSlot }: DeliveryFigures["driven"]) =>
  `driven at ${achievedPerSecond.toFixed(1)} alerts/s of ${ALERTS_PER_SECOND}${waitsForSlot ? ` (waited ${waitsForSlot}× for one of ${MAX_IN_FLIGHT} slots in flight)` : ""}`;

/** CPU milliseconds a measured child process has used (cpu-meter.ts); one that has ended fails the round. */
function processCpuMs(pid: number): number {
  const used = cpuMsOf(pid);
  if (used === null) throw new Error(`Process ${pid} ended while the alerts round measured it.`);
  return used;
}

const IDLE_CPU_MS = 3000;

/** CPU milliseconds a second the process uses while every subscriber is connected and nothing is sent. */
async function idleCpuPerSecond(pid: number): Promise<number> {
  const before = processCpuMs(pid);
  await new Promise((resolve) => setTimeout(resolve, IDLE_CPU_MS));
  return ((processCpuMs(pid) - before) / IDLE_CPU_MS) * 1000;
}

const perThousand = (figures: DeliveryFigures) =>
  `${((figures.cpuMs / figures.deliveries) * 1000).toFixed(0)} (${(aboveIdle(figures) * 1000).toFixed(0)} above idle)`;
const aboveIdle = (figures: DeliveryFigures) => (figures.cpuMs - figures.idleCpuMs) / figures.deliveries;

/**
 * Per measured alert (its customer's display name), the milliseconds from its raisedAt to its
 * publishedAt: subtracted from each receipt's latency, the time from publication to receipt.
 */
async function publishedAfterRaised(url: string, customerIds: string[]): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; lag: number }>(
      `SELECT c."displayName" AS name, extract(epoch FROM a."publishedAt" - a."createdAt") * 1000 AS lag
         FROM "Alert" a JOIN "Customer" c ON c."id" = a."customerId" WHERE a."customerId" = ANY($1::uuid[])`,
      [customerIds],
    );
    return new Map(rows.map((row) => [row.name, Math.round(Number(row.lag))]));
  } finally {
    await client.end();
  }
}

/** From the alert's insert to the dispatcher's publish: the part of the latency before fan-out. */
async function publishLag(url: string, customerIds: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ p50: number; p99: number }>(
      `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY lag) AS p50, percentile_disc(0.99) WITHIN GROUP (ORDER BY lag) AS p99
         FROM (SELECT extract(epoch FROM "publishedAt" - "createdAt") * 1000 AS lag
                 FROM "Alert" WHERE "customerId" = ANY($1::uuid[])) t`,
      [customerIds],
    );
    return { p50: Number(rows[0]?.p50), p99: Number(rows[0]?.p99) };
  } finally {
    await client.end();
  }
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;

export function formatAlertsReport(figures: AlertsRoundFigures[]): string {
  const lines = [
    `Live alerts: ${OWNERS} account managers, ${ALERTS_PER_ROUND} alerts per round raised at ${ALERTS_PER_SECOND}/s through GraphQL (submitFeedback). End to end: for the hub, from the alert's insert, just before its commit, to receipt by each subscriber; for the bare graphql-ws server (fanning the same events out to the same subscribers), from its reading a publish to receipt. From publication: for the hub, from the alert's publishedAt (stamped by the dispatcher's claim, one round trip before the bus has it) to receipt, the bare server's starting point; the bare server's figures are the same in both. CPU: the server process's, from the stream's start to its last delivery, per 1,000 deliveries (the hub's includes answering the recording mutations; the bare server's its publish requests); above idle, less what it used idle (keep-alive pings to every socket, timers) over as long, measured for ${IDLE_CPU_MS / 1000} s before the stream.`,
    "",
    "| Subscribers | Server | p50 | p99 | p50 from publication | p99 from publication | CPU ms per 1,000 deliveries (above idle) | Deliveries | Alerts/s driven | Alerts/s delivered | Deliveries/s | Peak RSS (ready) |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { subscribers, hub, bare } of figures) {
    const row = (name: string, f: DeliveryFigures & { peakRss: number; readyRss: number }) =>
      `| ${subscribers} | ${name} | ${f.p50} ms | ${f.p99} ms | ${f.fromPublish.p50} ms | ${f.fromPublish.p99} ms | ${perThousand(f)} | ${f.deliveries}/${f.expected} | ${f.driven.achievedPerSecond.toFixed(1)} | ${f.alertsPerSecond.toFixed(1)} | ${f.deliveriesPerSecond.toFixed(0)} | ${mb(f.peakRss)} (${mb(f.readyRss)}) |`;
    lines.push(
      row(hub.recordingCpuPerAlert.writer === null ? "hub" : "hub (subscribers' instance)", hub),
      row("bare graphql-ws", bare),
      `| ${subscribers} | hub/bare | ${ratio(hub.p50, bare.p50)} | ${ratio(hub.p99, bare.p99)} | ${ratio(hub.fromPublish.p50, bare.fromPublish.p50)} | ${ratio(hub.fromPublish.p99, bare.fromPublish.p99)} | ${ratio(hub.cpuMs / hub.deliveries, bare.cpuMs / bare.deliveries)} (${ratio(aboveIdle(hub), aboveIdle(bare))}) | | | | | ${ratio(hub.peakRss, bare.peakRss)} |`,
    );
  }
  lines.push("");
  for (const { subscribers, hub, bare } of figures) {
    lines.push(
      `Where the hub's time goes at ${subscribers} subscribers: insert → published by the dispatcher p50 ${hub.commitToPublish.p50.toFixed(0)} ms, p99 ${hub.commitToPublish.p99.toFixed(0)} ms (commit, NOTIFY, the dispatcher's claim transaction); the rest is fan-out (per-subscriber execution, JSON, sockets). The recording mutations meanwhile answered in p50 ${hub.mutation.p50} ms, p99 ${hub.mutation.p99} ms${hub.recordingCpuPerAlert.writer === null ? ", on the hub's own thread" : ` by a second instance (BENCH_ALERTS_SEPARATE_WRITER), the alerts reaching the subscribers' instance over Redis`}; ${recordingLine(hub.recordingCpuPerAlert)}. The machine during the hub's stream: ${machineLine(hub.machine)}; during the bare server's: ${machineLine(bare.machine)}. A round whose machine is busy on every core measures the machine, not the server: the hub's round also runs PostgreSQL's work for every recorded answer.`,
    );
  }
  return lines.join("\n");
}
