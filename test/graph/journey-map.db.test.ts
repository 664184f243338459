import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import { at, HOUR, NOW, seedJourneyMap } from "../domain/journeys/helpers/journey-map-population.ts";
import { JourneyMapDocument, type JourneyMapQueryVariables } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");
const clock = () => NOW;

describe("the journeyMap query", () => {
  test("answers the whole map in one query, as of the server's clock", async ({ db }) => {
    const { journey } = await seedJourneyMap(db);
    const analyst = await createTestClient(db, { role: "ANALYST", scopes: [], clock });

    const result = await analyst.execute(JourneyMapDocument, { journeyId: gid("Journey", journey.id) });

    expect(result.errors).toBeUndefined();
    const map = result.data?.journeyMap;
    expect(map?.journey).toEqual({ id: gid("Journey", journey.id), key: "purchase", name: "Purchase" });
    expect(map?.asOf).toBe(NOW.toISOString());
    expect(map?.customers).toBe(4);
    expect(map?.stages.map((s) => [s.key, s.reached, s.dropOff, s.medianSecondsInStage, s.stillIn])).toEqual([
      ["visited", 4, 1, 2 * HOUR, 1],
      ["carted", 3, 1, 3 * HOUR, 1],
      ["ordered", 2, 0, null, 2],
    ]);
    const visited = map?.stages[0];
    expect(visited?.sentimentMean).toBeCloseTo(-0.25, 9);
    expect(visited?.sentimentInteractions).toBe(2);
    expect(visited?.nps).toEqual({
      responses: 2,
      mean: 9,
      score: 50,
      promoters: 1,
      passives: 1,
      detractors: 0,
    });
    expect(map?.stages[1]?.csat).toEqual({ responses: 1, mean: 5, score: 100, satisfied: 1 });
    expect(map?.stages[1]?.ces).toEqual({ responses: 1, mean: 2 });

    // The period is a cohort: who entered the journey in it (C at hour 1, D at hour 3).
    const cohort = await analyst.execute(JourneyMapDocument, {
      journeyId: gid("Journey", journey.id),
      filter: { period: { from: at(0.5).toISOString(), to: at(10).toISOString() } },
    });
    expect(cohort.data?.journeyMap.customers).toBe(2);
  });

  test("covers only an account manager's own customers, whatever owner they ask for", async ({ db }) => {
    const { journey, ana, bo } = await seedJourneyMap(db);
    const anaClient = await createTestClient(db, {
      role: "ACCOUNT_MANAGER",
      principalId: ana.id,
      scopes: [],
      clock,
    });
    for (const filter of [undefined, { ownerId: gid("Principal", bo.id) }]) {
      const result = await anaClient.execute(JourneyMapDocument, {
        journeyId: gid("Journey", journey.id),
        filter,
      });
      expect(result.errors).toBeUndefined();
      const map = result.data?.journeyMap;
      // A and B only: C's skip and D's stay in "visited" are Bo's.
      expect(map?.customers).toBe(2);
      expect(map?.stages.map((s) => [s.key, s.reached, s.entered, s.nps.responses])).toEqual([
        ["visited", 2, 2, 1],
        ["carted", 2, 2, 1],
        ["ordered", 1, 1, 0],
      ]);
    }

    // An analyst may narrow to any owner.
    const analyst = await createTestClient(db, { role: "ANALYST", scopes: [], clock });
    const bos = await analyst.execute(JourneyMapDocument, {
      journeyId: gid("Journey", journey.id),
      filter: { ownerId: gid("Principal", bo.id) },
    });
    expect(bos.data?.journeyMap.customers).toBe(2);
    expect(bos.data?.journeyMap.stages.map((s) => s.stillIn)).toEqual([1, 0, 1]);
  });

  test("refuses bad input with a code that says what to fix", async ({ db }) => {
    const { journey, ana } = await seedJourneyMap(db);
    const analyst = await createTestClient(db, { role: "ANALYST", scopes: [], clock });
    const codeOf = async (variables: JourneyMapQueryVariables) => {
      const result = await analyst.execute(JourneyMapDocument, variables);
      expect(result.data?.journeyMap ?? null).toBeNull();
      return [result.errors?.[0]?.extensions?.code, result.errors?.[0]?.message];
    };

    expect(await codeOf({ journeyId: gid("Principal", ana.id) })).toEqual([
      "BAD_USER_INPUT",
      expect.stringMatching(/not the ID of a Journey/),
    ]);
    expect(await codeOf({ journeyId: gid("Journey", randomUUID()) })).toEqual([
      "NOT_FOUND",
      expect.stringMatching(/No journey has the id/),
    ]);
    expect(
      await codeOf({
        journeyId: gid("Journey", journey.id),
        filter: { period: { from: at(5).toISOString(), to: at(1).toISOString() } },
      }),
    ).toEqual(["BAD_USER_INPUT", expect.stringMatching(/window is empty/)]);
    expect(
      await codeOf({ journeyId: gid("Journey", journey.id), filter: { ownerId: gid("Customer", ana.id) } }),
    ).toEqual(["BAD_USER_INPUT", expect.stringMatching(/not the ID of a Principal/)]);

    // An integrator syncs data in; it reads no journey map.
    const integrator = await createTestClient(db, { role: "INTEGRATOR", scopes: [], clock });
    const refused = await integrator.execute(JourneyMapDocument, { journeyId: gid("Journey", journey.id) });
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
