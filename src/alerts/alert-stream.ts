// One subscriber's stream of churn-risk alerts (and of digests, each standing for many alerts one
// transaction raised for one owner): live from the bus, filtered to what the viewer may see and asked
// for, and, given a `since` cursor, first every stored alert and digest published after it, so that
// nothing is lost across a reconnect.
//
// The order matters: listen first (buffering), then read the stored alerts under the stream lock
// held shared (so no publication is half-done: anything published before it is committed and read,
// anything after it arrives live), then hand over to live events, dropping any at or before the last
// position already given and any alert id already given (a republish after a crashed dispatcher).
import type { Viewer } from "../auth/api-keys.ts";
import { canSeeCustomer, visibleCustomers } from "../auth/visibility.ts";
import type { Database } from "../db/database.ts";
import { ConflictError } from "../domain/errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { ALERT_LEVELS, type AlertLevel } from "../policy/alert-policy-settings.ts";
import { startWith } from "../streams/async-iterators.ts";
import { createAsyncQueue } from "../streams/async-queue.ts";
import { ALL_ALERTS_TOPIC, type AlertBus, ownerAlertsTopic } from "./alert-bus.ts";
import { type AlertStreamEvent, eventId, isDigestEvent } from "./alert-event.ts";
import { ALERT_STREAM_LOCK } from "./dispatch-alerts.ts";

/** MINE: alerts of customers the viewer owns; ALL: every alert (not for account managers). */
export type AlertScope = "MINE" | "ALL";

export interface AlertStreamOptions {
  prisma: Database["prisma"];
  bus: AlertBus;
  viewer: Viewer;
  scope: AlertScope;
  minimumLevel: AlertLevel;
  /** Replay the alerts published after this position before going live. */
  since?: bigint;
}

export type AlertStreamItem = AlertStreamEvent & {
  /** true for an alert or digest read from storage after `since`, false for one that arrived live. */
  replayed: boolean;
};

/** More than this to replay is a page to load with the alerts query, not a stream to catch up. */
export const MAX_REPLAY = 1000;
/**
 * The most live alerts that may wait for one subscriber (a dispatcher batch is 200). A subscriber
 * further behind is not reading (a stalled connection, a network slower than the alerts): its stream
 * ends with a SlowConsumerError, and it resubscribes with `since` its last cursor. Half of MAX_REPLAY,
 * so that the alerts it missed, and those published while it reconnects, replay in one go.
 */
export const MAX_LIVE_BACKLOG = MAX_REPLAY / 2;
const REMEMBERED_IDS = 1024;

/**
 * The item of a live event, one object for every subscriber it reaches: the subscription's execution
 * is shared among subscribers who would get the same answer (server/use-shared-event-execution.ts),
 * by the identity of what their streams yield. Kept as long as the event is.
 */
const liveItems = new WeakMap<AlertStreamEvent, AlertStreamItem>();
function liveItemOf(event: AlertStreamEvent): AlertStreamItem {
  let item = liveItems.get(event);
  if (!item) {
    item = { ...event, replayed: false };
    liveItems.set(event, item);
  }
  return item;
}

const WHEN_SLOW = `You fell more than ${MAX_LIVE_BACKLOG} alerts behind (your connection did not read them as fast as they came), so this subscription was ended: subscribe again with since: the cursor of the last event you received, and the alerts you missed are replayed first.`;

export async function openAlertStream(
  options: AlertStreamOptions,
): Promise<AsyncIterableIterator<AlertStreamItem>> {
  const { viewer, scope, minimumLevel } = options;
  const levels = ALERT_LEVELS.slice(ALERT_LEVELS.indexOf(minimumLevel));
  const ownerId = scope === "MINE" ? viewer.principalId : null;
  const wanted = (event: AlertStreamEvent) => {
    if (isDigestEvent(event)) {
      const { digest } = event;
      // A digest interests a CRITICAL-only subscriber when it lists a CRITICAL alert.
      const level = levels.includes("HIGH") ? digest.alertCount > 0 : digest.criticalCount > 0;
      return level && (ownerId === null || digest.ownerId === ownerId) && canSeeCustomer(viewer, digest);
    }
    return (
      (levels as readonly string[]).includes(event.alert.level) &&
      // Rechecked per event although the topic is the owner's: ownership can change at any time.
      (ownerId === null || event.alert.customer.ownerId === ownerId) &&
      canSeeCustomer(viewer, event.alert.customer)
    );
  };

  let lastPosition = options.since ?? -1n;
  const givenIds = new Set<string>();
  // Replayed alerts are read whole (at most MAX_REPLAY) before going live, so they wait outside the
  // queue: its bound is on live alerts, the ones that can come faster than a client reads.
  const replay: AlertStreamItem[] = [];
  let stopListening: (() => void) | null = null;
  let ended = false;
  const queue = createAsyncQueue<AlertStreamItem>({
    limit: MAX_LIVE_BACKLOG,
    whenSlow: WHEN_SLOW,
    onClose: () => {
      ended = true;
      stopListening?.();
    },
  });
  const give = (event: AlertStreamEvent, replayed: boolean) => {
    const id = eventId(event);
    if (event.position <= lastPosition || givenIds.has(id)) return;
    lastPosition = event.position;
    givenIds.add(id);
    if (givenIds.size > REMEMBERED_IDS) givenIds.delete(givenIds.values().next().value as string);
    if (replayed) replay.push({ ...event, replayed });
    else queue.push(liveItemOf(event));
  };

  // Live alerts that arrive while the replay is read wait here (for the length of one query).
  let buffered: AlertStreamEvent[] | null = options.since === undefined ? null : [];
  const stop = await options.bus.listen(ownerId ? ownerAlertsTopic(ownerId) : ALL_ALERTS_TOPIC, (event) => {
    if (!wanted(event)) return;
    if (buffered) buffered.push(event);
    else give(event, false);
  });
  stopListening = stop;
  if (ended) stop(); // Overflowed before listening was in force: release at once.
  if (options.since !== undefined && buffered) {
    try {
      for (const event of await storedEventsAfter(options.prisma, options.since, levels, ownerId, viewer)) {
        give(event, true);
      }
    } catch (error) {
      stop();
      throw error;
    }
    const live = buffered;
    buffered = null;
    for (const event of live) give(event, false);
  }
  return replay.length > 0 ? startWith(replay, queue.iterator) : queue.iterator;
}

async function storedEventsAfter(
  prisma: Database["prisma"],
  since: bigint,
  levels: readonly AlertLevel[],
  ownerId: string | null,
  viewer: Viewer,
): Promise<AlertStreamEvent[]> {
  const where: Prisma.AlertWhereInput = {
    streamPosition: { gt: since },
    level: { in: [...levels] },
    customer: ownerId ? { ownerId } : visibleCustomers(viewer),
  };
  const digestWhere: Prisma.AlertDigestWhereInput = {
    streamPosition: { gt: since },
    ...(levels.includes("HIGH") ? {} : { criticalCount: { gt: 0 } }),
    ...(ownerId ? { ownerId } : visibleCustomers(viewer)),
  };
  const [alerts, digests] = await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(${ALERT_STREAM_LOCK}::bigint)`;
    const read = { orderBy: { streamPosition: "asc" }, take: MAX_REPLAY + 1 } as const;
    return [
      await tx.alert.findMany({ where, include: { customer: true }, ...read }),
      await tx.alertDigest.findMany({ where: digestWhere, ...read }),
    ] as const;
  });
  const events: AlertStreamEvent[] = [
    ...alerts.map((alert) => ({ position: alert.streamPosition as bigint, alert })),
    ...digests.map((digest) => ({ position: digest.streamPosition as bigint, digest })),
  ].sort((a, b) => (a.position < b.position ? -1 : 1));
  if (events.length > MAX_REPLAY) {
    throw new ConflictError(
      `More than ${MAX_REPLAY} alerts and digests were published after that cursor: load them with the alerts query, then subscribe with its streamCursor as since.`,
    );
  }
  return events;
}
