// A customer's timeline (interactions and survey answers as one stream) paged by keyset in both
// directions, in every page size, against the order written out here: newest first by time, ties
// broken by id across both tables. Each side is read to the page's size and then merged in SQL
// (src/domain/customers/customer-timeline.ts), so pages where one side fills the whole page, where
// the sides interleave and where instants tie across tables are the cases that matter.
import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import {
  customerTimeline,
  type TimelineEntry,
  type TimelinePosition,
  timelinePosition,
} from "../../../src/domain/customers/customer-timeline.ts";
import { test } from "../../helpers/database.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 4, 1, 9, minute));

// Interactions at minutes 1-6 and 10, answers at 6-9 and 0: minute 6 is on both sides, and the
// newest six entries are four answers between interactions.
const INTERACTION_MINUTES = [1, 2, 3, 4, 5, 6, 6, 10];
const ANSWER_MINUTES = [0, 6, 7, 8, 8, 9];

interface Expected {
  entry: "interaction" | "feedback";
  id: string;
  at: Date;
}

const newestFirst = (a: Expected, b: Expected) =>
  b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

const summary = (entries: TimelineEntry[]) =>
  entries.map((entry) => ({ entry: entry.entry, id: entry.id, at: timelinePosition(entry).at }));

describe("a customer's timeline", () => {
  test("pages forward and backward through both sides in every page size, ties by id", async ({ db }) => {
    const customer = await db.prisma.customer.create({ data: { id: randomUUID() } });
    const expected: Expected[] = [];
    for (const [index, minute] of INTERACTION_MINUTES.entries()) {
      const row = await db.prisma.interaction.create({
        data: {
          id: randomUUID(),
          customerId: customer.id,
          source: "shop",
          externalId: `o${index}`,
          channel: "ECOMMERCE",
          kind: "order.placed",
          direction: "INBOUND",
          occurredAt: at(minute),
          amount: "12.5",
          currency: "EUR",
        },
      });
      expected.push({ entry: "interaction", id: row.id, at: row.occurredAt });
    }
    for (const [index, minute] of ANSWER_MINUTES.entries()) {
      const row = await db.prisma.feedback.create({
        data: {
          id: randomUUID(),
          customerId: customer.id,
          source: "survey",
          externalId: `a${index}`,
          kind: "NPS",
          score: index,
          respondedAt: at(minute),
        },
      });
      expected.push({ entry: "feedback", id: row.id, at: row.respondedAt });
    }
    expected.sort(newestFirst);

    let whole: TimelineEntry[] = [];
    for (const limit of [1, 2, 3, 5, 14, 20]) {
      const forward: TimelineEntry[] = [];
      let olderThan: TimelinePosition | undefined;
      for (;;) {
        const page = await customerTimeline(db.prisma, customer.id, {
          limit,
          ...(olderThan && { olderThan }),
        });
        expect(page.length).toBeLessThanOrEqual(limit);
        forward.push(...page);
        const last = page.at(-1);
        if (page.length < limit || !last) break;
        olderThan = timelinePosition(last);
      }
      expect(summary(forward)).toEqual(expected);
      whole = forward;

      const backward: TimelineEntry[] = [];
      let newerThan: TimelinePosition | undefined;
      for (;;) {
        const page = await customerTimeline(db.prisma, customer.id, {
          limit,
          oldestFirst: true,
          ...(newerThan && { newerThan }),
        });
        backward.push(...page);
        const last = page.at(-1);
        if (page.length < limit || !last) break;
        newerThan = timelinePosition(last);
      }
      expect(summary(backward)).toEqual([...expected].reverse());
    }

    // A page between two positions holds what lies strictly between them.
    const [, second, , , , sixth] = expected as [Expected, Expected, Expected, Expected, Expected, Expected];
    const between = await customerTimeline(db.prisma, customer.id, {
      limit: 20,
      olderThan: { at: second.at, id: second.id },
      newerThan: { at: sixth.at, id: sixth.id },
    });
    expect(summary(between)).toEqual(expected.slice(2, 5));
    // The rows come whole: an interaction's money and an answer's score.
    const interaction = whole.find((entry) => entry.entry === "interaction");
    expect(interaction?.entry === "interaction" && interaction.amount?.toString()).toBe("12.5");
    const answer = whole.find((entry) => entry.entry === "feedback" && entry.externalId === "a3");
    expect(answer?.entry === "feedback" && answer.score).toBe(3);
  });
});
