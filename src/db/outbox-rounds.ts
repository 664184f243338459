// The wake-up loop of an outbox worker (the alert dispatcher, the webhook pump): a round runs on a
// notification that rows were committed, on a slow poll (a missed notification, a worker that died
// mid-round), and once at start for rows left from before. Rounds never overlap: a wake-up during one
// asks for one more round after it, however many came.
import type { Logger } from "../logger.ts";
import type { Listen } from "./notifications.ts";

export interface OutboxRoundsOptions {
  listen: Listen;
  /** The pg_notify channel the committing transactions notify. */
  channel: string;
  pollIntervalMs: number;
  logger: Logger;
  /** One round; `stopped()` says when to end early. Its errors are the round's to report. */
  round: (stopped: () => boolean) => Promise<void>;
}

export interface OutboxRounds {
  /** Runs a round now (or one more after the current one); resolves when the current run ends. */
  wake(): Promise<void>;
  /** Stops listening and polling, and waits for the round in progress. */
  stop(): Promise<void>;
}

export async function startOutboxRounds(options: OutboxRoundsOptions): Promise<OutboxRounds> {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const isStopped = () => stopped;

  const runRounds = async () => {
    do {
      again = false;
      await options.round(isStopped);
    } while (again && !stopped);
  };

  const wake = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = runRounds().finally(() => {
      running = null;
    });
    return running;
  };

  const unlisten = await options.listen(options.channel, () => void wake(), {
    onReconnect: () => void wake(),
    logger: options.logger,
  });
  const poll = setInterval(() => void wake(), options.pollIntervalMs);
  poll.unref();
  void wake();

  return {
    wake,
    async stop() {
      stopped = true;
      clearInterval(poll);
      await unlisten();
      await running;
    },
  };
}
