// The settings a unit of work's rescoring reads in one statement: the model in use (the newest fit,
// as currentScoreModel answers) and every saved segment, with its definition.
import { describe, expect } from "vitest";
import { runTransaction } from "../../src/db/transaction-sql.ts";
import { createSegment } from "../../src/domain/segments/manage-segments.ts";
import { readUnitSettings } from "../../src/pipeline/unit-settings.ts";
import { currentScoreModel } from "../../src/scoring/score-model.ts";
import { test } from "../helpers/database.ts";
import { publishedModel } from "../helpers/published-cdnow-model.ts";

const NOW = new Date("2026-03-02T10:00:00Z");

describe("a unit of work's settings", () => {
  test("are the newest model and every segment, read in one statement", async ({ db }) => {
    const read = () =>
      runTransaction(db.prisma, (tx) => readUnitSettings(tx), { maxWait: 5_000, timeout: 10_000 });
    expect(await read()).toEqual({ model: null, segments: [] });

    const stored = (version: string, fittedAt: Date) =>
      db.prisma.scoreModel.create({ data: publishedModel(version, fittedAt) });
    await stored("older", new Date(NOW.getTime() - 86_400_000));
    const newest = await stored("newest", NOW);
    const principal = await db.prisma.principal.create({ data: { name: "Ana Souza" } });
    const segment = await createSegment(
      db.prisma,
      { principalId: principal.id, mayEditAny: true },
      { name: "Support writers", definition: { channel: "SUPPORT", lifecycleStages: ["CUSTOMER"] } },
      NOW,
    );

    const settings = await read();
    expect(settings.model).toEqual(await currentScoreModel(db.prisma));
    expect(settings.model?.id).toBe(newest.id);
    expect(settings.segments).toHaveLength(1);
    expect(settings.segments[0]?.id).toBe(segment.id);
    const definition = settings.segments[0]?.definition;
    expect(JSON.parse(String(definition))).toEqual(
      (await db.prisma.segment.findUniqueOrThrow({ where: { id: segment.id } })).definition,
    );
  });
});
