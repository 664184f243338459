// Pub/sub for published alerts: in-process by default, through Redis when REDIS_URL is set (the
// event target of @graphql-yoga/redis-event-target), so that an alert published by any server
// instance reaches the subscribers of every instance. Topics are scoped by owner, plus one for
// everything (admins and analysts): 10,000 subscribers do not each filter every event. Over Redis an
// event travels in its wire form (alert-event.ts), decoded and checked once per message however many
// subscribers read it; a message that is not an alert event is refused and logged, never delivered.
// The Redis bus is its own module (redis-alert-bus.ts), loaded only when Redis is configured.
import { type AlertStreamEvent, eventOwnerId } from "./alert-event.ts";

export interface AlertBus {
  /**
   * Publishes to the owner's topic and to the topic of all alerts; resolves once handed on. Events
   * published one after another, without waiting for the first to resolve, are delivered in that order.
   */
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
