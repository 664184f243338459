// `npm run bench`, on the full CDNOW history in PostgreSQL (prepared once; --reload forces it):
// - api: how fast the hub answers the busiest pages, next to a baseline that answers the same
//   requests with hand-written SQL over plain `pg`: both servers as child processes, answers checked
//   equal, driven with autocannon; throughput, latency, memory and the hub/baseline ratios. Then the
//   same scenarios on a database with ten times the customers (generated, --scale), beside the 1x
//   figures: a page's cost must not grow with the number of customers.
// - peer: the customer list (first 20 with identities and five interactions each) and the 360 page
//   from the hub, from PostGraphile v5 over the same tables (its own query shape, answers mapped and
//   checked equal; installed into test/bench/peer on first use, see peer-server.ts) and from the
//   hand-written baseline, in one run: hub/PostGraphile and hub/baseline ratios.
// - scores: the purchase model fitted on weeks 1-39, every customer scored at week 39, and the
//   scores held against weeks 40-78 (see scores-bench.ts).
// - sync: the 69,659 CDNOW orders synced from a fake Shopify Admin API into a fresh database by the
//   sync engine, beside multi-row INSERT … ON CONFLICT of the same rows (see sync-bench.ts).
// - alerts: live alert delivery to 1,000 then 10,000 graphql-ws subscribers, beside a bare graphql-ws
//   server (see alerts-bench.ts); its own small database, not the CDNOW one.
// - response-speed: responseSpeed over generated conversations of the CDNOW customers, beside one
//   hand-written SQL query of the same figure, answers checked equal (see response-speed-bench.ts).
// - journey-map: journeyMap over a journey placed from the CDNOW customers' history (and generated
//   messages), beside one hand-written SQL query of the same figures, answers checked equal
//   (see journey-map-bench.ts).
// - key-touchpoints: keyTouchpoints over generated conversations and NPS answers of the CDNOW
//   customers, beside one hand-written SQL query of the counts it fits on, checked equal
//   (see key-touchpoints-bench.ts).
// - personas: a segment's memberCount and persona over generated scores and messages of the CDNOW
//   customers, beside one hand-written SQL query of the same figures, checked equal (see personas-bench.ts).
// - rescoring: scheduled rescore runs on the job engine at 10k, 100k and 1M generated customers:
//   customers/s, CPU time per customer, linearity, and alert latency from a slice's commit to a subscriber (rescoring-bench.ts).
// - memory: RSS once ready of the hub on PostgreSQL and on the embedded database, and the peak of the
//   demo load (npm run demo into a new folder), beside the baseline server's (see memory-bench.ts).
// - webhooks: outgoing webhook deliveries/s to a local receiver, and the time from an event's commit
//   to its delivery (see webhooks-bench.ts); its own small database.
// When api, peer, memory, sync or alerts ran, the last table is issue 15's targets: each with the figure
// this run measured and whether it is met (targets-report.ts).
// Exits non-zero when a server fails or any request errs. --server-warmup is each server's warm-up per
// scenario before any is measured, longer when a section has few scenarios: 40 s per server at least.
//
//   npm run bench [-- --scale 10|1 (1 skips the API scenarios at scale)] [-- --only api|peer|scores|response-speed|journey-map|key-touchpoints|personas|memory|sync|alerts|rescoring|webhooks] [-- --scenario CustomerList] [-- --reload] [-- --duration 8 --warmup 2 --server-warmup 2 --connections 10] [-- --no-sql-counts] [-- --rounds 1]
//   BENCH_POSTGRES_URL=postgresql://user@host:5432/db npm run bench     (the admin URL; default below)
//   BENCH_DATABASE=my_bench npm run bench     (the CDNOW database's name; cxhub_bench by default)
//   BENCH_SYNC_DATABASE=my_sync npm run bench -- --only sync     (the sync section's databases: my_sync, my_sync_baseline, my_sync_one_by_one; cxhub_bench_sync by default)
//   BENCH_RESCORING_DATABASE=my_rescoring npm run bench -- --only rescoring     (cxhub_rescoring_bench by default)
//   BENCH_ALERTS_DATABASE=my_alerts npm run bench -- --only alerts     (cxhub_alerts_bench by default)
// --scenario keeps the API (and peer) scenarios whose names start with it (repeatable).
// --rounds (peer and sync sections) measures each server, or the sync and its INSERT baseline, that many
// times in turn and keeps each one's median round: 3 by default, since one round's verdict moved with
// the order the servers came in (the list page on one runtime read 0.93x on a quiet machine and 1.42x
// when the first servers measured shared the cores with the 10x section's tail) and one baseline of
// the sync took 3.0 to 4.6 s; --rounds 1 for a quick look.
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { type AlertsRoundFigures, formatAlertsReport, runAlertsBench } from "./alerts-bench.ts";
import { type BenchKeys, createBenchApiKeys } from "./bench-api-key.ts";
import {
  type ChildServer,
  crashedServers,
  ensureCompiled,
  HUB_ENTRY,
  killChildServersOnExit,
  startChildServer,
  stopAllChildServers,
} from "./child-servers.ts";
import { assertAnswered, assertSameAnswer, postGraphql } from "./compare-answers.ts";
import { processCpuMs, startCpuMeter } from "./cpu-meter.ts";
import { formatJourneyMapReport, runJourneyMapBench } from "./journey-map-bench.ts";
import { formatKeyTouchpointsReport, runKeyTouchpointsBench } from "./key-touchpoints-bench.ts";
import { prepareBenchDatabase } from "./load-bench-data.ts";
import { driveLoad, failedRequests } from "./load-driver.ts";
import { waitForQuietMachine } from "./machine-cpu.ts";
import { medianRound } from "./median-round.ts";
import { formatMemoryReport, runMemoryBench } from "./memory-bench.ts";
import { peerAnswerToHubShape } from "./peer-answers.ts";
import { buildPeerScenarios, type PeerScenario } from "./peer-queries.ts";
import { formatPeerReport, type PeerScenarioFigures } from "./peer-report.ts";
import { ensurePeerInstalled, nodeVersionOf, peerNodeBinary, startPeerServer } from "./peer-server.ts";
import { formatPersonasReport, runPersonasBench } from "./personas-bench.ts";
import { formatReport, formatScaleReport, type ScenarioFigures } from "./print-report.ts";
import { formatRescoringReport, runRescoringBench } from "./rescoring-bench.ts";
import { formatResponseSpeedReport, runResponseSpeedBench } from "./response-speed-bench.ts";
import { buildScenarios, type Scenario } from "./scenarios.ts";
import { formatScoresReport, runScoresBench } from "./scores-bench.ts";
import { COUNT_SQL_PRELOAD, statementsPerRequest } from "./sql-statement-counts.ts";
import { formatSyncReport, runSyncBenchAsStarted } from "./sync-bench.ts";
import { formatTargetsReport, type TargetFigures } from "./targets-report.ts";
import { formatWebhooksReport, runWebhooksBench } from "./webhooks-bench.ts";

const DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test";
const HUB_READY = /GraphQL and GraphiQL at (http:\/\/\S+\/graphql)/;
const BASELINE_READY = /Baseline ready at (http:\/\/\S+\/graphql)/;
/** Customer360 answers compared between the servers before measuring. */
const COMPARED_CUSTOMERS = 25;

const { values: flags } = parseArgs({
  options: {
    reload: { type: "boolean", default: false },
    duration: { type: "string", default: "8" },
    warmup: { type: "string", default: "2" },
    "server-warmup": { type: "string", default: "2" },
    connections: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
    scale: { type: "string", default: "10" },
    "no-sql-counts": { type: "boolean", default: false },
    only: { type: "string", multiple: true },
    scenario: { type: "string", multiple: true },
  },
});
const SECTIONS = [
  "api",
  "peer",
  "scores",
  "response-speed",
  "journey-map",
  "key-touchpoints",
  "personas",
  "memory",
  "sync",
  "alerts",
  "rescoring",
  "webhooks",
] as const;
/** The sections whose figures issue 15's targets read; the targets' table follows when any of them ran. */
const TARGET_SECTIONS = ["api", "peer", "memory", "sync", "alerts"];
const sections = new Set(flags.only?.length ? flags.only : SECTIONS);
for (const section of sections) {
  if (!(SECTIONS as readonly string[]).includes(section))
    throw new Error(`--only takes one of ${SECTIONS.join(", ")}; got ${section}.`);
}
const settings = {
  durationSeconds: positive(flags.duration, "--duration"),
  warmupSeconds: positive(flags.warmup, "--warmup"),
  serverWarmupSeconds: positive(flags["server-warmup"], "--server-warmup"),
  connections: positive(flags.connections, "--connections"),
  rounds: positive(flags.rounds, "--rounds"),
  scale: positive(flags.scale, "--scale"),
};

function positive(value: string | undefined, name: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${name} must be a positive whole number.`);
  return number;
}

const log = (line: string) => console.log(line);

/**
 * Before a section whose figures are targets: waits (up to two minutes) for the machine to be quiet,
 * so that the tail of the section before (the 10x database's build and checkpoint, servers stopping)
 * does not fall on whichever server this one measures first. Says how long it waited.
 */
async function settle(section: string): Promise<void> {
  const wait = await waitForQuietMachine();
  if (!wait.quiet) {
    log(
      `The machine was still busy (${wait.busyCores.toFixed(2)} cores) after ${wait.waitedSeconds} s: ${section} is measured on a busy machine.`,
    );
  } else if (wait.waitedSeconds > 3) {
    log(`Waited ${wait.waitedSeconds} s for the machine to settle before ${section}.`);
  }
}

/** The compiled hub as `npm start` runs it; `node`: another Node binary than this one, and its version. */
function startHub(
  databaseUrl: string,
  options: { preload?: string[]; node?: { binary: string; version: string } } = {},
) {
  return startChildServer({
    name: options.node ? `hub (${options.node.version})` : "hub",
    entry: HUB_ENTRY,
    compiled: true,
    ...(options.node && { foreign: { node: options.node.binary } }),
    env: { DATABASE_URL: databaseUrl, PORT: "0", LOG_LEVEL: "warn" },
    preload: options.preload ?? [],
    readyLine: HUB_READY,
    // The first start on a freshly loaded database fits the score model and scores every customer
    // before it serves (prepare-scores.ts): minutes at 10x the customers on a busy machine.
    timeoutMs: 15 * 60_000,
  });
}

async function startServers(
  databaseUrl: string,
  preload: string[] = [],
): Promise<[ChildServer, ChildServer]> {
  await ensureCompiled();
  return Promise.all([
    startHub(databaseUrl, { preload }),
    startChildServer({
      name: "baseline",
      entry: "test/bench/baseline-server.ts",
      env: { DATABASE_URL: databaseUrl, PORT: "0" },
      preload,
      readyLine: BASELINE_READY,
    }),
  ]);
}

/** The sample each scenario is checked on: every distinct body, up to COMPARED_CUSTOMERS of them. */
async function verifyAnswers(
  scenarios: Scenario[],
  hub: ChildServer,
  baseline: ChildServer,
  keys: BenchKeys,
) {
  for (const scenario of scenarios) {
    const apiKey = keyOf(scenario, keys);
    const sample = scenario.bodies.slice(0, COMPARED_CUSTOMERS);
    let figures = "";
    for (const body of sample) {
      const [fromHub, fromBaseline] = await Promise.all([
        postGraphql(hub.url, apiKey, body),
        postGraphql(baseline.url, apiKey, body),
      ]);
      assertSameAnswer(scenario.name, fromHub, fromBaseline);
      figures ||= keyFigures(fromHub.json.data);
    }
    log(`  ${scenario.name}: ${sample.length} answer(s) identical on both servers; ${figures}`);
  }
}

/** A line of the figures a reader would check first, from one answer. */
function keyFigures(data: unknown): string {
  const d = data as Record<string, Record<string, unknown> | undefined>;
  if (d.customers) {
    const edges = d.customers.edges as unknown[];
    return `totalCount ${d.customers.totalCount}, ${edges.length} customers on the page`;
  }
  if (d.customer) {
    const timeline = (d.customer.timeline as { edges: unknown[] }).edges;
    const feedback = d.customer.feedback as { totalCount: number };
    return `first customer: ${timeline.length} timeline entries, ${feedback.totalCount} survey answers`;
  }
  const metrics = d.feedbackMetrics as {
    nps: { responses: number; score: number | null };
    csat: { responses: number };
    ces: { responses: number };
  };
  const trend = d.npsTrend as unknown as unknown[];
  return `NPS ${metrics.nps.score?.toFixed(1)} over ${metrics.nps.responses} answers, CSAT ${metrics.csat.responses}, CES ${metrics.ces.responses}, ${trend.length} weekly buckets`;
}

/** The key a scenario is sent with. */
const keyOf = (scenario: Scenario, keys: BenchKeys) =>
  scenario.key === "accountManager" ? keys.accountManager : keys.admin;

/**
 * A server's warm-up in all, spread over its scenarios, at least: the compiled hub on Node 20 went on
 * getting cheaper for 30-60 s under load (the peer's list page, 8 s windows from a cold start: 4.43,
 * 3.36, 2.72 ... 2.30 ms of CPU per request), on Node 24 for about 16 s, PostGraphile for about as
 * long; a section of few scenarios at --server-warmup each measured the hub half-compiled.
 */
const MIN_SERVER_WARMUP_SECONDS = 40;

/** Each scenario's share of a server's warm-up: --server-warmup, or more when the scenarios are few. */
const serverWarmupSecondsFor = (scenarioCount: number) =>
  Math.max(settings.serverWarmupSeconds, Math.ceil(MIN_SERVER_WARMUP_SECONDS / scenarioCount));

/** The settings as a section with `scenarioCount` scenarios applied them, for its report. */
const settingsFor = (scenarioCount: number) => ({
  ...settings,
  serverWarmupSeconds: serverWarmupSecondsFor(scenarioCount),
});

/**
 * Every scenario on every server for --server-warmup seconds each (longer when the scenarios are
 * few, see MIN_SERVER_WARMUP_SECONDS), before any is measured. V8
 * compiles the code the scenarios share (graphql-js, the driver, JSON) in a server's first seconds
 * under load; without this pass the first scenario measured carried that compilation alone: the hub's
 * CPU per request on the list page was 2.42 ms as the first scenario and 1.78 ms on the same page in
 * another order as the second. A server in production has long passed it. Answers the failed requests.
 */
async function warmUpServers(
  runs: Array<{
    server: ChildServer;
    apiKey: (index: number) => string;
    bodies: (index: number) => string[];
  }>,
  scenarioCount: number,
): Promise<number> {
  const seconds = serverWarmupSecondsFor(scenarioCount);
  log(`Warming up each server on every scenario, ${seconds} s each, before measuring any.`);
  let failed = 0;
  for (const { server, apiKey, bodies } of runs) {
    for (let index = 0; index < scenarioCount; index++) {
      const result = await driveLoad({
        url: server.url,
        apiKey: apiKey(index),
        bodies: bodies(index),
        connections: settings.connections,
        durationSeconds: seconds,
      });
      failed += failedRequests(result);
      if (failedRequests(result))
        log(`  ${server.name}: ${failedRequests(result)} failed while warming up: ${result.firstBadBody}`);
    }
  }
  return failed;
}

/**
 * `database`: also the CPU of the database's PostgreSQL backends per request, for the peer section,
 * where each server's own SQL is part of what it costs the machine (measured while the others idle).
 */
async function measure(
  server: ChildServer,
  apiKey: string,
  scenario: Pick<Scenario, "bodies">,
  database?: { sql: pg.Client; name: string },
) {
  const load = (durationSeconds: number) =>
    driveLoad({
      url: server.url,
      apiKey,
      bodies: scenario.bodies,
      connections: settings.connections,
      durationSeconds,
    });
  const warmup = await load(settings.warmupSeconds);
  server.resetSampledPeak();
  // The server's own CPU per request: throughput moves with the load of a shared machine, the work
  // a request costs the server much less (the database's backends are not counted here).
  const databaseMeter = database && (await startCpuMeter(database.sql, database.name));
  const cpuBefore = processCpuMs(server.pid);
  const result = await load(settings.durationSeconds);
  const cpuAfter = processCpuMs(server.pid);
  const databaseMs = databaseMeter ? (await databaseMeter.stop()).databaseMs : null;
  const cpuMsPerRequest =
    cpuBefore === null || cpuAfter === null || result.requests === 0
      ? Number.NaN
      : (cpuAfter - cpuBefore) / result.requests;
  const failures = failedRequests(warmup) + failedRequests(result);
  log(
    `  ${server.name.padEnd(12)} ${result.requestsPerSecond.toFixed(1).padStart(7)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  ${failures ? `FAILURES ${failures}: ${result.firstBadBody ?? warmup.firstBadBody}` : "no errors"}`,
  );
  return {
    ...result,
    cpuMsPerRequest,
    databaseCpuMsPerRequest:
      databaseMs === null || result.requests === 0 ? Number.NaN : databaseMs / result.requests,
    peakRssBytes: server.sampledPeakRss(),
    warmupFailures: failedRequests(warmup),
  };
}

async function main(): Promise<number> {
  killChildServersOnExit();
  const adminUrl = process.env.BENCH_POSTGRES_URL ?? DEFAULT_ADMIN_URL;
  log(
    `CX Hub bench: ${availableParallelism()} CPU core(s), shared by autocannon, the hub, the baseline and PostgreSQL; absolute figures move with the machine's load, the hub/baseline ratios much less.`,
  );

  let failed = 0;
  const measured: TargetFigures = {};
  // The sections that run on the CDNOW bench database.
  if (
    ["api", "peer", "scores", "response-speed", "journey-map", "key-touchpoints", "personas", "memory"].some(
      (section) => sections.has(section),
    )
  ) {
    const prepared = await prepareBenchDatabase(adminUrl, { reload: flags.reload, log });
    if (sections.has("api")) {
      await settle("the API");
      const atOne = await apiBench(prepared.url);
      failed += atOne.failed;
      measured.api = atOne.figures;
      if (settings.scale > 1) {
        log(`API at ${settings.scale}x the customers:`);
        const scaled = await prepareBenchDatabase(adminUrl, {
          reload: flags.reload,
          log,
          copies: settings.scale,
        });
        await settle(`the API at ${settings.scale}x`);
        const atScale = await apiBench(scaled.url, { countStatements: false });
        failed += atScale.failed;
        log("");
        log(
          formatScaleReport(settings.scale, {
            one: { customers: prepared.counts.customers, figures: atOne.figures },
            scaled: { customers: scaled.counts.customers, figures: atScale.figures },
          }),
        );
      }
    }
    if (sections.has("peer")) {
      await settle("the PostGraphile peer");
      const peer = await peerBench(prepared.url);
      failed += peer.failed;
      if (peer.figures) measured.peer = peer.figures;
    }
    if (sections.has("scores")) {
      log("Scores:");
      const figures = await runScoresBench(prepared.url, log);
      log("");
      log(formatScoresReport(figures));
    }
    if (sections.has("response-speed")) {
      log("Response speed:");
      const figures = await runResponseSpeedBench(prepared.url, log);
      log("");
      log(formatResponseSpeedReport(figures));
    }
    if (sections.has("journey-map")) {
      log("Journey map:");
      const figures = await runJourneyMapBench(prepared.url, log);
      log("");
      log(formatJourneyMapReport(figures));
    }
    if (sections.has("key-touchpoints")) {
      log("Key touchpoints:");
      const figures = await runKeyTouchpointsBench(prepared.url, log);
      log("");
      log(formatKeyTouchpointsReport(figures));
    }
    if (sections.has("personas")) {
      log("Personas:");
      const figures = await runPersonasBench(prepared.url, log);
      log("");
      log(formatPersonasReport(figures));
    }
    if (sections.has("memory")) {
      await settle("memory");
      log("Memory:");
      const figures = await runMemoryBench(prepared.url, log);
      log("");
      log(formatMemoryReport(figures));
      measured.memory = figures;
    }
  }
  if (sections.has("sync")) {
    await settle("the sync");
    log("Sync:");
    const figures = await runSyncBenchAsStarted(adminUrl, settings.rounds, log);
    log("");
    log(formatSyncReport(figures));
    measured.sync = figures;
  }
  if (sections.has("alerts")) {
    await settle("live alerts");
    const alerts = await alertsBench(adminUrl);
    failed += alerts.failed;
    measured.alerts = alerts.figures;
  }
  if (sections.has("rescoring")) {
    log("Rescoring:");
    const figures = await runRescoringBench(adminUrl, log);
    log("");
    log(formatRescoringReport(figures));
    failed += figures.sizes.filter((size) => size.daily.delivered < size.daily.alerts).length;
  }
  if (sections.has("webhooks")) {
    log("Webhooks:");
    const figures = await runWebhooksBench(adminUrl, log);
    log("");
    log(formatWebhooksReport(figures));
    failed += figures.failures.length;
  }
  if (TARGET_SECTIONS.some((section) => sections.has(section))) {
    log("");
    log(formatTargetsReport(measured));
  }
  return failed > 0 ? 1 : 0;
}

async function alertsBench(adminUrl: string): Promise<{ failed: number; figures: AlertsRoundFigures[] }> {
  log("Alerts:");
  const { figures, failures } = await runAlertsBench(adminUrl, log);
  log("");
  log(formatAlertsReport(figures));
  if (failures > 0) console.error(`\n${failures} alert deliveries failed or went missing: see above.`);
  return { failed: failures, figures };
}

async function apiBench(
  databaseUrl: string,
  { countStatements = !flags["no-sql-counts"] } = {},
): Promise<{ failed: number; figures: ScenarioFigures[] }> {
  const prepared = { url: databaseUrl };
  const keys = await createBenchApiKeys(prepared.url);
  const client = new pg.Client({ connectionString: prepared.url });
  await client.connect();
  const chosen = flags.scenario ?? [];
  const scenarios = (await buildScenarios(client, keys.accountManagerId).finally(() => client.end())).filter(
    (scenario) => chosen.length === 0 || chosen.some((name) => scenario.name.startsWith(name)),
  );
  if (scenarios.length === 0) throw new Error(`No API scenario's name starts with ${chosen.join(" or ")}.`);

  const [hub, baseline] = await startServers(prepared.url);
  log(`Hub at ${hub.url} (pid ${hub.pid}); baseline at ${baseline.url} (pid ${baseline.pid}).`);
  log("Checking that both servers give the same answers:");
  await verifyAnswers(scenarios, hub, baseline, keys);

  const figures: ScenarioFigures[] = [];
  let failed = await warmUpServers(
    [hub, baseline].map((server) => ({
      server,
      apiKey: (index) => keyOf(scenarios[index] as Scenario, keys),
      bodies: (index) => (scenarios[index] as Scenario).bodies,
    })),
    scenarios.length,
  );
  for (const scenario of scenarios) {
    log(`${scenario.name}:`);
    const fromHub = await measure(hub, keyOf(scenario, keys), scenario);
    const fromBaseline = await measure(baseline, keyOf(scenario, keys), scenario);
    failed +=
      failedRequests(fromHub) +
      fromHub.warmupFailures +
      failedRequests(fromBaseline) +
      fromBaseline.warmupFailures;
    const crashed = crashedServers();
    if (crashed.length) throw new Error(`Server(s) stopped during the run: ${crashed.join(", ")}`);
    figures.push({ name: scenario.name, hub: fromHub, baseline: fromBaseline, statements: null });
  }
  const memory = {
    hub: { ready: hub.readyRss, lifetimePeak: hub.lifetimePeakRss() },
    baseline: { ready: baseline.readyRss, lifetimePeak: baseline.lifetimePeakRss() },
  };
  await stopAllChildServers();

  if (countStatements) {
    log("Counting SQL statements per request (diagnostic servers with a counting preload):");
    const [countingHub, countingBaseline] = await startServers(prepared.url, [COUNT_SQL_PRELOAD]);
    for (const [index, scenario] of scenarios.entries()) {
      const statements = {
        hub: await statementsPerRequest(countingHub, keyOf(scenario, keys), scenario.bodies),
        baseline: await statementsPerRequest(countingBaseline, keyOf(scenario, keys), scenario.bodies),
      };
      const entry = figures[index];
      if (entry) entry.statements = statements;
      log(`  ${scenario.name}: hub ${statements.hub.toFixed(1)}, baseline ${statements.baseline.toFixed(1)}`);
    }
    await stopAllChildServers();
  }

  log("");
  log(formatReport(figures, memory, settingsFor(scenarios.length)));
  if (failed > 0) {
    console.error(`\n${failed} request(s) failed (non-2xx, transport errors or GraphQL errors): see above.`);
  }
  return { failed, figures };
}

/**
 * The PostGraphile comparison: the hub, the baseline and PostGraphile over the same database, every
 * answer of a sample checked equal (PostGraphile's after mapping), then each timed in turn.
 */
async function peerBench(databaseUrl: string): Promise<{ failed: number; figures?: PeerScenarioFigures[] }> {
  log("PostGraphile peer:");
  const loadBefore = loadavg()[0] ?? 0;
  // Every peer scenario is the ADMIN's (PostGraphile knows no roles): the account manager's key is unused.
  const { admin: apiKey } = await createBenchApiKeys(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const chosen = flags.scenario ?? [];
  const scenarios = (await buildPeerScenarios(client).finally(() => client.end())).filter(
    (scenario) => chosen.length === 0 || chosen.some((name) => scenario.name.startsWith(name)),
  );
  if (scenarios.length === 0) throw new Error(`No peer scenario's name starts with ${chosen.join(" or ")}.`);

  // Without the registry or a Node >= 22 the peer cannot run: a failed section, not a lost bench.
  try {
    await ensurePeerInstalled(log);
    peerNodeBinary();
  } catch (error) {
    console.error(`\nThe peer section cannot run: ${error instanceof Error ? error.message : String(error)}`);
    return { failed: 1 };
  }
  const [[hub, baseline], peer] = await Promise.all([
    startServers(databaseUrl),
    startPeerServer(databaseUrl, log),
  ]);
  // PostGraphile needs a newer Node than this one: the hub is measured on both, this machine's Node
  // (what `npm start` uses here) and the peer's, so that one ratio compares the two on one runtime.
  // Started after the first hub, which prepares the scores of a fresh database.
  const peerNode = peerNodeBinary();
  // Asked once: each asking starts the binary.
  const peerNodeVersion = nodeVersionOf(peerNode);
  const hubOnPeerNode =
    peerNode === process.execPath
      ? undefined
      : await startHub(databaseUrl, { node: { binary: peerNode, version: peerNodeVersion } });
  log(`Hub at ${hub.url}; baseline at ${baseline.url}; PostGraphile at ${peer.url} (pid ${peer.pid}).`);
  if (hubOnPeerNode) log(`The hub on PostGraphile's Node (${peerNodeVersion}) at ${hubOnPeerNode.url}.`);
  log("Checking that the servers give the same answers (PostGraphile's mapped onto the hub's shape):");
  await verifyPeerAnswers(scenarios, { hub, baseline, peer, hubOnPeerNode }, apiKey);

  // The PostgreSQL backends' CPU beside each server's: on this machine the servers, PostgreSQL and
  // autocannon share the cores, so a server's throughput moves with the SQL it sends as much as with
  // its own CPU (PostGraphile's statements cost PostgreSQL more than the hub's).
  const meterClient = new pg.Client({ connectionString: databaseUrl });
  await meterClient.connect();
  const database = { sql: meterClient, name: new URL(databaseUrl).pathname.slice(1) };
  const figures: PeerScenarioFigures[] = [];
  let failed = await warmUpServers(
    [
      { server: hub, bodies: (index: number) => scenarios[index]?.bodies ?? [] },
      { server: peer, bodies: (index: number) => scenarios[index]?.peerBodies ?? [] },
      { server: baseline, bodies: (index: number) => scenarios[index]?.bodies ?? [] },
      ...(hubOnPeerNode
        ? [{ server: hubOnPeerNode, bodies: (index: number) => scenarios[index]?.bodies ?? [] }]
        : []),
    ].map((run) => ({ ...run, apiKey: () => apiKey })),
    scenarios.length,
  );
  for (const scenario of scenarios) {
    log(`${scenario.name}:`);
    // Rounds take the servers in turn, each round starting one server later, so that a burst of
    // load from elsewhere on the machine falls on all three; each server's median round is kept.
    const runs = {
      hub: [] as Measured[],
      postgraphile: [] as Measured[],
      baseline: [] as Measured[],
      hubOnPeerNode: [] as Measured[],
    };
    const order = [
      () => measure(hub, apiKey, scenario, database).then((result) => runs.hub.push(result)),
      () =>
        measure(peer, apiKey, { bodies: scenario.peerBodies }, database).then((r) =>
          runs.postgraphile.push(r),
        ),
      () => measure(baseline, apiKey, scenario, database).then((result) => runs.baseline.push(result)),
      ...(hubOnPeerNode
        ? [() => measure(hubOnPeerNode, apiKey, scenario, database).then((r) => runs.hubOnPeerNode.push(r))]
        : []),
    ];
    for (let round = 0; round < settings.rounds; round++) {
      if (settings.rounds > 1) log(`  round ${round + 1} of ${settings.rounds}`);
      for (let step = 0; step < order.length; step++) await order[(round + step) % order.length]?.();
    }
    for (const result of Object.values(runs).flat()) failed += failedRequests(result) + result.warmupFailures;
    const measured = {
      hub: medianRun(runs.hub),
      postgraphile: medianRun(runs.postgraphile),
      baseline: medianRun(runs.baseline),
      ...(hubOnPeerNode && {
        hubOnPeerNode: { node: peerNodeVersion, ...medianRun(runs.hubOnPeerNode) },
      }),
    };
    const crashed = crashedServers();
    if (crashed.length) throw new Error(`Server(s) stopped during the run: ${crashed.join(", ")}`);
    figures.push({ name: scenario.name, ...measured });
  }
  const readyRss = { hub: hub.readyRss, postgraphile: peer.readyRss, baseline: baseline.readyRss };
  await meterClient.end();
  await stopAllChildServers();
  log("");
  log(
    formatPeerReport(figures, {
      settings: settingsFor(scenarios.length),
      readyRss,
      load: { before: loadBefore, after: loadavg()[0] ?? 0 },
    }),
  );
  if (failed > 0) console.error(`\n${failed} request(s) failed in the peer section: see above.`);
  return { failed, figures };
}

type Measured = Awaited<ReturnType<typeof measure>>;

/** The round with the median throughput. */
const medianRun = (runs: Measured[]) => medianRound(runs, (run) => run.requestsPerSecond);

async function verifyPeerAnswers(
  scenarios: PeerScenario[],
  servers: { hub: ChildServer; baseline: ChildServer; peer: ChildServer; hubOnPeerNode?: ChildServer },
  apiKey: string,
) {
  for (const scenario of scenarios) {
    const sample = scenario.bodies.slice(0, COMPARED_CUSTOMERS);
    for (const [index, body] of sample.entries()) {
      const [fromHub, fromBaseline, fromPeer, fromHubOnPeerNode] = await Promise.all([
        postGraphql(servers.hub.url, apiKey, body),
        postGraphql(servers.baseline.url, apiKey, body),
        postGraphql(servers.peer.url, apiKey, scenario.peerBodies[index] ?? ""),
        servers.hubOnPeerNode && postGraphql(servers.hubOnPeerNode.url, apiKey, body),
      ]);
      assertSameAnswer(scenario.name, fromHub, fromBaseline);
      if (fromHubOnPeerNode)
        assertSameAnswer(scenario.name, fromHub, fromHubOnPeerNode, servers.hubOnPeerNode?.name);
      assertAnswered(scenario.name, "PostGraphile", fromPeer);
      const mapped = { status: 200, json: { data: peerAnswerToHubShape(scenario.kind, fromPeer.json.data) } };
      assertSameAnswer(scenario.name, fromHub, mapped, "PostGraphile (mapped)");
    }
    log(`  ${scenario.name}: ${sample.length} answer(s) equal on every server.`);
  }
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch(async (error: unknown) => {
    console.error(`\nThe bench failed: ${error instanceof Error ? error.message : String(error)}`);
    for (const server of crashedServers()) console.error(`  ${server}`);
    await stopAllChildServers();
    process.exitCode = 1;
  });
