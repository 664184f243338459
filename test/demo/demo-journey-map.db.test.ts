// The demo ships two journeys so that the journey map has data on the first start.
import { describe, expect } from "vitest";
import { DEMO_JOURNEYS } from "../../src/demo/demo-journeys.ts";
import { loadDemoData } from "../../src/demo/load-demo-data.ts";
import { JourneyMapDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const now = new Date("2026-11-23T12:00:00Z");

describe("the demo's journey maps", () => {
  test("have customers, time in stage, sentiment and survey scores in every journey", async ({ db }) => {
    await loadDemoData(db.prisma, { now });
    const client = await createTestClient(db, { role: "ANALYST", scopes: [], clock: () => now });
    const journeys = await db.prisma.journey.findMany({ orderBy: { key: "asc" } });
    expect(journeys.map((journey) => journey.key)).toEqual(
      DEMO_JOURNEYS.map((journey) => journey.key).sort(),
    );

    for (const journey of journeys) {
      const result = await client.execute(JourneyMapDocument, {
        journeyId: Buffer.from(`Journey:${journey.id}`).toString("base64"),
      });
      expect(result.errors).toBeUndefined();
      const map = result.data?.journeyMap;
      expect(map?.customers, journey.key).toBeGreaterThan(0);
      const [first, last] = map?.stages ?? [];
      // Some customers moved on from the first stage, some stayed: both halves of time in stage.
      expect(first?.movedOn, journey.key).toBeGreaterThan(0);
      expect(first?.medianSecondsInStage, journey.key).toBeGreaterThan(0);
      expect(first?.dropOff, journey.key).toBe((first?.reached ?? 0) - (last?.reached ?? 0));
      expect(first?.dropOff, journey.key).toBeGreaterThan(0);
      for (const stage of map?.stages ?? []) {
        const where = `${journey.key}/${stage.key}`;
        expect(stage.reached, where).toBeGreaterThan(0);
        expect(stage.entered, where).toBe(stage.movedOn + stage.stillIn);
        expect(stage.medianSecondsSoFar, where).toBeGreaterThan(0);
        // The emotion curve has a point at every stage, and survey answers sit beside it.
        expect(stage.sentimentInteractions, where).toBeGreaterThan(0);
        expect(Math.abs(stage.sentimentMean ?? 2), where).toBeLessThanOrEqual(1);
        expect(stage.nps.responses, where).toBeGreaterThan(0);
        expect(stage.nps.promoters + stage.nps.passives + stage.nps.detractors, where).toBe(
          stage.nps.responses,
        );
      }
    }
  }, 120_000);
});
