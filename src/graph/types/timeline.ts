// Customer.timeline: interactions and survey answers in one connection, newest first.
import { parseCursorConnectionArgs } from "@pothos/core";
import type { ResolveCursorConnectionArgs } from "@pothos/plugin-relay";
import { GraphQLError } from "graphql";
import { pageRowTimeline } from "../../domain/customers/customer-page-rows.ts";
import {
  countCustomerTimeline,
  customerTimeline,
  type TimelineEntry as Entry,
  type TimelinePageRequest,
  type TimelinePosition,
  timelinePosition,
} from "../../domain/customers/customer-timeline.ts";
import { builder, connectionComplexity, MAX_PAGE_SIZE } from "../builder.ts";
import { isUuid } from "../global-ids.ts";
import { isoDateText } from "../iso-date-text.ts";
import { readPageConnection } from "../read-page-connection.ts";
import { timelineColumns } from "../row-columns.ts";
import { FeedbackNode } from "./feedback.ts";
import { InteractionNode } from "./interaction.ts";

const TimelineEntry = builder.unionType("TimelineEntry", {
  description: "One thing on a customer's timeline: a touchpoint or a survey answer.",
  types: [InteractionNode, FeedbackNode],
  // By the side it was read from, which every entry names (only the timeline resolves to this union):
  // an entry carries only the columns the request selects (row-columns.ts), so no column tells them apart.
  resolveType: (entry) => ((entry as Entry).entry === "interaction" ? "Interaction" : "Feedback"),
});

function encodeCursor(position: TimelinePosition): string {
  // isoDateText: the same text as toISOString, at a third of its cost (0.8% of a 360 page's CPU).
  return Buffer.from(`${isoDateText(position.at.getTime())}|${position.id}`).toString("base64url");
}

const entryCursor = (entry: Entry) => encodeCursor(timelinePosition(entry));

function decodeCursor(cursor: string): TimelinePosition {
  const [at, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const date = new Date(at ?? "");
  // The id's form and the time's range are checked here: PostgreSQL would refuse any other with an
  // internal error (a year past 9999 is written +010000-… by toISOString, which it cannot read).
  const year = date.getUTCFullYear();
  if (!id || !isUuid(id) || Number.isNaN(date.getTime()) || year < 1 || year > 9999) {
    throw new GraphQLError(
      "The timeline cursor is not one this API gave out: use the cursor of a timeline edge.",
      {
        extensions: { code: "BAD_USER_INPUT" },
      },
    );
  }
  return { at: date, id };
}

/** The timeline page a connection's arguments ask for, as Pothos's resolveCursorConnection reads them. */
const pageRequest = ({
  before,
  after,
  limit,
  inverted,
}: ResolveCursorConnectionArgs): TimelinePageRequest => ({
  // Newest first: "after" a cursor means older than it; paging backwards reads oldest first.
  olderThan: after ? decodeCursor(after) : undefined,
  newerThan: before ? decodeCursor(before) : undefined,
  limit,
  oldestFirst: inverted,
});

/**
 * The page the timeline field's arguments ask for, so that the customer's own statement can read it
 * (customer-page-extras.ts); null for arguments the field refuses (its resolver reports them).
 */
export function timelinePageFor(args: Record<string, unknown>): TimelinePageRequest | null {
  try {
    return pageRequest(parseCursorConnectionArgs({ args, maxSize: MAX_PAGE_SIZE }));
  } catch {
    return null;
  }
}

builder.prismaObjectField("Customer", "timeline", (t) =>
  t.connection(
    {
      type: TimelineEntry,
      description:
        "Everything that happened with this customer — touchpoints on every channel and survey answers — in one list, newest first.",
      complexity: connectionComplexity,
      resolve: (customer, args, context, info) => {
        const page = parseCursorConnectionArgs({ args, maxSize: MAX_PAGE_SIZE });
        const request = pageRequest(page);
        // The page the customer's own statement read when it is this one (the Customer360 page's),
        // answered without a promise: graphql-js then completes the customer's other fields at once,
        // where an asynchronous timeline made it gather all of them through Promise.all, a fifth of a
        // Customer360 request's promises (issue 15).
        const read = pageRowTimeline(customer, request);
        // Counted only when asked for: the page carries whose timeline it is.
        const connectionOf = (entries: Entry[]) => ({
          ...readPageConnection(args, page, entries, entryCursor),
          customerId: customer.id,
        });
        if (read) return connectionOf(read);
        return customerTimeline(context.prisma, customer.id, request, timelineColumns(info)).then(
          connectionOf,
        );
      },
    },
    {
      name: "TimelineConnection",
      fields: (t) => ({
        totalCount: t.int({
          description: "How many entries the timeline holds in all (interactions and survey answers).",
          resolve: (connection, _args, context) =>
            countCustomerTimeline(context.prisma, connection.customerId),
        }),
      }),
    },
    { name: "TimelineEdge" },
  ),
);
