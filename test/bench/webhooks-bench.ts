// The webhooks section of `npm run bench`: outgoing webhooks as the hub delivers them (events recorded
// in a transaction, the pump woken at commit, pg-boss workers posting signed requests) to a local
// node:http receiver, on a fresh PostgreSQL database. Two phases:
// - throughput: a burst of events committed 100 to a transaction; deliveries/s from the first commit
//   to the last request received (target ≥ 200/s);
// - latency: events committed one per transaction at a steady pace below that rate; for each, the
//   time from its commit to the receiver having the request (target p99 < 200 ms).
// Every delivery is checked: received once, with a webhook-id the hub recorded, and SUCCEEDED.
import { systemClock } from "../../src/clock.ts";
import { generateSecretKey } from "../../src/connectors/secret-box.ts";
import { fromPostgresUrl } from "../../src/db/database.ts";
import { recordWebhookEvents } from "../../src/domain/webhooks/webhook-events.ts";
import { startJobs } from "../../src/jobs/start-jobs.ts";
import { createLogger } from "../../src/logger.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { DEFAULT_WEBHOOK_SETTINGS } from "../../src/policy/webhook-settings.ts";
import { createWebhookEndpoint } from "../../src/webhooks/manage-endpoints.ts";
import { startWebhookReceiver } from "../webhooks/helpers/webhook-receiver.ts";
import { freshDatabase } from "./sync-bench.ts";

const WEBHOOKS_BENCH_DATABASE = "cxhub_bench_webhooks";
const BURST_EVENTS = 4000;
const BURST_BATCH = 100;
const PACED_EVENTS = 600;
const PACED_PER_SECOND = 100;

export interface WebhooksFigures {
  burst: { deliveries: number; seconds: number; perSecond: number };
  paced: { deliveries: number; perSecond: number; p50: number; p90: number; p99: number; max: number };
  failures: string[];
}

export async function runWebhooksBench(
  adminUrl: string,
  log: (line: string) => void,
): Promise<WebhooksFigures> {
  const url = await freshDatabase(adminUrl, WEBHOOKS_BENCH_DATABASE);
  const database = fromPostgresUrl(url);
  const receiver = await startWebhookReceiver();
  const settings = { ...DEFAULT_WEBHOOK_SETTINGS, allowPrivateUrls: true };
  const secretKey = generateSecretKey();
  const logger = createLogger("warn");
  const jobs = await startJobs({
    database,
    logger,
    writes: { policy: DEFAULT_SCORING_POLICY, clock: systemClock },
    sync: null,
    autoTick: false,
    webhooks: { secretKey, settings, clock: systemClock },
  });
  const failures: string[] = [];
  try {
    await createWebhookEndpoint(
      { db: database.prisma, secretKey, settings, now: systemClock() },
      { url: receiver.url, eventTypes: ["SYNC_FAILED"] },
      {
        principalId: crypto.randomUUID(),
        principalName: "Bench",
        apiKeyId: "bench",
        role: "ADMIN",
        scopes: new Set(),
      },
    );
    // Each event's runId is unique, and its payload carries it: the receiver's copy names its commit.
    const committedAt = new Map<string, number>();
    const record = async (count: number) => {
      const events = Array.from({ length: count }, () => syncFailed());
      await database.prisma.$transaction((tx) => recordWebhookEvents(tx, events, systemClock()));
      const at = performance.now();
      for (const event of events) committedAt.set(event.data.runId, at);
    };
    const runIdOf = (body: string) => (JSON.parse(body) as { data: { runId: string } }).data.runId;

    log(`  burst: ${BURST_EVENTS} events, ${BURST_BATCH} to a transaction`);
    const burstStart = performance.now();
    for (let sent = 0; sent < BURST_EVENTS; sent += BURST_BATCH) await record(BURST_BATCH);
    await receiver.waitFor(BURST_EVENTS, 120_000);
    const burstSeconds = (Math.max(...receiver.received.map((w) => w.receivedAt)) - burstStart) / 1000;
    const burst = { deliveries: BURST_EVENTS, seconds: burstSeconds, perSecond: BURST_EVENTS / burstSeconds };
    log(`    ${burst.perSecond.toFixed(0)} deliveries/s (${burstSeconds.toFixed(1)} s)`);

    log(`  paced: ${PACED_EVENTS} events, one to a transaction, ${PACED_PER_SECOND}/s`);
    const pacedFrom = receiver.received.length;
    const pacedStart = performance.now();
    // Each event is committed at its time whether or not the one before has: a steady arrival rate.
    const commits: Array<Promise<void>> = [];
    for (let i = 0; i < PACED_EVENTS; i++) {
      const due = pacedStart + (i * 1000) / PACED_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      commits.push(record(1));
    }
    await Promise.all(commits);
    await receiver.waitFor(BURST_EVENTS + PACED_EVENTS, 60_000);
    const latencies = receiver.received
      .slice(pacedFrom)
      .map((webhook) => webhook.receivedAt - (committedAt.get(runIdOf(webhook.body)) ?? Number.NaN))
      .sort((a, b) => a - b);
    const pacedSeconds = (performance.now() - pacedStart) / 1000;
    const paced = {
      deliveries: latencies.length,
      perSecond: latencies.length / pacedSeconds,
      p50: percentile(latencies, 0.5),
      p90: percentile(latencies, 0.9),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1) ?? Number.NaN,
    };
    log(`    commit → received p50 ${paced.p50.toFixed(1)} ms, p99 ${paced.p99.toFixed(1)} ms`);

    const ids = receiver.received.map((webhook) => String(webhook.headers["webhook-id"]));
    if (new Set(ids).size !== ids.length)
      failures.push(`${ids.length - new Set(ids).size} webhooks arrived twice`);
    const unknown = receiver.received.filter((webhook) => !committedAt.has(runIdOf(webhook.body))).length;
    if (unknown > 0) failures.push(`${unknown} webhooks carried an event the bench did not record`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const notSucceeded = await database.prisma.outgoingWebhookDelivery.count({
      where: { status: { not: "SUCCEEDED" } },
    });
    if (notSucceeded > 0) failures.push(`${notSucceeded} deliveries did not end SUCCEEDED`);
    if (latencies.some(Number.isNaN))
      failures.push("some paced webhooks could not be matched to their commit");
    return { burst, paced, failures };
  } finally {
    await jobs.stop();
    await receiver.close();
    await database.close();
  }
}

let sequence = 0;
function syncFailed() {
  sequence++;
  return {
    type: "SYNC_FAILED" as const,
    occurredAt: systemClock(),
    data: {
      runId: crypto.randomUUID(),
      connectorId: crypto.randomUUID(),
      connectorName: `bench-shop-${sequence % 10}`,
      trigger: "SCHEDULED",
      error: "The shop answered 503: try again later.",
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

export function formatWebhooksReport(figures: WebhooksFigures): string {
  const { burst, paced } = figures;
  const lines = [
    "Outgoing webhooks to a local receiver (one instance, pg-boss workers, PostgreSQL):",
    `  burst:  ${burst.deliveries} deliveries in ${burst.seconds.toFixed(1)} s = ${burst.perSecond.toFixed(0)} deliveries/s (target ≥ 200/s)`,
    `  paced:  ${paced.deliveries} events at ${paced.perSecond.toFixed(0)}/s, commit → received p50 ${paced.p50.toFixed(1)} ms, p90 ${paced.p90.toFixed(1)} ms, p99 ${paced.p99.toFixed(1)} ms, max ${paced.max.toFixed(1)} ms (target p99 < 200 ms)`,
  ];
  if (figures.failures.length) lines.push(`  Failures: ${figures.failures.join("; ")}`);
  return lines.join("\n");
}
