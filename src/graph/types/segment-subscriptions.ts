// segmentEntered: customers entering a segment, live, after the write or the daily check that put
// them in it committed. An account manager hears only of the customers they own.
import {
  CUSTOMERS_SCOPE_ADVICE,
  canReadCustomers,
  canSeeCustomer,
  visibleOwnerId,
} from "../../auth/visibility.ts";
import { ForbiddenError } from "../../domain/errors.ts";
import type { SegmentEntry } from "../../domain/segments/segment-entries.ts";
import { findSegment } from "../../domain/segments/segment-members.ts";
import type { Customer, Segment } from "../../generated/prisma/client.ts";
import { mapAsyncIterator } from "../../streams/async-iterators.ts";
import { createAsyncQueue } from "../../streams/async-queue.ts";
import { builder } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { liveOf } from "./alerts-subscriptions.ts";
import { CustomerNode } from "./customer.ts";
import { CUSTOMER_READERS } from "./customer-scopes.ts";
import { SegmentNode } from "./segment.ts";

/** Entries one subscriber may fall behind by before its stream ends (SLOW_CONSUMER). */
export const MAX_ENTRY_BACKLOG = 1000;

const SegmentEntryEventRef = builder
  .objectRef<{ entry: SegmentEntry; segment: Segment; customer: Customer }>("SegmentEntryEvent")
  .implement({
    description: "A customer who entered a segment.",
    fields: (t) => ({
      segment: t.field({ type: SegmentNode, description: "The segment.", resolve: (e) => e.segment }),
      customer: t.field({
        type: CustomerNode,
        description: "The customer who entered it.",
        resolve: (e) => e.customer,
      }),
      enteredAt: t.field({
        type: "DateTime",
        description: "When the entry was noticed: the write that put them in, or the daily check.",
        resolve: (e) => e.entry.enteredAt,
      }),
    }),
  });

builder.subscriptionFields((t) => ({
  segmentEntered: t.field({
    type: SegmentEntryEventRef,
    // Guards each event; subscribe refuses before it starts (scope-auth does not run on subscribe).
    authScopes: CUSTOMER_READERS,
    description: `Customers entering a segment, each once, after the change that put them in it committed: a write about them (a fact, a score), or the daily check (schedule.segmentCounts), which notices entries that time and scheduled rescoring cause. Customers already in a segment when it was saved, or when its definition changed, did not enter it. Account managers hear only of the customers they own. Entries while disconnected are not replayed: list the members to catch up. A subscriber more than ${MAX_ENTRY_BACKLOG} entries behind is ended with SLOW_CONSUMER.`,
    args: {
      segmentId: t.arg.globalID({ required: true, description: "The segment's global ID." }),
    },
    subscribe: async (_parent, args, context) => {
      if (!canReadCustomers(context.viewer)) throw new ForbiddenError(CUSTOMERS_SCOPE_ADVICE);
      const segment = await findSegment(
        context.prisma,
        expectGlobalId(args.segmentId, "Segment", ["segmentId"]),
      );
      const owner = visibleOwnerId(context.viewer);
      let stop = () => {};
      const entries = createAsyncQueue<SegmentEntry>({
        limit: MAX_ENTRY_BACKLOG,
        onClose: () => stop(),
        whenSlow: `You fell more than ${MAX_ENTRY_BACKLOG} entries behind: list the segment's members to catch up, then subscribe again.`,
      });
      stop = liveOf(context).segmentEntries.listen(segment.id, (entry) => {
        if (owner === null || entry.ownerId === owner) entries.push(entry);
      });
      return mapAsyncIterator(entries.iterator, async (entry) => {
        const customer = await context.prisma.customer.findUnique({ where: { id: entry.customerId } });
        // Ownership may have changed since the entry: then this viewer does not hear of it.
        if (!customer || !canSeeCustomer(context.viewer, customer)) return null;
        return { entry, segment, customer };
      });
    },
    resolve: (event) => event,
  }),
}));
