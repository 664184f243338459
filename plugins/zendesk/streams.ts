// The three streams. Tickets and users follow Zendesk's cursor-based incremental exports: the first
// run starts at start_time, every page gives an after_cursor that resumes right after it, and
// end_of_stream says the export has caught up (https://developer.zendesk.com/documentation/ticketing/managing-tickets/using-the-incremental-export-api/#cursor-based-incremental-exports).
// The checkpoint after each page is that page's after_cursor, yielded after the page's records.
import { type ConnectorRecordInput, checkpoint, type StreamContext } from "cx-hub/sdk";
import { z } from "zod";
import {
  type ExportPosition,
  exportTickets,
  exportUsers,
  type IncrementalPage,
  listAudits,
  listSatisfactionRatings,
} from "./client.ts";
import { firstStartTime, userNamespace, type ZendeskConfig } from "./config.ts";
import { satisfactionRecords, ticketRecords, ticketSatisfactionRecords, userRecords } from "./mapping.ts";

export const exportCursorSchema = z.object({
  afterCursor: z.string().min(1, "The after_cursor of Zendesk's last page read."),
});
type ExportCursor = z.output<typeof exportCursorSchema>;

export const ratingsCursorSchema = z.object({
  startTime: z.number().int().nonnegative("Unix seconds of the newest rating read."),
});
type RatingsCursor = z.output<typeof ratingsCursorSchema>;

/** Pages of an incremental export from the stored cursor (or the configured start), records first. */
async function* readExport<Page extends IncrementalPage>(
  ctx: StreamContext<ZendeskConfig, ExportCursor>,
  fetchPage: (from: ExportPosition) => Promise<Page>,
  toRecords: (page: Page) => AsyncIterable<ConnectorRecordInput> | Iterable<ConnectorRecordInput>,
) {
  let from: ExportPosition = ctx.cursor
    ? { cursor: ctx.cursor.afterCursor }
    : { startTime: firstStartTime(ctx.config) };
  for (;;) {
    const page = await fetchPage(from);
    yield* toRecords(page);
    // No after_cursor (Zendesk always sends one; guard all the same): nothing to resume from.
    if (!page.after_cursor) return;
    yield checkpoint({ afterCursor: page.after_cursor });
    if (page.end_of_stream) return;
    from = { cursor: page.after_cursor };
  }
}

export async function* readTickets(ctx: StreamContext<ZendeskConfig, ExportCursor>) {
  const namespace = userNamespace(ctx.config);
  yield* readExport(
    ctx,
    (from) => exportTickets(ctx, from),
    async function* (page) {
      for (const ticket of page.tickets) {
        // A deleted ticket's audits are gone; it maps to nothing, so they are not asked for.
        const thread =
          ticket.status === "deleted"
            ? { audits: [], authorRoles: new Map() }
            : await listAudits(ctx, ticket.id);
        yield* ticketRecords(namespace, ticket, thread);
        yield* ticketSatisfactionRecords(namespace, ticket, thread);
      }
    },
  );
}

export async function* readUsers(ctx: StreamContext<ZendeskConfig, ExportCursor>) {
  const namespace = userNamespace(ctx.config);
  yield* readExport(
    ctx,
    (from) => exportUsers(ctx, from),
    (page) => page.users.flatMap((user) => userRecords(namespace, user)),
  );
}

/**
 * Ratings customers gave, from the newest rating's creation time already read (inclusive: a repeat is
 * harmless). Zendesk does not document the order of this list, so the stream checkpoints once, at the
 * end, with the newest creation time it read.
 */
export async function* readSatisfactionRatings(ctx: StreamContext<ZendeskConfig, RatingsCursor>) {
  const namespace = userNamespace(ctx.config);
  const startTime = ctx.cursor?.startTime ?? firstStartTime(ctx.config);
  let newest = startTime;
  for await (const page of listSatisfactionRatings(ctx, startTime)) {
    for (const rating of page.satisfaction_ratings) {
      yield* satisfactionRecords(namespace, rating);
      const created = Math.floor(Date.parse(rating.created_at) / 1000);
      if (Number.isFinite(created) && created > newest) newest = created;
    }
  }
  yield checkpoint({ startTime: newest });
}
