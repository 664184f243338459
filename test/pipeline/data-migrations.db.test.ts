// The start-up data migrations: stored Gmail sentiment on its old scale is restated once, the
// customers whose messages changed are rescored as of the clock, and only then is it recorded; a
// second start changes nothing, and a start cut short before the record rescores them again.
import { describe, expect } from "vitest";
import { sentimentOf } from "../../plugins/gmail/sentiment.ts";
import { RESTATE_SENTIMENT } from "../../src/domain/interactions/restate-sentiment.ts";
import { createLogger } from "../../src/logger.ts";
import { runDataMigrations } from "../../src/pipeline/data-migrations.ts";
import { test } from "../helpers/database.ts";
import { writesAt } from "../helpers/writes.ts";

const NOW = new Date("2026-03-10T12:00:00Z");

describe("the start-up data migrations", () => {
  test("restate old-scale Gmail sentiment once and rescore its customers as of the clock", async ({ db }) => {
    await db.prisma.connector.create({ data: { pluginId: "gmail", name: "support-inbox" } });
    const ana = await db.prisma.customer.create({ data: { displayName: "Ana" } });
    await db.prisma.interaction.create({
      data: {
        customerId: ana.id,
        source: "support-inbox",
        externalId: "g-1",
        channel: "EMAIL",
        kind: "email.received",
        direction: "INBOUND",
        occurredAt: new Date("2026-03-09T08:00:00Z"),
        body: "Terrible!",
        // Gmail's old scale: tanh(−3 per 1 word).
        sentiment: -0.995,
      },
    });
    const logger = createLogger("error");

    await runDataMigrations(db.prisma, writesAt(NOW), logger, { sentimentScorers: { gmail: sentimentOf } });
    const restated = await db.prisma.interaction.findFirstOrThrow();
    // The hub's one scale: −3 / √(9 + 15).
    expect(restated.sentiment).toBeCloseTo(-3 / Math.sqrt(24), 3);
    const score = await db.prisma.score.findUniqueOrThrow({ where: { customerId: ana.id } });
    expect(score.computedAt).toEqual(NOW);

    expect(await db.prisma.dataMigration.findMany({ select: { name: true } })).toEqual([
      { name: RESTATE_SENTIMENT },
    ]);
    const computedAt = async () =>
      (await db.prisma.score.findUniqueOrThrow({ where: { customerId: ana.id } })).computedAt;

    // Recorded: a later start leaves everything as it is.
    const later = new Date("2026-03-11T12:00:00Z");
    await runDataMigrations(db.prisma, writesAt(later), logger, { sentimentScorers: { gmail: sentimentOf } });
    expect(await computedAt()).toEqual(NOW);

    // A start that stopped before recording it (the rows already restated) rescores Ana all the same.
    await db.prisma.dataMigration.deleteMany();
    await runDataMigrations(db.prisma, writesAt(later), logger, { sentimentScorers: { gmail: sentimentOf } });
    expect(await computedAt()).toEqual(later);
  });
});
