// What the job engine tells the hub's metrics: each scheduled rescore slice as it is worked (this
// instance's counters), and, read at each scrape, the queues (jobs waiting and active, and how long
// the oldest due job has waited) and how far scheduled rescoring lags behind the hub's clock.
import type { Clock } from "../clock.ts";
import type { HubMetrics, MetricSources } from "../metrics/hub-metrics.ts";
import { JOB_SCHEMA, type JobEngine, QUEUES } from "./job-engine.ts";
import type { SliceResult } from "./rescore-slices.ts";

/** Works a slice, counting it as committed (with its customers and time) or failed. */
export async function countSlice(
  metrics: HubMetrics | undefined,
  work: () => Promise<SliceResult>,
): Promise<SliceResult> {
  if (!metrics) return work();
  const started = performance.now();
  try {
    const result = await work();
    metrics.rescoreSlices.inc({ result: "committed" });
    metrics.rescoredCustomers.inc(result.rescored);
    metrics.rescoreSliceDuration.observe((performance.now() - started) / 1000);
    return result;
  } catch (error) {
    metrics.rescoreSlices.inc({ result: "failed" });
    throw error;
  }
}

/**
 * Jobs per queue, one statement through pg-boss's own partial index (rather than getQueueSize per
 * queue, which tells neither the active jobs nor the age). The wait is measured with the database's
 * now(), the clock pg-boss stamps its jobs with.
 */
export function jobQueuesSource(engine: JobEngine): MetricSources["jobQueues"] {
  const names = Object.values(QUEUES);
  return async () => {
    const { rows } = await engine.sql.executeSql(
      `SELECT name,
         count(*) FILTER (WHERE state < 'active')::int AS waiting,
         count(*) FILTER (WHERE state = 'active')::int AS active,
         EXTRACT(EPOCH FROM now() - min(start_after) FILTER (WHERE state < 'active' AND start_after <= now()))::float8 AS lag
       FROM ${JOB_SCHEMA}.job WHERE name = ANY($1::text[]) AND state <= 'active' GROUP BY name`,
      [names],
    );
    const byName = new Map(
      (rows as Array<{ name: string; waiting: number; active: number; lag: number | null }>).map((row) => [
        row.name,
        row,
      ]),
    );
    return {
      jobs: names.flatMap((queue) => [
        { labels: { queue, state: "waiting" }, value: byName.get(queue)?.waiting ?? 0 },
        { labels: { queue, state: "active" }, value: byName.get(queue)?.active ?? 0 },
      ]),
      lag: names.map((queue) => ({ labels: { queue }, value: Math.max(0, byName.get(queue)?.lag ?? 0) })),
    };
  };
}

/**
 * Seconds from the instant the last finished scheduled run (rescore or refit) scored everyone as of,
 * to the hub's clock now: the age of the oldest scheduled score. No sample before a run has finished.
 */
export function rescoreLagSource(engine: JobEngine, now: Clock): MetricSources["rescoreLag"] {
  return async () => {
    const { rows } = await engine.sql.executeSql(
      `SELECT max((data->>'asOf')::timestamptz) AS as_of FROM (
         SELECT data FROM ${JOB_SCHEMA}.job WHERE name = $1 AND state = 'completed'
         UNION ALL
         SELECT data FROM ${JOB_SCHEMA}.archive WHERE name = $1 AND state = 'completed'
       ) runs`,
      [QUEUES.run],
    );
    const asOf = rows[0]?.as_of;
    if (asOf === null || asOf === undefined) return [];
    const seconds = (now().getTime() - new Date(asOf as string | Date).getTime()) / 1000;
    return [{ labels: {}, value: Math.max(0, seconds) }];
  };
}
