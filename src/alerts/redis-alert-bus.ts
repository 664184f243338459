// The alert bus over Redis (see alert-bus.ts): an alert published by any server instance reaches the
// subscribers of every instance. Loaded only when REDIS_URL is set, so a hub without Redis does not
// hold ioredis in memory.
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { Redis } from "ioredis";
import { redactDatabaseUrl } from "../config.ts";
import { StartupError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { type AlertBus, topicsOf } from "./alert-bus.ts";
import {
  type AlertStreamEvent,
  alertEventSchema,
  decodeAlertEvent,
  encodeAlertEvent,
} from "./alert-event.ts";

export interface RedisAlertBusOptions {
  url: string;
  /** Prepended to every channel, so that several hubs (or test runs) can share one Redis. */
  channelPrefix: string;
  logger: Logger;
}

/** Connects both Redis clients first, so a wrong REDIS_URL fails start-up instead of the first alert. */
export async function createRedisAlertBus({
  url,
  channelPrefix,
  logger,
}: RedisAlertBusOptions): Promise<AlertBus> {
  const connect = async (role: string) => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    // The socket's own error says why ("connect ECONNREFUSED …"); connect() only says it closed.
    let cause: Error | null = null;
    const remember = (error: Error) => {
      cause ??= error;
    };
    client.on("error", remember);
    try {
      await client.connect();
    } catch (error) {
      client.disconnect(); // Or it keeps retrying in the background and the process never exits.
      throw new StartupError(
        `Cannot connect to Redis at ${redactDatabaseUrl(url)} (${(cause ?? (error as Error)).message}): start Redis or correct REDIS_URL.`,
      );
    }
    client.off("error", remember);
    // Once connected, ioredis reconnects by itself; say so rather than crash on a blip.
    client.on("error", (error: Error) => logger.warn(`Redis (${role}): ${error.message}`));
    return client;
  };
  const publishClient = await connect("publish");
  const subscribeClient = await connect("subscribe");
  // A refused message becomes an event without detail, which the listeners below skip. Thrown here,
  // the error would be uncaught (ioredis emits messages with no caller to catch it): the process ends.
  const parse = (message: string): AlertStreamEvent | null => {
    const decoded = decodeAlertEvent(message);
    if ("event" in decoded) return decoded.event;
    logger.error(
      `A message on this hub's Redis alert channels (prefix ${channelPrefix}) was refused, not delivered: ${decoded.refused}. Every instance sharing CXHUB_REDIS_CHANNEL_PREFIX must run the same version of the hub, and nothing else may publish there.`,
    );
    return null;
  };
  const target = createRedisEventTarget<CustomEvent<AlertStreamEvent | null>>({
    publishClient,
    subscribeClient,
    // The target's own dispatch is not used (publish awaits Redis itself), but would check too.
    serializer: { stringify: (value) => encodeAlertEvent(alertEventSchema.parse(value)), parse },
  });
  const channel = (topic: string) => `${channelPrefix}${topic}`;
  return {
    async publish(event) {
      const message = encodeAlertEvent(event);
      // Awaited, unlike the event target's own dispatch: the outbox marks an alert published only
      // once Redis has taken it. Sent at once, each topic's and each event's: one connection carries
      // them in the order they were called (Redis runs one client's commands in order), pipelined.
      await Promise.all(topicsOf(event).map((topic) => publishClient.publish(channel(topic), message)));
    },
    async listen(topic, onEvent) {
      const listener = (event: CustomEvent<AlertStreamEvent | null>) => {
        if (event.detail) onEvent(event.detail);
      };
      target.addEventListener(channel(topic), listener);
      // The event target subscribes without waiting; subscribing again (a no-op for Redis) on the
      // same connection resolves only once both are in force, so a replay that follows misses nothing.
      await subscribeClient.subscribe(channel(topic));
      return () => target.removeEventListener(channel(topic), listener);
    },
    async close() {
      subscribeClient.disconnect();
      await publishClient.quit();
    },
  };
}
