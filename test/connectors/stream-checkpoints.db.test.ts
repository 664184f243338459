// Resetting a stream's checkpoint against runs queued at the same moment: the database decides, in
// the statement that deletes, so that a run queued just after a separate check could not store its
// checkpoint over the reset (or resume from a checkpoint the operator asked to forget).
import { describe, expect } from "vitest";
import { resetStreamCheckpoint } from "../../src/connectors/sync/stream-checkpoints.ts";
import { ConflictError } from "../../src/domain/errors.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { test } from "../helpers/database.ts";
import { installTemplate, plugins } from "./helpers/hub.ts";

/**
 * The database, except that a run of the connector is queued right after the first time anyone
 * looks for its active runs: the interleaving a check before the delete leaves open.
 */
function queueingARunAfterTheFirstLook(db: PrismaClient, connectorId: string): PrismaClient {
  let queued = false;
  const runs = new Proxy(db.syncRun, {
    get(delegate, key) {
      if (key !== "findFirst") return Reflect.get(delegate, key);
      return async (args: Parameters<PrismaClient["syncRun"]["findFirst"]>[0]) => {
        const found = await delegate.findFirst(args);
        if (!queued) {
          queued = true;
          await db.syncRun.create({ data: { connectorId, trigger: "MANUAL", status: "QUEUED" } });
        }
        return found;
      };
    },
  });
  return new Proxy(db, {
    get(client, key) {
      if (key === "syncRun") return runs;
      const value = Reflect.get(client, key);
      return typeof value === "function" ? value.bind(client) : value;
    },
  });
}

describe("resetStreamCheckpoint", () => {
  test("does not forget a checkpoint once a run is queued, however the two interleave", async ({ db }) => {
    const connector = await installTemplate(db.prisma);
    const where = { connectorId: connector.id, stream: "tickets" };
    await db.prisma.syncCursor.create({
      data: { ...where, cursor: { updatedSince: "2026-03-01T00:00:00Z" } },
    });

    await resetStreamCheckpoint(
      queueingARunAfterTheFirstLook(db.prisma, connector.id),
      plugins,
      connector,
      "tickets",
    ).catch((error: unknown) => {
      if (!(error instanceof ConflictError)) throw error;
    });

    const state = {
      checkpoint: await db.prisma.syncCursor.count({ where }),
      queuedRuns: await db.prisma.syncRun.count({ where: { connectorId: connector.id, status: "QUEUED" } }),
    };
    // Forgotten before the run was queued, or kept because it was: never forgotten under it.
    expect([
      { checkpoint: 0, queuedRuns: 0 },
      { checkpoint: 1, queuedRuns: 1 },
    ]).toContainEqual(state);
  });

  test("refuses while a run is active and keeps the checkpoint", async ({ db }) => {
    const connector = await installTemplate(db.prisma);
    const where = { connectorId: connector.id, stream: "tickets" };
    await db.prisma.syncCursor.create({
      data: { ...where, cursor: { updatedSince: "2026-03-01T00:00:00Z" } },
    });
    const run = await db.prisma.syncRun.create({
      data: { connectorId: connector.id, trigger: "MANUAL", status: "RUNNING" },
    });

    const refused = await resetStreamCheckpoint(db.prisma, plugins, connector, "tickets").catch((e) => e);

    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as Error).message).toContain(run.id);
    expect(await db.prisma.syncCursor.count({ where })).toBe(1);
  });
});
