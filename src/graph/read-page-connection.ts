// A connection built from rows already read, without a promise: what Pothos's resolveCursorConnection
// makes of the rows its callback returns (one past the page when another follows), for a resolver that
// may have the rows at hand. resolveCursorConnection always answers with a promise, and a field that
// answers with one makes graphql-js gather every field of its parent object through Promise.all: on
// the Customer360 page, whose timeline page is read with the customer, that was a fifth of a request's
// promises (issue 15). read-page-connection.test.ts holds it to resolveCursorConnection's answers.
import type { parseCursorConnectionArgs } from "@pothos/core";

export type ParsedPageArgs = ReturnType<typeof parseCursorConnectionArgs>;

export interface ReadPageConnection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { startCursor: string; endCursor: string; hasPreviousPage: boolean; hasNextPage: boolean };
}

/**
 * The connection of `rows`, read for `page` (parseCursorConnectionArgs of the field's `args`): cut
 * to the page's size, put back in order when the page was read backwards, each edge's cursor by
 * `toCursor`, and the cursors the arguments named when the page is empty.
 */
export function readPageConnection<T>(
  args: { after?: string | null; before?: string | null },
  page: ParsedPageArgs,
  rows: T[],
  toCursor: (row: T) => string,
): ReadPageConnection<T> {
  const trimmed = rows.slice(0, page.expectedSize);
  if (page.inverted) trimmed.reverse();
  const edges = trimmed.map((node) => ({ cursor: toCursor(node), node }));
  const named = args.after ?? args.before ?? "";
  return {
    edges,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? named,
      endCursor: edges.at(-1)?.cursor ?? named,
      hasPreviousPage: page.hasPreviousPage(rows.length),
      hasNextPage: page.hasNextPage(rows.length),
    },
  };
}
