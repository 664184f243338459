// Entering a segment, live: a write that puts a customer in a segment announces it once, when it
// commits; the daily check announces the entries no write caused; customers already in a segment
// when it was saved did not enter it; each account manager hears only of their own customers; and
// the internal event (onEntry) sees every entry.
import { afterEach, describe, expect } from "vitest";
import { createSegment } from "../../src/domain/segments/manage-segments.ts";
import type { SegmentEntry } from "../../src/domain/segments/segment-entries.ts";
import { runSegmentCountJob } from "../../src/jobs/segment-count-jobs.ts";
import { buildPopulation, POPULATION_NOW } from "../domain/segments/segment-population.ts";
import {
  LATER,
  supportMessage,
  supportMessageOutsidePipeline,
  supportSegment,
} from "../domain/segments/support-contacts.ts";
import { SegmentEnteredDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createKey, type LiveHub, startLiveHub, subscribeOverWebSocket } from "./helpers/live-hub.ts";

const hubs: LiveHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");
let messages = 0;
const nextTicket = () => `ticket-${++messages}`;

describe("segment entries", () => {
  test("are recorded once per customer, from writes and from the daily check; a segment's first members are its baseline", async ({
    db,
  }) => {
    const population = await buildPopulation(db);
    const segment = await supportSegment(db, population);
    // A second segment, checked in the same statement: customers who wrote to support.
    const buyers = await createSegment(
      db.prisma,
      { principalId: population.ana, mayEditAny: true },
      {
        name: "Customers who wrote to support",
        definition: { channel: "SUPPORT", lifecycleStages: ["CUSTOMER"] },
      },
      POPULATION_NOW,
    );
    const members = async (segmentId = segment.id) =>
      (await db.prisma.segmentMembership.findMany({ where: { segmentId } }))
        .map((row) => [row.customerId, row.enteredAt.toISOString()])
        .sort();
    expect(await members()).toEqual([[population.ids.bob, POPULATION_NOW.toISOString()]]);

    await supportMessage(db, population.ids.ada, nextTicket());
    await supportMessage(db, population.ids.ada, nextTicket()); // Already in: no second entry.
    expect(await members()).toEqual(
      [
        [population.ids.bob, POPULATION_NOW.toISOString()],
        [population.ids.ada, LATER.toISOString()],
      ].sort(),
    );

    // A change no write announces: Cy's message stored without the pipeline; the daily check finds it.
    await supportMessageOutsidePipeline(db, population.ids.cy);
    const report = await runSegmentCountJob(db.prisma, {
      slot: LATER.toISOString(),
      day: "2026-03-01",
      asOf: LATER.toISOString(),
    });
    expect(report).toEqual({ segments: 2, entries: 1 });
    expect((await members()).map(([id]) => id)).toEqual(population.named("ada", "bob", "cy"));
    // Cy is a LEAD: the second segment gained only Ada, from her write.
    expect((await members(buyers.id)).map(([id]) => id)).toEqual(population.named("ada", "bob"));
    // Checked again, nobody enters twice.
    expect(
      (await runSegmentCountJob(db.prisma, { slot: "", day: "2026-03-01", asOf: LATER.toISOString() }))
        .entries,
    ).toBe(0);
  });

  test("reach subscribers live, each account manager hearing only of their own customers, and the internal event", async ({
    db,
  }) => {
    const population = await buildPopulation(db);
    const segment = await supportSegment(db, population);
    const hub = await startLiveHub(db);
    hubs.push(hub);
    const internal: SegmentEntry[] = [];
    const stopInternal = hub.live.segmentEntries.onEntry((entry) => internal.push(entry));

    const admin = await createKey(db, "ADMIN");
    const ana = await createKey(db, "ACCOUNT_MANAGER", { id: population.ana });
    const ben = await createKey(db, "ACCOUNT_MANAGER", { id: population.ben });
    const variables = { segmentId: gid("Segment", segment.id) };
    const feeds = {
      admin: await subscribeOverWebSocket(hub.wsUrl, admin.key, SegmentEnteredDocument, variables),
      ana: await subscribeOverWebSocket(hub.wsUrl, ana.key, SegmentEnteredDocument, variables),
      ben: await subscribeOverWebSocket(hub.wsUrl, ben.key, SegmentEnteredDocument, variables),
    };
    await expect.poll(() => hub.live.segmentEntries.listening(segment.id)).toBe(3);

    const entered = async (feed: (typeof feeds)["admin"]) => {
      const event = await feed.next();
      expect(event.errors).toBeUndefined();
      return event.data?.segmentEntered.customer.id;
    };
    await supportMessage(db, population.ids.cy, nextTicket()); // Ben's customer: Ana must not hear of it.
    await db.prisma.customer.update({ where: { id: population.ids.dee }, data: { ownerId: population.ana } });
    await supportMessage(db, population.ids.dee, nextTicket());

    expect(await entered(feeds.admin)).toBe(gid("Customer", population.ids.cy));
    expect(await entered(feeds.admin)).toBe(gid("Customer", population.ids.dee));
    expect(await entered(feeds.ben)).toBe(gid("Customer", population.ids.cy));
    // Ana's first event is Dee, entered after Cy: Cy's entry never reached her.
    const anaEvent = await feeds.ana.next();
    expect(anaEvent.data?.segmentEntered).toEqual({
      enteredAt: LATER.toISOString(),
      segment: { id: gid("Segment", segment.id), name: "Support contacts" },
      customer: { id: gid("Customer", population.ids.dee), displayName: "Dee Lane" },
    });
    expect(internal.map((entry) => [entry.customerId, entry.ownerId])).toEqual([
      [population.ids.cy, population.ben],
      [population.ids.dee, population.ana],
    ]);
    stopInternal();
    for (const feed of Object.values(feeds)) feed.close();
  });
});
