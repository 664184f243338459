// The running parts of live alerts in one server process: the bus (in-process, or Redis when
// configured), the outbox dispatcher that publishes committed alerts to it, and the feed of score
// changes. Started with the server, stopped with it; subscriptions reach them through the context.
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import type { HubMetrics } from "../metrics/hub-metrics.ts";
import { type AlertBus, createLocalAlertBus } from "./alert-bus.ts";
import { alertOutboxSource } from "./alert-metrics.ts";
import { type AlertDispatcher, startAlertDispatcher } from "./dispatch-alerts.ts";
import { type ScoreChangeFeed, startScoreChangeFeed } from "./score-change-feed.ts";
import { type SegmentEntryFeed, startSegmentEntryFeed } from "./segment-entry-feed.ts";

export interface LiveAlerts {
  bus: AlertBus;
  dispatcher: AlertDispatcher;
  scoreChanges: ScoreChangeFeed;
  /** Customers entering segments (segmentEntered, and the internal event for webhooks). */
  segmentEntries: SegmentEntryFeed;
  close(): Promise<void>;
}

export interface LiveAlertsOptions {
  database: Pick<Database, "prisma" | "listen">;
  logger: Logger;
  /** Redis for pub/sub across server instances; in-process when omitted. */
  redis?: { url: string; channelPrefix: string };
  /** How often the dispatcher looks for unpublished alerts without being woken. */
  pollIntervalMs?: number;
  /** The hub's metrics: publications, their lag, the outbox (alert-metrics.ts). */
  metrics?: HubMetrics;
}

export async function startLiveAlerts({
  database,
  logger,
  redis,
  pollIntervalMs,
  metrics,
}: LiveAlertsOptions): Promise<LiveAlerts> {
  const bus = redis
    ? await import("./redis-alert-bus.ts").then(({ createRedisAlertBus }) =>
        createRedisAlertBus({ ...redis, logger }),
      )
    : createLocalAlertBus();
  const dispatcher = await startAlertDispatcher({ database, bus, logger, pollIntervalMs, metrics });
  metrics?.watch("alertOutbox", alertOutboxSource(database.prisma));
  const scoreChanges = await startScoreChangeFeed(database.listen, { logger });
  const segmentEntries = await startSegmentEntryFeed(database.listen, { logger });
  return {
    bus,
    dispatcher,
    scoreChanges,
    segmentEntries,
    async close() {
      await dispatcher.stop();
      await scoreChanges.close();
      await segmentEntries.close();
      await bus.close();
    },
  };
}
