// The trend of a segment's size: the daily count job runs on the job engine as the hub's clock moves
// (never the machine's), records one count per day however often the scheduler ticks, and the trend
// reads those counts under each reader's visibility.
import { describe, expect } from "vitest";
import { createSegment } from "../../src/domain/segments/manage-segments.ts";
import { QUEUES } from "../../src/jobs/job-engine.ts";
import { type RunningJobs, startJobs } from "../../src/jobs/start-jobs.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { buildPopulation } from "../domain/segments/segment-population.ts";
import { SegmentTrendDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";
import { dropJobSchema, silentLogger } from "../helpers/jobs.ts";

const DAY = 24 * 3600_000;
const T0 = new Date("2026-03-02T10:30:00Z");

async function countDone(jobs: RunningJobs, id: string) {
  await expect
    .poll(async () => (await jobs.engine.boss.getJobById(QUEUES.segmentCounts, id))?.state, {
      timeout: 30_000,
      interval: 100,
    })
    .toBe("completed");
}

describe("daily segment counts", () => {
  test("records each day's size once as the clock moves, and the trend shows each reader their own", {
    timeout: 90_000,
  }, async ({ db }) => {
    const population = await buildPopulation(db);
    const admin = await createTestClient(db);
    const segment = await createSegment(
      db.prisma,
      { principalId: admin.principal.id, mayEditAny: true },
      { name: "At risk", definition: { churnRiskLevels: ["HIGH", "CRITICAL"] } },
      T0,
    );
    let now = new Date(T0);
    const clock = () => new Date(now);
    const jobs = await startJobs({
      database: db,
      logger: silentLogger,
      writes: { policy: DEFAULT_SCORING_POLICY, clock },
      sync: null,
      autoTick: false,
    });
    try {
      const first = (await jobs.tick()).segmentCount;
      expect(first?.day).toBe("2026-03-02");
      await countDone(jobs, first?.id ?? "");
      // The same slot again, from any tick: nothing more is queued.
      expect((await jobs.tick()).segmentCount).toBeNull();

      // Eve is no longer at risk the next day.
      await db.prisma.score.update({
        where: { customerId: population.ids.eve },
        data: { churnRisk: 0.1, churnRiskLevel: "LOW" },
      });
      now = new Date(T0.getTime() + DAY);
      const second = (await jobs.tick()).segmentCount;
      expect(second?.day).toBe("2026-03-03");
      await countDone(jobs, second?.id ?? "");
    } finally {
      await jobs.stop();
      await dropJobSchema(db);
    }
    expect(await db.prisma.segmentCount.count({ where: { segmentId: segment.id } })).toBe(6);

    const id = Buffer.from(`Segment:${segment.id}`).toString("base64");
    const trendOf = async (client: Awaited<ReturnType<typeof createTestClient>>) => {
      const result = await client.execute(SegmentTrendDocument, {
        id,
        period: { from: "2026-03-01T00:00:00Z", to: "2026-03-10T00:00:00Z" },
      });
      expect(result.errors).toBeUndefined();
      const node = result.data?.node;
      if (node?.__typename !== "Segment") throw new Error("not a segment");
      return node.trend.map((point) => [point.day, point.members]);
    };
    expect(await trendOf(admin)).toEqual([
      ["2026-03-02", 3],
      ["2026-03-03", 2],
    ]);
    const manager = (principalId: string) =>
      createTestClient(db, { role: "ACCOUNT_MANAGER", principalId, scopes: [] });
    expect(await trendOf(await manager(population.ana))).toEqual([
      ["2026-03-02", 1],
      ["2026-03-03", 1],
    ]);
    expect(await trendOf(await manager(population.ben))).toEqual([
      ["2026-03-02", 2],
      ["2026-03-03", 1],
    ]);
  });
});
