// The registry of one hub: a gauge source that fails is counted and logged with its error, and the
// scrape still answers with everything else; each scrape reads each source once, afresh.
import { expect, test } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { createHubMetrics } from "../../src/metrics/hub-metrics.ts";

test("a failing source is counted and logged, and the scrape answers with the rest", async () => {
  const written: string[] = [];
  const logger = createLogger("info", { destination: { write: (line: string) => written.push(line) } });
  const metrics = createHubMetrics({ logger });
  let reads = 0;
  metrics.watch("alertOutbox", async () => {
    throw new Error("connection terminated unexpectedly");
  });
  metrics.watch("syncState", async () => {
    reads += 1;
    return {
      lag: [{ labels: { connector: "shop" }, value: 12 * reads }],
      deadLetters: [{ labels: { connector: "shop" }, value: 3 }],
    };
  });

  const first = await metrics.scrape();
  expect(first.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(first.body).toContain('cxhub_sync_lag_seconds{connector="shop"} 12');
  expect(first.body).toContain('cxhub_sync_dead_letters_pending{connector="shop"} 3');
  expect(first.body).toContain('cxhub_metrics_source_failures_total{source="alertOutbox"} 1');
  // Unknown, not a reassuring 0.
  expect(first.body).toMatch(/^cxhub_alert_outbox_pending nan$/im);
  // Not watched in this process: unknown too.
  expect(first.body).toMatch(/^cxhub_rescore_lag_seconds nan$/im);
  // Two gauges share the sync source: it was read once for both.
  expect(reads).toBe(1);
  const [warning] = written.map((line) => JSON.parse(line));
  expect(warning).toMatchObject({
    level: "warn",
    msg: "Metrics: reading alertOutbox failed; its gauges are empty in this scrape.",
    err: { message: "connection terminated unexpectedly" },
  });

  const second = await metrics.scrape();
  expect(second.body).toContain('cxhub_sync_lag_seconds{connector="shop"} 24');
  expect(second.body).toContain('cxhub_metrics_source_failures_total{source="alertOutbox"} 2');
});
