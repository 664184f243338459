// The hub's Prometheus metrics: one registry per hub instance (tests run several hubs in one process,
// so nothing goes to prom-client's global registry). Two kinds:
// - counters and histograms the running code records as things happen (requests, sync batches and
//   runs, published alerts, rescore slices): what this instance did since it started;
// - gauges read when /metrics is scraped, from sources the parts of the hub register once they run:
//   this instance's database pools, and the whole hub's job queues, lags, dead letters and outbox.
// A source that fails is counted and logged, and the scrape answers with everything else (its
// gauges without labels read NaN, those with labels have no series).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Logger } from "../logger.ts";

/** One value of a gauge read from a source, with its labels. */
export interface Sample<L extends string = string> {
  labels: Partial<Record<L, string>>;
  value: number;
}

/** One database pool's connections: open, idle, and queries waiting for one (when the driver tells). */
export interface PoolCounts {
  pool: string;
  total: number;
  idle?: number;
  waiting?: number;
}

/** What each scrape-time source reads. */
export interface MetricSources {
  databasePool: () => Promise<PoolCounts[]>;
  /** Jobs per queue and state (waiting, active); lag: the oldest due job's wait, per queue. */
  jobQueues: () => Promise<{ jobs: Sample<"queue" | "state">[]; lag: Sample<"queue">[] }>;
  /** Seconds since the instant the last finished scheduled rescore (or refit) scored everyone as of. */
  rescoreLag: () => Promise<Sample[]>;
  /** Per connector: seconds since its last successful sync ended; pending dead letters. */
  syncState: () => Promise<{ lag: Sample<"connector">[]; deadLetters: Sample<"connector">[] }>;
  /** Alerts and digests committed and not yet published, and the oldest one's age. */
  alertOutbox: () => Promise<{ pending: number; oldestSeconds: number }>;
}

export interface HubMetrics {
  registry: Registry;
  requestDuration: Histogram<"operation" | "status">;
  syncRuns: Counter<"connector" | "status">;
  syncRecords: Counter<"connector" | "outcome">;
  syncDeadLetters: Counter<"connector">;
  alertsPublished: Counter<"kind">;
  alertDispatchLag: Histogram<"kind">;
  rescoreSlices: Counter<"result">;
  rescoredCustomers: Counter;
  rescoreSliceDuration: Histogram;
  /** Registers (or replaces) the source a scrape reads for these gauges. */
  watch<K extends keyof MetricSources>(name: K, source: MetricSources[K]): void;
  /** The metrics in Prometheus's text format, and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LONG_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function createHubMetrics({ logger }: { logger: Logger }): HubMetrics {
  const registry = new Registry();
  // The process's own: CPU, memory, event-loop lag, handles (process_* and nodejs_*).
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const sources: Partial<MetricSources> = {};
  const sourceFailures = new Counter({
    name: "cxhub_metrics_source_failures_total",
    help: "Scrapes in which a source of gauges failed (the log says why); its gauges were left empty.",
    labelNames: ["source"],
    registers,
  });

  // Reads a source once per scrape, shared by the gauges it feeds.
  const reads = new Map<keyof MetricSources, Promise<unknown>>();
  const read = async <K extends keyof MetricSources>(
    name: K,
  ): Promise<Awaited<ReturnType<MetricSources[K]>> | null> => {
    const source = sources[name];
    if (!source) return null;
    let pending = reads.get(name);
    if (!pending) {
      pending = source().catch((error: unknown) => {
        sourceFailures.inc({ source: name });
        logger.warn(`Metrics: reading ${name} failed; its gauges are empty in this scrape.`, error);
        return null;
      });
      reads.set(name, pending);
    }
    return (await pending) as Awaited<ReturnType<MetricSources[K]>> | null;
  };
  // A gauge without labels always shows a value: NaN, not a reassuring 0, when its source failed,
  // is not watched in this process, or has nothing to say yet (no rescore run has finished).
  const fill = <L extends string>(gauge: Gauge<L>, labelled: boolean, samples: Sample<L>[] | undefined) => {
    gauge.reset();
    for (const sample of samples ?? []) gauge.set(sample.labels, sample.value);
    if (!labelled && !samples?.length) gauge.set(Number.NaN);
  };
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    samples: () => Promise<Sample<L>[] | undefined>,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        fill(this, labelNames.length > 0, await samples());
      },
    });

  gauge(
    "cxhub_db_pool_connections",
    "Database connections by pool (prisma: requests and writes; jobs: the job engine) and state (total, idle, waiting: queries waiting for a connection). The embedded database has one connection and shows only its total.",
    ["pool", "state"],
    async () =>
      (await read("databasePool"))?.flatMap(({ pool, ...counts }) =>
        Object.entries(counts).map(([state, value]) => ({ labels: { pool, state }, value })),
      ),
  );
  gauge(
    "cxhub_job_queue_jobs",
    "Jobs on the job engine's queues by state: waiting (due or scheduled later, not started) and active.",
    ["queue", "state"],
    async () => (await read("jobQueues"))?.jobs,
  );
  gauge(
    "cxhub_job_queue_lag_seconds",
    "How long the oldest due job of each queue has waited to start; 0 when none waits.",
    ["queue"],
    async () => (await read("jobQueues"))?.lag,
  );
  gauge(
    "cxhub_rescore_lag_seconds",
    "Seconds from the instant the last finished scheduled rescore or refit scored every customer as of, to now.",
    [],
    async () => (await read("rescoreLag")) ?? undefined,
  );
  gauge(
    "cxhub_sync_lag_seconds",
    "Per connector: seconds since its last successful sync ended (since it was installed, when none has).",
    ["connector"],
    async () => (await read("syncState"))?.lag,
  );
  gauge(
    "cxhub_sync_dead_letters_pending",
    "Per connector: dead letters waiting to be replayed or discarded.",
    ["connector"],
    async () => (await read("syncState"))?.deadLetters,
  );
  gauge(
    "cxhub_alert_outbox_pending",
    "Alerts and digests committed and not yet published to subscribers.",
    [],
    async () => {
      const outbox = await read("alertOutbox");
      return outbox ? [{ labels: {}, value: outbox.pending }] : undefined;
    },
  );
  gauge(
    "cxhub_alert_outbox_oldest_seconds",
    "Age of the oldest alert or digest waiting to be published; 0 when none waits.",
    [],
    async () => {
      const outbox = await read("alertOutbox");
      return outbox ? [{ labels: {}, value: outbox.oldestSeconds }] : undefined;
    },
  );

  return {
    registry,
    requestDuration: new Histogram({
      name: "cxhub_graphql_request_duration_seconds",
      help: "GraphQL HTTP requests by operation name (anonymous, or other past the first 100 names) and status code, from arrival to response.",
      labelNames: ["operation", "status"],
      buckets: SECONDS,
      registers,
    }),
    syncRuns: new Counter({
      name: "cxhub_sync_runs_total",
      help: "Sync runs this instance ran to their end, per connector and final status.",
      labelNames: ["connector", "status"],
      registers,
    }),
    syncRecords: new Counter({
      name: "cxhub_sync_records_total",
      help: "Records synced by this instance, per connector and outcome (created, updated, unchanged, deleted, dead_lettered, skipped_stale).",
      labelNames: ["connector", "outcome"],
      registers,
    }),
    syncDeadLetters: new Counter({
      name: "cxhub_sync_dead_letters_total",
      help: "Records this instance's syncs refused into the dead-letter store, per connector.",
      labelNames: ["connector"],
      registers,
    }),
    alertsPublished: new Counter({
      name: "cxhub_alerts_published_total",
      help: "Alerts and digests this instance published to subscribers.",
      labelNames: ["kind"],
      registers,
    }),
    alertDispatchLag: new Histogram({
      name: "cxhub_alert_dispatch_lag_seconds",
      help: "From an alert's (or digest's) creation in its raising transaction to its publication, by the database's clock.",
      labelNames: ["kind"],
      buckets: LONG_SECONDS,
      registers,
    }),
    rescoreSlices: new Counter({
      name: "cxhub_rescore_slices_total",
      help: "Scheduled rescore slices this instance worked, by result (committed, failed: retried).",
      labelNames: ["result"],
      registers,
    }),
    rescoredCustomers: new Counter({
      name: "cxhub_rescored_customers_total",
      help: "Customers rescored by this instance's scheduled rescore slices.",
      registers,
    }),
    rescoreSliceDuration: new Histogram({
      name: "cxhub_rescore_slice_duration_seconds",
      help: "Time one scheduled rescore slice took, its transaction included.",
      buckets: LONG_SECONDS,
      registers,
    }),
    watch(name, source) {
      sources[name] = source;
    },
    async scrape() {
      reads.clear();
      try {
        // Every source read before the text is written, so that a failure is counted in this scrape.
        await Promise.all((Object.keys(sources) as (keyof MetricSources)[]).map((name) => read(name)));
        return { contentType: registry.contentType, body: await registry.metrics() };
      } finally {
        reads.clear();
      }
    },
  };
}
