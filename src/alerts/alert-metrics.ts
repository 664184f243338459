// What live alerts tell the hub's metrics: each publication and its lag, from the alert's (or
// digest's) creation in the raising transaction to its publication by the dispatcher; and, read at
// each scrape, the outbox: how many committed alerts wait to be published and for how long. Both
// instants are the database's clock_timestamp() (raise-alerts.ts, dispatch-alerts.ts), so the lag
// is measured on one clock, whatever the hub's clock says.
import type { Db } from "../db/database.ts";
import type { HubMetrics, MetricSources } from "../metrics/hub-metrics.ts";
import { type AlertStreamEvent, isDigestEvent } from "./alert-event.ts";

export function countPublication(metrics: HubMetrics, event: AlertStreamEvent): void {
  const kind = isDigestEvent(event) ? "digest" : "alert";
  const row = isDigestEvent(event) ? event.digest : event.alert;
  metrics.alertsPublished.inc({ kind });
  if (row.publishedAt) {
    metrics.alertDispatchLag.observe(
      { kind },
      Math.max(0, (row.publishedAt.getTime() - row.createdAt.getTime()) / 1000),
    );
  }
}

export function alertOutboxSource(db: Db): MetricSources["alertOutbox"] {
  return async () => {
    const [row] = await db.$queryRaw<Array<{ pending: number; oldest: number | null }>>`
      WITH waiting AS (
        SELECT "createdAt" FROM "Alert" WHERE "publishedAt" IS NULL AND "digestId" IS NULL
        UNION ALL
        SELECT "createdAt" FROM "AlertDigest" WHERE "publishedAt" IS NULL
      )
      SELECT count(*)::int AS pending,
        EXTRACT(EPOCH FROM clock_timestamp() - min("createdAt"))::float8 AS oldest
      FROM waiting`;
    return { pending: row?.pending ?? 0, oldestSeconds: Math.max(0, row?.oldest ?? 0) };
  };
}
