// Outgoing webhooks on the job engine. A pump claims the due deliveries (src/webhooks/deliver-webhooks.ts:
// the delivery row is the outbox and the claim its lock) and hands each to pg-boss as a job; workers on
// any instance take the jobs and make the attempts, many at once, since an attempt mostly waits on the
// network. The pump wakes at the commit of new deliveries (pg_notify from recordWebhookEvents and
// replays) and polls for retries that came due and claims whose lease passed.
//
// pg-boss does not retry these jobs: the delivery row holds the attempt count and the schedule, by
// the hub's clock, and a job lost with its instance leaves a claim whose lease passes and is taken again.
// So a worker's job ends once its attempts have started, not finished: the worker fetches the next
// jobs at once instead of waiting for its slowest receiver, and a bound on the attempts in flight
// (maxInFlight) is what holds it back.
import type { Database } from "../db/database.ts";
import { describeError } from "../db/database-errors.ts";
import { startOutboxRounds } from "../db/outbox-rounds.ts";
import { WEBHOOKS_CHANNEL } from "../domain/webhooks/webhook-events.ts";
import type { Logger } from "../logger.ts";
import {
  attemptDeliveries,
  type ClaimedDelivery,
  claimDueDeliveries,
  type DeliveryDeps,
} from "../webhooks/deliver-webhooks.ts";
import { type JobEngine, QUEUES } from "./job-engine.ts";

export interface WebhookJobsOptions extends Omit<DeliveryDeps, "db"> {
  database: Pick<Database, "prisma" | "listen" | "kind">;
  engine: JobEngine;
  logger: Logger;
  /** How often the pump looks for retries come due; default 1 s. */
  pollIntervalMs?: number;
  /** Deliveries one claim takes; default 100. */
  claimBatch?: number;
  /** Jobs a worker takes at once; default 25. */
  workerBatch?: number;
  /** Attempts in flight at once in this process; default 200. */
  maxInFlight?: number;
}

export interface WebhookJobs {
  /** Claims due deliveries and queues them now; resolves when this round ends. */
  wake(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWebhookJobs(options: WebhookJobsOptions): Promise<WebhookJobs> {
  const { database, engine, logger } = options;
  const { boss } = engine;
  const deps: DeliveryDeps = { ...options, db: database.prisma };
  const claimBatch = options.claimBatch ?? 100;
  const workerBatch = options.workerBatch ?? 25;
  const inFlight = createInFlightLimit(options.maxInFlight ?? 200);
  const workers: string[] = [];

  // Two workers on PostgreSQL, so one's database writes overlap the other's network waits; the
  // embedded database runs one statement at a time anyway.
  for (let i = 0; i < (database.kind === "pglite" ? 1 : 2); i++) {
    workers.push(
      await boss.work<ClaimedDelivery>(
        QUEUES.webhook,
        { pollingIntervalSeconds: 1, batchSize: workerBatch },
        async (jobs) => {
          // A full batch means more are waiting: without this, pg-boss polls again only after its interval.
          if (jobs.length === workerBatch) for (const id of workers) boss.notifyWorker(id);
          await inFlight.start(jobs.length, () =>
            attemptDeliveries(
              deps,
              jobs.map((job) => job.data),
            ).catch((error: unknown) => {
              // The claims stay SENDING and are taken again when their lease passes.
              logger.error(
                `Webhook deliveries ${jobs.map((job) => job.data.id).join(", ")} could not be attempted: ${describeError(error)}`,
              );
            }),
          );
        },
      ),
    );
  }

  const rounds = await startOutboxRounds({
    listen: database.listen,
    channel: WEBHOOKS_CHANNEL,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    logger,
    round: async (stopped) => {
      try {
        while (!stopped()) {
          const claimed = await claimDueDeliveries(deps, claimBatch);
          if (claimed.length === 0) break;
          await boss.insert(claimed.map((data) => ({ name: QUEUES.webhook, data, retryLimit: 0 })));
          for (const id of workers) boss.notifyWorker(id);
          if (claimed.length < claimBatch) break;
        }
      } catch (error) {
        // Claimed rows whose jobs were not queued are taken again when their lease passes.
        if (!stopped())
          logger.error(
            `Queueing webhook deliveries failed, retrying on the next poll: ${describeError(error)}`,
          );
      }
    },
  });

  return {
    wake: rounds.wake,
    async stop() {
      await rounds.stop();
      for (const id of workers) await boss.offWork({ id });
      await inFlight.drained();
    },
  };
}

/** At most `max` attempts running at once; `start` waits for room, then starts the work without waiting for it. */
function createInFlightLimit(max: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  const tasks = new Set<Promise<unknown>>();
  return {
    async start(count: number, work: () => Promise<unknown>): Promise<void> {
      // A batch larger than the limit runs alone rather than never.
      while (running > 0 && running + count > max)
        await new Promise<void>((resolve) => waiting.push(resolve));
      running += count;
      const task = work().finally(() => {
        running -= count;
        tasks.delete(task);
        for (const wake of waiting.splice(0)) wake();
      });
      tasks.add(task);
    },
    async drained(): Promise<void> {
      await Promise.all([...tasks]);
    },
  };
}
