// What the sync engine tells the hub's metrics: the records of each committed batch and the end of
// each run as they happen (this instance's counters), and, read at each scrape, every connector's lag
// (time since its last successful sync ended) and its pending dead letters (the whole hub's state).
import type { Clock } from "../../clock.ts";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { HubMetrics, MetricSources } from "../../metrics/hub-metrics.ts";
import type { IngestCounts } from "../ingest/ingest-records.ts";

const OUTCOMES = {
  created: "created",
  updated: "updated",
  unchanged: "unchanged",
  deleted: "deleted",
  deadLettered: "dead_lettered",
  skippedStale: "skipped_stale",
} as const satisfies Record<Exclude<keyof IngestCounts, "identitiesDropped">, string>;

export function countSyncBatch(metrics: HubMetrics, connector: string, counts: IngestCounts): void {
  for (const [key, outcome] of Object.entries(OUTCOMES) as [keyof typeof OUTCOMES, string][]) {
    if (counts[key] > 0) metrics.syncRecords.inc({ connector, outcome }, counts[key]);
  }
  if (counts.deadLettered > 0) metrics.syncDeadLetters.inc({ connector }, counts.deadLettered);
}

export function countSyncRun(metrics: HubMetrics, connector: string, status: string): void {
  metrics.syncRuns.inc({ connector, status: status.toLowerCase() });
}

/**
 * The scrape-time source of sync lag and pending dead letters. `now` is the clock the runs' end
 * times are stamped with (the machine's: sync-runs.ts), not a test's standing one.
 */
export function syncStateSource(db: PrismaClient, now: Clock): MetricSources["syncState"] {
  return async () => {
    const connectors = await db.$queryRaw<Array<{ name: string; since: Date; pending: number }>>`
      SELECT c."name",
        COALESCE((SELECT max(r."finishedAt") FROM "SyncRun" r
                  WHERE r."connectorId" = c."id" AND r."status" = 'SUCCEEDED'), c."createdAt") AS since,
        (SELECT count(*) FROM "DeadLetter" d
         WHERE d."connectorId" = c."id" AND d."status" = 'PENDING')::int AS pending
      FROM "Connector" c`;
    const at = now().getTime();
    return {
      lag: connectors.map((row) => ({
        labels: { connector: row.name },
        value: Math.max(0, (at - row.since.getTime()) / 1000),
      })),
      deadLetters: connectors.map((row) => ({ labels: { connector: row.name }, value: row.pending })),
    };
  };
}
