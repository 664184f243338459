// Pub/sub for published alerts: in-process by default, through Redis when REDIS_URL is set (the
// event target of @graphql-yoga/redis-event-target), so that an alert published by any server
// instance reaches the subscribers of every instance. Topics are scoped by owner, plus one for
// everything (admins and analysts): 10,000 subscribers do not each filter every event. Over Redis an
// event travels in its wire form (alert-event.ts), decoded and checked once per message however many
// subscribers read it; a message that is not an alert event is refused and logged, never delivered.
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { Redis } from "ioredis";
import { redactDatabaseUrl } from "../config.ts";
import { StartupError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import {
  type AlertStreamEvent,
  alertEventSchema,
  decodeAlertEvent,
  encodeAlertEvent,
  eventOwnerId,
} from "./alert-event.ts";

export interface AlertBus {
  /** Publishes to the owner's topic and to the topic of all alerts; resolves once handed on. */
  publish(event: AlertStreamEvent): Promise<void>;
  /** Calls onEvent for each event of the topic; resolves, once listening is in force, to a stop function. */
  listen(topic: string, onEvent: (event: AlertStreamEvent) => void): Promise<() => void>;
  close(): Promise<void>;
}

export const ALL_ALERTS_TOPIC = "alerts:all";
export const ownerAlertsTopic = (ownerId: string) => `alerts:owner:${ownerId}`;

/** The topics an event goes to: its customer's current owner's (a digest's owner's), and everyone's. */
export function topicsOf(event: AlertStreamEvent): string[] {
  const owner = eventOwnerId(event);
  return owner ? [ownerAlertsTopic(owner), ALL_ALERTS_TOPIC] : [ALL_ALERTS_TOPIC];
}

export function createLocalAlertBus(): AlertBus {
  const listeners = new Map<string, Set<(event: AlertStreamEvent) => void>>();
  return {
    async publish(event) {
      for (const topic of topicsOf(event)) {
        for (const listener of listeners.get(topic) ?? []) listener(event);
      }
    },
    async listen(topic, onEvent) {
      const set = listeners.get(topic) ?? new Set();
      listeners.set(topic, set);
      set.add(onEvent);
      return () => {
        set.delete(onEvent);
        if (set.size === 0) listeners.delete(topic);
      };
    },
    async close() {
      listeners.clear();
    },
  };
}

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
      // once Redis has taken it.
      for (const topic of topicsOf(event)) await publishClient.publish(channel(topic), message);
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
