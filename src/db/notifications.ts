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
/**
 * A connection can die without an error (a NAT drops it, the server fails over): the socket then
 * stays open and silent. Every HEARTBEAT_MS the listener notifies itself on its own channel; a
 * heartbeat not back within HEARTBEAT_TIMEOUT_MS means the connection is lost.
 */
const HEARTBEAT_MS = 15_000;
const HEARTBEAT_TIMEOUT_MS = 10_000;
/** The payload of a heartbeat, never forwarded: application payloads are ids, key prefixes or empty. */
export const HEARTBEAT_PAYLOAD = "cxhub-listen-heartbeat";

export function listenWithPostgres(
  url: string,
  timing: { heartbeatMs?: number; heartbeatTimeoutMs?: number } = {},
): Listen {
  const heartbeatMs = timing.heartbeatMs ?? HEARTBEAT_MS;
  const heartbeatTimeoutMs = timing.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
  return async (channel, onNotification, options = {}) => {
    let stopped = false;
    let client: pg.Client | null = null;
    let retry: NodeJS.Timeout | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    let awaitingHeartbeat: NodeJS.Timeout | undefined;

    const lose = (connection: pg.Client, why: string) => {
      if (client !== connection) return;
      options.logger?.warn(`The LISTEN connection for ${channel} failed (${why}); reconnecting.`);
      options.onLost?.();
      void connection.end().catch(() => undefined); // It is already broken; ending it only frees it.
      scheduleReconnect();
    };

    const beat = (connection: pg.Client) => {
      if (client !== connection || awaitingHeartbeat) return;
      awaitingHeartbeat = setTimeout(() => {
        awaitingHeartbeat = undefined;
        lose(connection, `no heartbeat within ${heartbeatTimeoutMs} ms`);
      }, heartbeatTimeoutMs);
      awaitingHeartbeat.unref();
      connection
        .query("SELECT pg_notify($1, $2)", [channel, HEARTBEAT_PAYLOAD])
        .catch((error: Error) => lose(connection, error.message));
    };

    const connect = async (): Promise<void> => {
      // Named, so that an operator sees what it is in pg_stat_activity.
      const next = new pg.Client({
        connectionString: url,
        keepAlive: true,
        application_name: `cxhub listen ${channel}`.slice(0, 63),
      });
      next.on("notification", (message) => {
        if (message.channel !== channel) return;
        if (message.payload === HEARTBEAT_PAYLOAD) {
          clearTimeout(awaitingHeartbeat);
          awaitingHeartbeat = undefined;
          return;
        }
        onNotification(message.payload ?? "");
      });
      next.on("error", (error) => lose(next, error.message));
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
      client = next;
      clearInterval(heartbeat);
      heartbeat = setInterval(() => beat(next), heartbeatMs);
      heartbeat.unref();
    };

    const scheduleReconnect = () => {
      if (stopped || retry) return;
      client = null;
      clearInterval(heartbeat);
      clearTimeout(awaitingHeartbeat);
      awaitingHeartbeat = undefined;
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
      clearInterval(heartbeat);
      clearTimeout(awaitingHeartbeat);
      await client?.end();
    };
  };
}
