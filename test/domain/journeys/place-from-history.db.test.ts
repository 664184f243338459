// defineJourney places customers from the interactions they already had, exactly where the live
// path (advanceJourneys on each interaction as it is recorded) would have put them.
import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { advanceJourneys } from "../../../src/domain/journeys/advance-journeys.ts";
import { defineJourney } from "../../../src/domain/journeys/define-journey.ts";
import type { JourneyDefinitionInput } from "../../../src/domain/journeys/journey-input.ts";
import { test } from "../../helpers/database.ts";

const T0 = new Date("2026-03-01T10:00:00Z");
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

const stages: JourneyDefinitionInput["stages"] = [
  { key: "visited", name: "Visited", enteredBy: ["web.visit"] },
  { key: "carted", name: "Carted", enteredBy: ["cart.created", "wishlist.added"] },
  { key: "ordered", name: "Ordered", enteredBy: ["order.placed"] },
];

/** Each customer's interactions, in the order they are recorded (not the order they happened). */
const HISTORIES: Record<string, Array<[kind: string, hour: number]>> = {
  // Through every stage; a later visit does not move them back.
  complete: [
    ["web.visit", 0],
    ["cart.created", 1],
    ["order.placed", 2],
    ["web.visit", 3],
  ],
  // Skips a stage.
  skipper: [
    ["web.visit", 0],
    ["order.placed", 5],
  ],
  // Enters in the middle; an earlier-stage kind afterwards changes nothing.
  middle: [
    ["wishlist.added", 4],
    ["web.visit", 6],
  ],
  // Recorded out of order: the order placed at hour 9 was recorded before the visit at hour 8.
  lateRecord: [
    ["order.placed", 9],
    ["web.visit", 8],
  ],
  // Nothing the journey knows.
  unrelated: [["email.received", 1]],
};

async function record(db: Database, customerId: string, kind: string, hour: number, live: boolean) {
  const interaction = await db.prisma.interaction.create({
    data: {
      customerId,
      source: "shop",
      externalId: randomUUID(),
      channel: "ECOMMERCE",
      kind,
      direction: "INBOUND",
      occurredAt: hours(hour),
    },
  });
  if (live)
    await advanceJourneys(db.prisma, {
      customerId,
      interactionId: interaction.id,
      kind,
      occurredAt: hours(hour),
    });
}

/** Where each named customer stands in a journey, and the moves that took them there. */
async function standing(db: Database, journeyKey: string, names: Map<string, string>) {
  const progress = await db.prisma.journeyProgress.findMany({
    where: { journey: { key: journeyKey } },
    include: {
      currentStage: true,
      transitions: { include: { fromStage: true, toStage: true }, orderBy: { occurredAt: "asc" } },
    },
  });
  return Object.fromEntries(
    progress
      .map((p) => [
        names.get(p.customerId),
        {
          stage: p.currentStage.key,
          startedAt: p.startedAt.toISOString(),
          stageEnteredAt: p.stageEnteredAt.toISOString(),
          completedAt: p.completedAt?.toISOString() ?? null,
          moves: p.transitions.map(
            (t) => `${t.fromStage?.key ?? "∅"}→${t.toStage.key}@${t.occurredAt.toISOString()}`,
          ),
        },
      ])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
}

describe("defineJourney places customers from their history", () => {
  test("where the live path puts them, one move per interaction that moved them", async ({ db }) => {
    await defineJourney(db.prisma, { key: "live", name: "Live", stages });
    const names = new Map<string, string>();
    for (const [name, history] of Object.entries(HISTORIES)) {
      const customer = await db.prisma.customer.create({ data: { displayName: name } });
      names.set(customer.id, name);
      // The live journey sees each interaction as it is recorded.
      for (const [kind, hour] of history) await record(db, customer.id, kind, hour, true);
    }

    await defineJourney(db.prisma, { key: "later", name: "Defined later", stages });

    const live = await standing(db, "live", names);
    const later = await standing(db, "later", names);
    expect(Object.keys(later)).toEqual(["complete", "lateRecord", "middle", "skipper"]);
    expect(later.complete).toEqual({
      stage: "ordered",
      startedAt: hours(0).toISOString(),
      stageEnteredAt: hours(2).toISOString(),
      completedAt: hours(2).toISOString(),
      moves: [
        `∅→visited@${hours(0).toISOString()}`,
        `visited→carted@${hours(1).toISOString()}`,
        `carted→ordered@${hours(2).toISOString()}`,
      ],
    });
    expect(later.middle).toMatchObject({ stage: "carted", completedAt: null });
    // Live and replayed agree wherever interactions were recorded in the order they happened.
    for (const name of ["complete", "skipper", "middle"]) expect(later[name], name).toEqual(live[name]);
    // Recorded late, the visit at hour 8 could not move the live customer back from "ordered"; the
    // replay, which sees the whole history in order, starts them at the visit.
    expect(later.lateRecord?.moves).toEqual([
      `∅→visited@${hours(8).toISOString()}`,
      `visited→ordered@${hours(9).toISOString()}`,
    ]);
    expect(live.lateRecord?.stage).toBe(later.lateRecord?.stage);
  });

  test("places no one in an inactive journey, and no merged-away profile", async ({ db }) => {
    const survivor = await db.prisma.customer.create({ data: { displayName: "Survivor" } });
    const merged = await db.prisma.customer.create({
      data: { displayName: "Merged", mergedIntoId: survivor.id, mergedAt: hours(0) },
    });
    await record(db, survivor.id, "web.visit", 1, false);
    await record(db, merged.id, "cart.created", 2, false);

    const inactive = await defineJourney(db.prisma, { key: "paused", name: "Paused", active: false, stages });
    expect(await db.prisma.journeyProgress.count({ where: { journeyId: inactive.id } })).toBe(0);

    const active = await defineJourney(db.prisma, { key: "open", name: "Open", stages });
    const placed = await db.prisma.journeyProgress.findMany({ where: { journeyId: active.id } });
    expect(placed.map((p) => p.customerId)).toEqual([survivor.id]);
  });
});
