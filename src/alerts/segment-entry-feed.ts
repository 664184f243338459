// Customers entering segments, as events: for the segmentEntered subscription, and the internal
// event that other parts of the hub subscribe to with `onEntry`. (Outgoing webhooks do not: they are
// recorded in the entry's transaction, segment-entry-webhooks.ts, so none is lost or sent twice.)
//
// As with score changes (score-change-feed.ts), the transaction that recorded the entries sends them
// with pg_notify, which PostgreSQL delivers only when it commits, to every server instance that
// listens: no Redis needed, nothing announced for a write rolled back. Each instance tells its own
// listeners. An entry is also a row (SegmentMembership, with enteredAt), so a consumer that must not
// miss one while disconnected, or must act once across instances, reads those rows as its outbox.
import type { Listen, ListenOptions } from "../db/notifications.ts";
import type { SegmentEntry } from "../domain/segments/segment-entries.ts";
import type { Prisma } from "../generated/prisma/client.ts";

export const SEGMENT_ENTRIES_CHANNEL = "cxhub_segment_entries";
/** Entries per notification: about 150 bytes each, well under PostgreSQL's 8,000-byte payload limit. */
const ENTRIES_PER_NOTIFICATION = 40;

/** The event: which customer entered which segment, when, and who owned them then. */
export type SegmentEntryEvent = SegmentEntry;

type Wire = { s: string; c: string; o: string | null; t: string };

/** Sends the entries; delivered when the transaction commits. */
export async function notifySegmentEntries(
  tx: Prisma.TransactionClient,
  entries: SegmentEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const payloads: string[] = [];
  for (let start = 0; start < entries.length; start += ENTRIES_PER_NOTIFICATION) {
    const wire: Wire[] = entries.slice(start, start + ENTRIES_PER_NOTIFICATION).map((entry) => ({
      s: entry.segmentId,
      c: entry.customerId,
      o: entry.ownerId,
      t: entry.enteredAt.toISOString(),
    }));
    payloads.push(JSON.stringify(wire));
  }
  await tx.$executeRaw`SELECT pg_notify(${SEGMENT_ENTRIES_CHANNEL}, payload) FROM unnest(${payloads}::text[]) AS payload`;
}

export interface SegmentEntryFeed {
  /** Calls onEntry for each customer entering this segment (after it committed); returns a stop function. */
  listen(segmentId: string, onEntry: (entry: SegmentEntryEvent) => void): () => void;
  /** Calls onEntry for every entry into any segment, after it committed. Returns a stop function. */
  onEntry(onEntry: (entry: SegmentEntryEvent) => void): () => void;
  /** How many listeners follow this segment now (for metrics, and for tests to know a subscriber is live). */
  listening(segmentId: string): number;
  close(): Promise<void>;
}

export async function startSegmentEntryFeed(
  listen: Listen,
  options: ListenOptions = {},
): Promise<SegmentEntryFeed> {
  const bySegment = new Map<string, Set<(entry: SegmentEntryEvent) => void>>();
  const everything = new Set<(entry: SegmentEntryEvent) => void>();
  const stop = await listen(
    SEGMENT_ENTRIES_CHANNEL,
    (payload) => {
      for (const wire of JSON.parse(payload) as Wire[]) {
        const entry: SegmentEntryEvent = {
          segmentId: wire.s,
          customerId: wire.c,
          ownerId: wire.o,
          enteredAt: new Date(wire.t),
        };
        for (const onEntry of bySegment.get(entry.segmentId) ?? []) onEntry(entry);
        for (const onEntry of everything) onEntry(entry);
      }
    },
    options,
  );
  return {
    listen(segmentId, onEntry) {
      const set = bySegment.get(segmentId) ?? new Set();
      bySegment.set(segmentId, set);
      set.add(onEntry);
      return () => {
        set.delete(onEntry);
        if (set.size === 0) bySegment.delete(segmentId);
      };
    },
    listening(segmentId) {
      return bySegment.get(segmentId)?.size ?? 0;
    },
    onEntry(onEntry) {
      everything.add(onEntry);
      return () => everything.delete(onEntry);
    },
    close: stop,
  };
}
