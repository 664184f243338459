// /metrics after the hub did real work: a GraphQL query, a connector sync with a record the database
// refuses, an alert published to subscribers, a scheduled rescore run, and a job nobody works yet.
// Each named series is there with the value that work implies, read from the same scrape an
// operator's Prometheus gets.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import { startLiveAlerts } from "../../src/alerts/live-alerts.ts";
import { createApiKey } from "../../src/auth/api-keys.ts";
import { syncStateSource } from "../../src/connectors/sync/sync-metrics.ts";
import { QUEUES } from "../../src/jobs/job-engine.ts";
import { type RunningJobs, startJobs } from "../../src/jobs/start-jobs.ts";
import { createHubMetrics } from "../../src/metrics/hub-metrics.ts";
import { scoringPolicySchema } from "../../src/policy/scoring-policy.ts";
import { createHubYoga } from "../../src/server/create-yoga.ts";
import { detractorAnswer, managerWithCustomer } from "../alerts/helpers/live-hub.ts";
import { installTemplate, testEngine } from "../connectors/helpers/hub.ts";
import { makeTickets, type TinyDeskApi, tinyDeskTickets } from "../connectors/helpers/tiny-desk-api.ts";
import { databaseKind, test } from "../helpers/database.ts";
import { dropJobSchema, silentLogger } from "../helpers/jobs.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const DAY = 24 * 3600_000;
const T0 = new Date("2026-03-02T10:30:00Z");

interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of Prometheus's text format. */
function parseScrape(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`Not a sample line: ${line}`);
    const labels = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1], label[2]]),
    );
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

function sampleValue(
  samples: MetricSample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )?.value;
}

async function waitForRun(jobs: RunningJobs, id: string) {
  await expect
    .poll(async () => (await jobs.engine.boss.getJobById(QUEUES.run, id))?.state, {
      timeout: 30_000,
      interval: 100,
    })
    .toBe("completed");
}

describe("/metrics", () => {
  test("bounds the operation label: 100 names, then other; a name that is not one is invalid; a batch is batched", {
    timeout: 120_000,
  }, async ({ db }) => {
    const metrics = createHubMetrics({ logger: silentLogger });
    const yoga = createHubYoga({ database: db, logger: silentLogger, metrics });
    const { key } = await createApiKey(db.prisma, { principal: { name: "Ops" }, name: "k", role: "ADMIN" });
    const post = (body: unknown) =>
      yoga.fetch("http://cx-hub.test/graphql", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    for (let i = 0; i < 102; i++) {
      expect((await post({ query: `query Op${i} { __typename }` })).status).toBe(200);
    }
    await post({ query: "query Fine { __typename }", operationName: "not a name!" });
    await post([{ query: "query A { __typename }" }, { query: "query B { __typename }" }]);

    const samples = parseScrape(await metrics.scrape().then((scrape) => scrape.body));
    const count = (operation: string) =>
      samples
        .filter((sample) => sample.name === "cxhub_graphql_request_duration_seconds_count")
        .filter((sample) => sample.labels.operation === operation)
        .reduce((sum, sample) => sum + sample.value, 0);
    expect(count("Op0")).toBe(1);
    expect(count("Op99")).toBe(1);
    expect(count("Op100")).toBe(0);
    expect(count("other")).toBe(2);
    expect(count("invalid")).toBe(1);
    expect(count("batched")).toBe(1);
    expect(count("A") + count("B")).toBe(0);
  });

  test("after a query, a sync, an alert and a scheduled rescore, shows each with the values they imply", {
    timeout: 120_000,
  }, async ({ db }) => {
    const policy = scoringPolicySchema.parse({ schedule: { refit: null, sliceSize: 100 } });
    let now = new Date(T0);
    const clock = () => new Date(now);
    const metrics = createHubMetrics({ logger: silentLogger });
    const live = await startLiveAlerts({ database: db, logger: silentLogger, metrics });
    const jobs = await startJobs({
      database: db,
      logger: silentLogger,
      writes: { policy, clock },
      sync: null,
      autoTick: false,
      metrics,
    });
    try {
      const yoga = createHubYoga({
        database: db,
        logger: silentLogger,
        metrics,
        live,
        clock,
        scoringPolicy: policy,
      });
      const { key } = await createApiKey(db.prisma, { principal: { name: "Ops" }, name: "k", role: "ADMIN" });

      // A query, named in its document only.
      const answer = await yoga.fetch("http://cx-hub.test/graphql", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ query: "query CustomerCount { customers(first: 1) { totalCount } }" }),
      });
      expect(answer.status).toBe(200);

      // A sync of four tickets, one of which PostgreSQL refuses (text cannot hold a NUL).
      const api: TinyDeskApi = { tickets: makeTickets(4), requests: [] };
      (api.tickets[1] as { body: string }).body = "broken \u0000 body";
      server.use(tinyDeskTickets(api));
      await installTemplate(db.prisma);
      const run = await testEngine(db.prisma, { metrics }).run({ name: "tinydesk" });
      expect(run).toMatchObject({ status: "SUCCEEDED", recordsDeadLettered: 1 });
      const finishedAt = run.finishedAt ?? new Date(Number.NaN);
      // Lag is read with the clock the runs are stamped with: here one standing 42 s after the run.
      metrics.watch(
        "syncState",
        syncStateSource(db.prisma, () => new Date(finishedAt.getTime() + 42_000)),
      );

      // A detractor's answer takes a fresh customer to HIGH: one alert, published after its commit.
      const { customerId } = await managerWithCustomer(db, "Ana");
      await detractorAnswer(db, customerId);

      // A scheduled rescore: the first slot a hub sees is marked done; the next day's runs in slices.
      await jobs.tick();
      now = new Date(T0.getTime() + DAY);
      const [rescore] = (await jobs.tick()).runs;
      if (!rescore || rescore.skip) throw new Error("no rescore run was due");
      await waitForRun(jobs, rescore.id);
      now = new Date(now.getTime() + 3600_000);

      // A tick nobody works (the tick worker runs only with autoTick): it waits on its queue.
      await jobs.engine.boss.send(QUEUES.tick, {});
      // Every alert raised so far has left the outbox.
      await expect
        .poll(() => db.prisma.alert.count({ where: { publishedAt: null, digestId: null } }), {
          timeout: 20_000,
        })
        .toBe(0);

      const scrape = await yoga.fetch("http://cx-hub.test/metrics");
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const samples = parseScrape(await scrape.text());
      const at = (name: string, labels: Record<string, string> = {}) => sampleValue(samples, name, labels);

      // Request latency per operation.
      const query = { operation: "CustomerCount", status: "200" };
      expect(at("cxhub_graphql_request_duration_seconds_count", query)).toBe(1);
      expect(at("cxhub_graphql_request_duration_seconds_sum", query)).toBeGreaterThan(0);
      expect(at("cxhub_graphql_request_duration_seconds_sum", query)).toBeLessThan(60);

      // Sync runs, records, dead letters and lag per connector.
      const tinydesk = { connector: "tinydesk" };
      expect(at("cxhub_sync_runs_total", { ...tinydesk, status: "succeeded" })).toBe(1);
      expect(at("cxhub_sync_records_total", { ...tinydesk, outcome: "created" })).toBe(run.recordsCreated);
      expect(run.recordsCreated).toBeGreaterThan(0);
      expect(at("cxhub_sync_records_total", { ...tinydesk, outcome: "dead_lettered" })).toBe(1);
      expect(at("cxhub_sync_dead_letters_total", tinydesk)).toBe(1);
      expect(at("cxhub_sync_dead_letters_pending", tinydesk)).toBe(1);
      expect(at("cxhub_sync_lag_seconds", tinydesk)).toBe(42);

      // Alerts: each publication counted with its dispatch lag; nothing left in the outbox.
      const published = await db.prisma.alert.count({
        where: { publishedAt: { not: null }, digestId: null },
      });
      expect(published).toBeGreaterThanOrEqual(1);
      expect(at("cxhub_alerts_published_total", { kind: "alert" })).toBe(published);
      expect(at("cxhub_alert_dispatch_lag_seconds_count", { kind: "alert" })).toBe(published);
      expect(at("cxhub_alert_dispatch_lag_seconds_sum", { kind: "alert" })).toBeGreaterThanOrEqual(0);
      expect(at("cxhub_alert_dispatch_lag_seconds_sum", { kind: "alert" })).toBeLessThan(60 * published);
      expect(at("cxhub_alert_outbox_pending")).toBe(0);
      expect(at("cxhub_alert_outbox_oldest_seconds")).toBe(0);

      // Rescoring: every live customer rescored in committed slices, as of an hour ago by the hub's clock.
      const liveCustomers = await db.prisma.customer.count({ where: { mergedIntoId: null } });
      expect(at("cxhub_rescore_slices_total", { result: "committed" })).toBeGreaterThanOrEqual(1);
      expect(at("cxhub_rescored_customers_total")).toBe(liveCustomers);
      expect(at("cxhub_rescore_slice_duration_seconds_count")).toBe(
        at("cxhub_rescore_slices_total", { result: "committed" }),
      );
      expect(at("cxhub_rescore_lag_seconds")).toBe(3600);

      // The job queues: the tick waits, nothing else does; its wait is short and not negative.
      expect(at("cxhub_job_queue_jobs", { queue: QUEUES.tick, state: "waiting" })).toBe(1);
      expect(at("cxhub_job_queue_jobs", { queue: QUEUES.slice, state: "waiting" })).toBe(0);
      expect(at("cxhub_job_queue_lag_seconds", { queue: QUEUES.tick })).toBeGreaterThanOrEqual(0);
      expect(at("cxhub_job_queue_lag_seconds", { queue: QUEUES.tick })).toBeLessThan(300);
      expect(at("cxhub_job_queue_lag_seconds", { queue: QUEUES.slice })).toBe(0);

      // The database pools.
      const total = at("cxhub_db_pool_connections", { pool: "prisma", state: "total" }) ?? 0;
      if (databaseKind === "pglite") {
        expect(total).toBe(1);
        expect(at("cxhub_db_pool_connections", { pool: "prisma", state: "idle" })).toBeUndefined();
      } else {
        expect(total).toBeGreaterThanOrEqual(1);
        expect(at("cxhub_db_pool_connections", { pool: "prisma", state: "idle" })).toBeLessThanOrEqual(total);
        expect(at("cxhub_db_pool_connections", { pool: "prisma", state: "waiting" })).toBe(0);
        expect(at("cxhub_db_pool_connections", { pool: "jobs", state: "total" })).toBeGreaterThanOrEqual(1);
      }

      // The process's own, and no source failed.
      expect(at("process_cpu_user_seconds_total")).toBeGreaterThan(0);
      expect(samples.some((sample) => sample.name === "cxhub_metrics_source_failures_total")).toBe(false);
    } finally {
      await jobs.stop();
      await live.close();
      await dropJobSchema(db);
    }
  });

  test("asks for CXHUB_METRICS_TOKEN when it is set, never for an API key, and keeps each hub's own", async ({
    db,
  }) => {
    const token = "0123456789abcdef0123";
    const guarded = createHubYoga({
      database: db,
      logger: silentLogger,
      metrics: createHubMetrics({ logger: silentLogger }),
      metricsToken: token,
    });
    const scrape = (yoga: typeof guarded, headers: Record<string, string> = {}, method = "GET") =>
      yoga.fetch("http://cx-hub.test/metrics", { method, headers });
    expect((await scrape(guarded)).status).toBe(401);
    expect((await scrape(guarded, { authorization: "Bearer wrong-token-of-same-size" })).status).toBe(401);
    expect((await scrape(guarded, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await scrape(guarded, { authorization: `Bearer ${token}` }, "POST")).status).toBe(405);

    // Two hubs in one process: a request to one is not counted by the other. (Refused before GraphQL
    // read it, the request counts as anonymous.)
    const open = createHubYoga({
      database: db,
      logger: silentLogger,
      metrics: createHubMetrics({ logger: silentLogger }),
    });
    await open.fetch("http://cx-hub.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "query Anyone { __typename }", operationName: "Anyone" }),
    });
    const counted = (text: string) =>
      sampleValue(parseScrape(text), "cxhub_graphql_request_duration_seconds_count", {
        operation: "anonymous",
        status: "401",
      });
    expect(counted(await (await scrape(open)).text())).toBe(1);
    expect(
      counted(await (await scrape(guarded, { authorization: `Bearer ${token}` })).text()),
    ).toBeUndefined();
  });
});
