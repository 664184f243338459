// Incremental reading of a GraphQL Admin API connection sorted by UPDATED_AT, with a checkpoint after
// every page. The cursor is the updated_at of the last record yielded and the GIDs of every record
// yielded with that same updated_at: the next run asks for `updated_at:>='…'` (inclusive, so a record
// that shares the boundary second but was not reached yet is not lost) and skips the GIDs it already
// has (so the boundary records are not reported twice). See README.md, "Cursors".
import { type Checkpoint, type ConnectorRecordInput, checkpoint } from "cx-hub/sdk";
import { z } from "zod";
import type { Page, PageRequest } from "./client.ts";

export const incrementalCursorSchema = z.object({
  /** The updated_at of the last record yielded, as Shopify wrote it. */
  updatedAt: z.iso.datetime({ offset: true }),
  /** The GIDs of the records yielded whose updated_at is exactly `updatedAt`. */
  seenIds: z.array(z.string()),
});
export type IncrementalCursor = z.output<typeof incrementalCursorSchema>;

/** Shopify's search syntax: date values are quoted; `>=` keeps the records that share the boundary. */
export function updatedSinceQuery(updatedAt: string): string {
  return `updated_at:>='${updatedAt}'`;
}

const instant = (value: string) => Date.parse(value);

export async function* readIncremental<Node extends { id: string; updatedAt: string }>(options: {
  cursor: IncrementalCursor | undefined;
  signal: AbortSignal;
  fetchPage: (request: PageRequest) => Promise<Page<Node>>;
  toRecords: (node: Node) => ConnectorRecordInput[];
}): AsyncGenerator<ConnectorRecordInput | Checkpoint<IncrementalCursor>, void> {
  const { cursor, fetchPage, toRecords } = options;
  const query = cursor ? updatedSinceQuery(cursor.updatedAt) : undefined;
  const alreadyYielded = new Set(cursor?.seenIds ?? []);
  const boundary = cursor ? instant(cursor.updatedAt) : Number.NaN;
  // Where the stream stands: the last updated_at yielded and the GIDs yielded at exactly that time.
  let last: IncrementalCursor | undefined = cursor
    ? { updatedAt: cursor.updatedAt, seenIds: [...cursor.seenIds] }
    : undefined;
  let after: string | undefined;
  do {
    options.signal.throwIfAborted();
    const page = await fetchPage({ query, after });
    for (const node of page.nodes) {
      const at = instant(node.updatedAt);
      // Reported by a previous run at the boundary, and not changed since.
      if (at === boundary && alreadyYielded.has(node.id)) continue;
      yield* toRecords(node);
      if (Number.isNaN(at)) continue;
      if (last && instant(last.updatedAt) === at) {
        if (!last.seenIds.includes(node.id)) last.seenIds.push(node.id);
      } else if (!last || at > instant(last.updatedAt)) {
        last = { updatedAt: node.updatedAt, seenIds: [node.id] };
      }
    }
    // The page is sorted oldest change first: everything up to `last` has now been yielded.
    if (last && page.nodes.length > 0)
      yield checkpoint({ updatedAt: last.updatedAt, seenIds: [...last.seenIds] });
    after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? undefined) : undefined;
  } while (after);
}
