// The score write (score-writes.ts) reads the batch's stored scores by their key, whatever plan
// PostgreSQL makes for it: on a connection's first five executions of the prepared statement, planned
// for the batch's ids, "= ANY" of 2,000 ids read the whole Score table twice for each batch (the read
// of the previous scores and the update), and the drain after a first sync grew with every score it
// had written. The read is now a probe per id; the update names only the scores read, which an index
// finds once the table is analyzed, but which PostgreSQL may still find by one scan of a small table
// never analyzed, as here (the test's tables are never analyzed, as right after a first sync).
import { describe, expect } from "vitest";
import { uuidv7 } from "../../src/db/uuid-v7.ts";
import { type ScoreRow, writeScoreRows } from "../../src/scoring/score-writes.ts";
import { test } from "../helpers/database.ts";
import { numberedCustomers } from "../helpers/numbered-customers.ts";
import { rowsRead } from "../helpers/rows-read.ts";

const CUSTOMERS = 2_000;
const BATCH = 100;
const asOf = new Date("2026-06-01T12:00:00Z");
const model = { modelId: null, modelVersion: "test", asOf };

const row = (customerId: string, churnRisk: number): ScoreRow => ({
  customerId,
  churnRisk,
  level: churnRisk >= 0.6 ? "HIGH" : "LOW",
  reasons: [],
  probabilityAlive: null,
  expectedTransactions: null,
  clv: null,
  currency: null,
  health: Math.round(100 * (1 - churnRisk)),
  forecastMonths: null,
  repeatTransactions: null,
  firstPurchaseOn: null,
  lastPurchaseOn: null,
  averageRepeatSpend: null,
  historyId: uuidv7(),
});

describe("the score write's reads", () => {
  test("a batch reads its own stored scores, not every score", async ({ db }) => {
    const ids = await numberedCustomers(db.prisma, CUSTOMERS);
    const stored = ids.slice(0, CUSTOMERS - BATCH);
    await writeScoreRows(
      db.prisma,
      stored.map((id) => row(id, 0.2)),
      model,
    );
    const read = await db.prisma.$transaction(async (tx) => {
      const scoresRead = () => rowsRead(tx, "Score");
      const before = await scoresRead();
      // New scores: looked up (none found) and inserted.
      const first = await writeScoreRows(
        tx,
        ids.slice(-BATCH).map((id) => row(id, 0.7)),
        model,
      );
      const afterNew = await scoresRead();
      // Stored scores: looked up, then updated.
      const moved = await writeScoreRows(
        tx,
        stored.slice(0, BATCH).map((id) => row(id, 0.7)),
        model,
      );
      return { first, moved, newRead: afterNew - before, movedRead: (await scoresRead()) - afterNew };
    });
    expect([...read.first.values()].every((previous) => previous === null)).toBe(true);
    expect([...read.moved.values()]).toEqual(Array(BATCH).fill({ risk: 0.2, level: "LOW" }));
    // At most one read of the table (the update's scan), where there were two.
    expect(read.newRead).toBeLessThanOrEqual(stored.length);
    expect(read.movedRead).toBeLessThanOrEqual(stored.length + 2 * BATCH);
    expect(await db.prisma.score.count({ where: { churnRisk: 0.7 } })).toBe(2 * BATCH);
  });
});
