import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { NotFoundError, ValidationError } from "../../../src/domain/errors.ts";
import { advanceJourneys } from "../../../src/domain/journeys/advance-journeys.ts";
import { defineJourney } from "../../../src/domain/journeys/define-journey.ts";
import { journeyFunnel } from "../../../src/domain/journeys/journey-funnel.ts";
import { test } from "../../helpers/database.ts";

const T0 = new Date("2026-06-01T00:00:00Z");
const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);
const HOUR = 3600;

const KIND = {
  visited: "web.visit",
  carted: "cart.created",
  ordered: "order.placed",
  repeated: "order.repeat",
};

/**
 * Five customers through visited → carted → ordered → repeated (hours after T0):
 *   A: visited 0, carted 2, ordered 5, repeated 29   (in stage: 2h, 3h, 24h)
 *   B: visited 0, carted 4, ordered 10               (4h, 6h; now in ordered)
 *   C: visited 1, ordered 2 (skips carted)           (1h; now in ordered)
 *   D: visited 3                                     (now in visited)
 *   E: carted 10 (never seen visiting)               (now in carted)
 */
async function seed(db: Database) {
  await defineJourney(db.prisma, {
    key: "purchase",
    name: "Purchase",
    stages: Object.entries(KIND).map(([key, kind]) => ({ key, name: key, enteredBy: [kind] })),
  });
  const paths: Array<Array<[keyof typeof KIND, number]>> = [
    [
      ["visited", 0],
      ["carted", 2],
      ["ordered", 5],
      ["repeated", 29],
    ],
    [
      ["visited", 0],
      ["carted", 4],
      ["ordered", 10],
    ],
    [
      ["visited", 1],
      ["ordered", 2],
    ],
    [["visited", 3]],
    [["carted", 10]],
  ];
  for (const path of paths) {
    const customer = await db.prisma.customer.create({ data: {} });
    for (const [stage, hours] of path) {
      const interaction = await db.prisma.interaction.create({
        data: {
          customerId: customer.id,
          source: "shop",
          externalId: randomUUID(),
          channel: "ECOMMERCE",
          kind: KIND[stage],
          direction: "INBOUND",
          occurredAt: at(hours),
        },
      });
      const moves = await advanceJourneys(db.prisma, {
        customerId: customer.id,
        interactionId: interaction.id,
        kind: interaction.kind,
        occurredAt: interaction.occurredAt,
      });
      expect(moves).toHaveLength(1);
    }
  }
}

const table = (stages: Awaited<ReturnType<typeof journeyFunnel>>) =>
  stages.map((s) => [
    s.key,
    s.reached,
    s.current,
    s.conversionFromPrevious,
    s.dropOff,
    s.medianSecondsInStage,
  ]);

describe("the journey funnel", () => {
  test("counts reach, occupancy, conversion, drop-off and median time per stage", async ({ db }) => {
    await seed(db);
    const funnel = await journeyFunnel(db.prisma, { journeyKey: "purchase" });
    expect(funnel.map((stage) => [stage.position, stage.key, stage.name])).toEqual([
      [0, "visited", "visited"],
      [1, "carted", "carted"],
      [2, "ordered", "ordered"],
      [3, "repeated", "repeated"],
    ]);
    expect(table(funnel)).toEqual([
      // key        reached current conversion  dropOff median seconds (percentile_cont interpolates)
      ["visited", 5, 1, null, 1, 2 * HOUR], // median of 1h, 2h, 4h
      ["carted", 4, 1, 4 / 5, 1, 4.5 * HOUR], // median of 3h, 6h; C skipped it, E is still in it
      ["ordered", 3, 2, 3 / 4, 2, 24 * HOUR],
      ["repeated", 1, 1, 1 / 3, 0, null],
    ]);
  });

  test("counts only entries inside the window, but occupancy as it is now", async ({ db }) => {
    await seed(db);
    const funnel = await journeyFunnel(db.prisma, { journeyKey: "purchase", from: at(2), to: at(6) });
    // Entries in [2h, 6h): A carted 2 and ordered 5, B carted 4, C ordered 2, D visited 3.
    expect(table(funnel)).toEqual([
      ["visited", 4, 1, null, 1, null], // D entered in the window but has not left
      ["carted", 3, 1, 3 / 4, 1, 4.5 * HOUR],
      ["ordered", 2, 2, 2 / 3, 2, 24 * HOUR], // A left after 24h; C has not left
      ["repeated", 0, 1, 0, 0, null],
    ]);
  });

  test("gives no conversion after a stage no one reached", async ({ db }) => {
    await seed(db);
    const funnel = await journeyFunnel(db.prisma, { journeyKey: "purchase", from: at(100) });
    expect(table(funnel)).toEqual([
      ["visited", 0, 1, null, 0, null],
      ["carted", 0, 1, null, 0, null],
      ["ordered", 0, 2, null, 0, null],
      ["repeated", 0, 1, null, 0, null],
    ]);
  });

  test("refuses an unknown journey and an empty window", async ({ db }) => {
    await seed(db);
    await expect(journeyFunnel(db.prisma, { journeyKey: "nope" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      journeyFunnel(db.prisma, { journeyKey: "purchase", from: at(1), to: at(1) }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
