import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import { NotFoundError, ValidationError } from "../../../src/domain/errors.ts";
import { defineJourney } from "../../../src/domain/journeys/define-journey.ts";
import { type JourneyMapStage, journeyMap } from "../../../src/domain/journeys/journey-map.ts";
import { test } from "../../helpers/database.ts";
import { at, HOUR, NOW, seedJourneyMap } from "./helpers/journey-map-population.ts";

/** Rounds the floats, so that exact expectations are not at the mercy of the last binary digit. */
function rounded(stage: JourneyMapStage) {
  const round = (value: number | null) => (value === null ? null : Math.round(value * 1e9) / 1e9);
  return {
    ...stage,
    dropOffShare: round(stage.dropOffShare),
    sentimentMean: round(stage.sentimentMean),
    nps: { ...stage.nps, mean: round(stage.nps.mean), score: round(stage.nps.score) },
  };
}

const noCsat = { responses: 0, mean: null, score: null, satisfied: 0 };
const noCes = { responses: 0, mean: null };
const noNps = { responses: 0, mean: null, score: null, promoters: 0, passives: 0, detractors: 0 };

describe("journeyMap", () => {
  test("gives per stage the customers reached, drop-off, time in stage, sentiment and survey scores", async ({
    db,
  }) => {
    const { journey } = await seedJourneyMap(db);
    const map = await journeyMap(db.prisma, { journeyId: journey.id, now: NOW });

    expect(map.asOf).toEqual(NOW);
    expect(map.customers).toBe(4);
    expect(map.stages.map(rounded)).toEqual([
      {
        key: "visited",
        name: "Visited",
        position: 0,
        reached: 4,
        entered: 4,
        dropOff: 1,
        dropOffShare: 0.25,
        // A 2h, B 4h, C 1h; D still visiting since hour 3.
        movedOn: 3,
        medianSecondsInStage: 2 * HOUR,
        stillIn: 1,
        medianSecondsSoFar: 97 * HOUR,
        // A's +0.5 and B's −1.0; C's complaint came before the journey.
        sentimentMean: -0.25,
        sentimentInteractions: 2,
        sentimentCustomers: 2,
        nps: { responses: 2, mean: 9, score: 50, promoters: 1, passives: 1, detractors: 0 },
        csat: noCsat,
        ces: noCes,
      },
      {
        key: "carted",
        name: "Carted",
        position: 1,
        // C skipped it and still counts as passing it; D's cart is after the clock.
        reached: 3,
        entered: 2,
        dropOff: 1,
        dropOffShare: Math.round((1 / 3) * 1e9) / 1e9,
        movedOn: 1,
        medianSecondsInStage: 3 * HOUR,
        stillIn: 1,
        medianSecondsSoFar: 96 * HOUR,
        // A's −0.5 and B's email +0.1.
        sentimentMean: -0.2,
        sentimentInteractions: 2,
        sentimentCustomers: 2,
        nps: { responses: 1, mean: 3, score: -100, promoters: 0, passives: 0, detractors: 1 },
        csat: { responses: 1, mean: 5, score: 100, satisfied: 1 },
        ces: { responses: 1, mean: 2 },
      },
      {
        key: "ordered",
        name: "Ordered",
        position: 2,
        reached: 2,
        entered: 2,
        dropOff: 0,
        dropOffShare: 0,
        // Nobody leaves the last stage: A there 95h, C 98h.
        movedOn: 0,
        medianSecondsInStage: null,
        stillIn: 2,
        medianSecondsSoFar: 96.5 * HOUR,
        sentimentMean: 1,
        sentimentInteractions: 1,
        sentimentCustomers: 1,
        nps: noNps,
        csat: noCsat,
        ces: noCes,
      },
    ]);
  });

  test("as of a later clock, what happened since counts", async ({ db }) => {
    const { journey } = await seedJourneyMap(db);
    const map = await journeyMap(db.prisma, { journeyId: journey.id, now: at(300) });
    const carted = map.stages[1];
    // D carted at 200 (with −1 and a promoter's 9): carted now reached by all four.
    expect(map.stages[0]).toMatchObject({ reached: 4, dropOff: 0, movedOn: 4, stillIn: 0 });
    expect(carted).toMatchObject({ reached: 4, entered: 3, stillIn: 2, sentimentInteractions: 3 });
    expect(carted?.nps).toMatchObject({ responses: 2, promoters: 1, detractors: 1, score: 0 });
  });

  test("narrows to a cohort by when customers entered the journey, and to an owner's customers", async ({
    db,
  }) => {
    const { journey, ana } = await seedJourneyMap(db);
    const cohort = await journeyMap(db.prisma, {
      journeyId: journey.id,
      from: at(0.5),
      to: at(10),
      now: NOW,
    });
    // C (entered at 1) and D (at 3).
    expect(cohort.customers).toBe(2);
    expect(cohort.stages.map((s) => [s.key, s.reached, s.dropOff, s.medianSecondsInStage])).toEqual([
      ["visited", 2, 1, 1 * HOUR],
      ["carted", 1, 0, null],
      ["ordered", 1, 0, null],
    ]);

    const anas = await journeyMap(db.prisma, { journeyId: journey.id, ownerId: ana.id, now: NOW });
    expect(anas.customers).toBe(2);
    expect(
      anas.stages.map((s) => [s.key, s.reached, s.entered, s.medianSecondsInStage, s.nps.responses]),
    ).toEqual([
      ["visited", 2, 2, 3 * HOUR, 1],
      ["carted", 2, 2, 3 * HOUR, 1],
      ["ordered", 1, 1, null, 0],
    ]);
  });

  test("refuses an unknown journey and an empty period, saying what to fix", async ({ db }) => {
    const { journey } = await seedJourneyMap(db);
    await expect(journeyMap(db.prisma, { journeyId: randomUUID(), now: NOW })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      journeyMap(db.prisma, { journeyId: journey.id, from: at(5), to: at(5), now: NOW }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  test("maps a journey nobody entered with zeros and nulls, not errors", async ({ db }) => {
    const journey = await defineJourney(db.prisma, {
      key: "empty",
      name: "Empty",
      stages: [{ key: "only", name: "Only", enteredBy: ["never.happens"] }],
    });
    const map = await journeyMap(db.prisma, { journeyId: journey.id, now: NOW });
    expect(map.customers).toBe(0);
    expect(map.stages).toEqual([
      expect.objectContaining({
        key: "only",
        reached: 0,
        dropOffShare: null,
        sentimentMean: null,
        nps: noNps,
      }),
    ]);
  });
});
