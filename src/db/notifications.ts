// LISTEN for PostgreSQL notifications (pg_notify), which PostgreSQL delivers only when the sending
// transaction commits: the embedded database through PGlite's own listen, PostgreSQL through one
// dedicated connection per channel that reconnects when it drops. Notifications sent while that
// connection was down are lost, so `onReconnect` tells the listener to catch up by other means.
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { Logger } from "../logger.ts";

export interface ListenOptions {
  /** Called when the connection is lost: notifications sent from now until onReconnect are missed. */
  onLost?: () => void;
  /** Called after a lost connection was re-established (notifications may have been missed). */
  onReconnect?: () => void;
  logger?: Logger;
}

/** Starts listening; resolves once the LISTEN is in force, to a function that stops it. */
export type Listen = (
  channel: string,
  onNotification: (payload: string) => void,
  options?: ListenOptions,
) => Promise<() => Promise<void>>;

export function listenWithPGlite(pglite: PGlite): Listen {
  return async (channel, onNotification) => {
    const unlisten = await pglite.listen(channel, onNotification);
    return async () => {
      // Closing the database ends its listeners too; unlistening a closed one would throw.
      if (!pglite.closed) await unlisten();
    };
  };
}

const RECONNECT_DELAY_MS = 1000;

export function listenWithPostgres(url: string): Listen {
  return async (channel, onNotification, options = {}) => {
    let stopped = false;
    let client: pg.Client | null = null;
    let retry: NodeJS.Timeout | undefined;

    const connect = async (): Promise<void> => {
      const next = new pg.Client({ connectionString: url });
      next.on("notification", (message) => {
        if (message.channel === channel) onNotification(message.payload ?? "");
      });
      next.on("error", (error) => {
        options.logger?.warn(`The LISTEN connection for ${channel} failed (${error.message}); reconnecting.`);
        if (client === next) options.onLost?.();
        void next.end().catch(() => undefined); // It is already broken; ending it only frees it.
        scheduleReconnect();
      });
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
      client = next;
    };

    const scheduleReconnect = () => {
      if (stopped || retry) return;
      client = null;
      retry = setTimeout(() => {
        retry = undefined;
        connect().then(
          () => options.onReconnect?.(),
          (error: Error) => {
            options.logger?.warn(`Cannot listen on ${channel} yet (${error.message}); retrying.`);
            scheduleReconnect();
          },
        );
      }, RECONNECT_DELAY_MS);
      retry.unref();
    };

    await connect();
    return async () => {
      stopped = true;
      clearTimeout(retry);
      await client?.end();
    };
  };
}
