// A segment as a filter on the analyses: the feedback metrics, the journey map and the alert list
// count only the segment's members, and for an account manager only their own among them.
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import type { CustomerFilterInput } from "../../src/domain/customers/customer-filter.ts";
import { createSegment } from "../../src/domain/segments/manage-segments.ts";
import { buildPopulation, POPULATION_NOW, type Population } from "../domain/segments/segment-population.ts";
import {
  AlertsDocument,
  FeedbackDashboardDocument,
  JourneyFunnelDocument,
  JourneyMapDocument,
} from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const clock = () => new Date(POPULATION_NOW);
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");

async function setUp(db: Database, definition: CustomerFilterInput) {
  const population = await buildPopulation(db);
  const admin = await createTestClient(db, { clock });
  const ana = await createTestClient(db, {
    role: "ACCOUNT_MANAGER",
    principalId: population.ana,
    scopes: [],
    clock,
  });
  const segment = await createSegment(
    db.prisma,
    { principalId: admin.principal.id, mayEditAny: true },
    { name: "Under test", definition },
    POPULATION_NOW,
  );
  return { population, admin, ana, segmentId: gid("Segment", segment.id) };
}

describe("a segment as a filter", () => {
  test("narrows the feedback metrics to its members' answers", async ({ db }) => {
    // CRITICAL: Bob (NPS 3, Ana's) and Eve (NPS 9, Ben's); Zed's 0 is a merged-away customer's.
    const { admin, ana, segmentId } = await setUp(db, { churnRiskLevels: ["CRITICAL"] });
    const nps = async (client: typeof admin) => {
      const result = await client.execute(FeedbackDashboardDocument, {
        filter: { segmentId, from: "2026-02-01T00:00:00Z", to: "2026-03-01T00:00:00Z" },
        bucket: "MONTH",
      });
      expect(result.errors).toBeUndefined();
      const { score, responses, promoters, detractors } = result.data?.feedbackMetrics.nps ?? {};
      const trend = result.data?.npsTrend.map((point) => [point.responses, point.score]);
      return { score, responses, promoters, detractors, trend };
    };
    expect(await nps(admin)).toEqual({
      score: 0,
      responses: 2,
      promoters: 1,
      detractors: 1,
      trend: [[2, 0]],
    });
    expect(await nps(ana)).toEqual({
      score: -100,
      responses: 1,
      promoters: 0,
      detractors: 1,
      trend: [[1, -100]],
    });
  });

  test("narrows the journey map to its members", async ({ db }) => {
    // CUSTOMER: Ada (activated) and Bob (signed up); Cy, a LEAD, also activated but is left out.
    const { population, admin, ana, segmentId } = await setUp(db, { lifecycleStages: ["CUSTOMER"] });
    const journey = await db.prisma.journey.findUniqueOrThrow({ where: { key: "onboarding" } });
    const reached = async (client: typeof admin, filter?: { segmentId: string }) => {
      const result = await client.execute(JourneyMapDocument, {
        journeyId: gid("Journey", journey.id),
        filter,
      });
      expect(result.errors).toBeUndefined();
      return result.data?.journeyMap.stages.map((stage) => [stage.key, stage.reached]);
    };
    expect(await reached(admin)).toEqual([
      ["signed-up", 3],
      ["activated", 2],
    ]);
    expect(await reached(admin, { segmentId })).toEqual([
      ["signed-up", 2],
      ["activated", 1],
    ]);
    await db.prisma.customer.update({ where: { id: population.ids.ada }, data: { ownerId: population.ben } });
    expect(await reached(ana, { segmentId })).toEqual([
      ["signed-up", 1],
      ["activated", 0],
    ]);
  });

  test("narrows the journey funnel to its members", async ({ db }) => {
    // CUSTOMER: Ada (activated) and Bob (signed up); Cy, a LEAD, also activated but is left out.
    const { admin, segmentId } = await setUp(db, { lifecycleStages: ["CUSTOMER"] });
    const funnel = async (segment?: string) => {
      const result = await admin.execute(JourneyFunnelDocument, { key: "onboarding", segmentId: segment });
      expect(result.errors).toBeUndefined();
      return result.data?.journeyFunnel.map((stage) => [stage.key, stage.reached, stage.current]);
    };
    expect(await funnel()).toEqual([
      ["signed-up", 3, 1],
      ["activated", 2, 2],
    ]);
    expect(await funnel(segmentId)).toEqual([
      ["signed-up", 2, 1],
      ["activated", 1, 1],
    ]);
  });

  test("narrows the alert list to alerts about its members", async ({ db }) => {
    // Reachable by email: Ada, Bob, Eve and Frank; alerts about Ada, Bob, Cy and Eve.
    const { population, admin, ana, segmentId } = await setUp(db, { channels: ["EMAIL"] });
    await db.prisma.alert.deleteMany();
    const alert = (who: keyof Population["ids"], ownerId: string | null) =>
      db.prisma.alert.create({
        data: {
          customerId: population.ids[who],
          ownerId,
          level: "HIGH",
          score: 0.7,
          triggerKey: `test-${who}`,
        },
      });
    await alert("ada", population.ana);
    await alert("bob", population.ana);
    await alert("cy", population.ben);
    await alert("eve", population.ben);
    const about = async (client: typeof admin) => {
      const result = await client.execute(AlertsDocument, { filter: { segmentId }, first: 50 });
      expect(result.errors).toBeUndefined();
      return {
        total: result.data?.alerts.totalCount,
        customers: result.data?.alerts.edges.map((edge) => edge.node.customer.id).sort(),
      };
    };
    const customer = (...names: Array<keyof Population["ids"]>) =>
      names.map((name) => gid("Customer", population.ids[name])).sort();
    expect(await about(admin)).toEqual({ total: 3, customers: customer("ada", "bob", "eve") });
    expect(await about(ana)).toEqual({ total: 2, customers: customer("ada", "bob") });
  });
});
