// The sync engine against a fake Tiny Desk (msw), with the template plugin: a full sync stores and
// counts, an incremental one reads from the cursor and changes nothing for repeats, deletions delete,
// and records the hub refuses are dead-lettered while the run goes on.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { startSync } from "../../src/connectors/start-sync.ts";
import type { RescoreDrain } from "../../src/connectors/sync/run-sync.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { markRescoreDue } from "../../src/pipeline/mark-rescore-due.ts";
import { test } from "../helpers/database.ts";
import { silentLogger } from "../helpers/jobs.ts";
import { writes } from "../helpers/writes.ts";
import { installTemplate, testEngine } from "./helpers/hub.ts";
import { expectedFacts, makeTickets, type TinyDeskApi, tinyDeskTickets } from "./helpers/tiny-desk-api.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function stored(db: PrismaClient) {
  const interactions = await db.interaction.findMany({ orderBy: { externalId: "asc" } });
  const feedback = await db.feedback.findMany({ orderBy: { externalId: "asc" } });
  return {
    interactions: interactions.map((row) => row.externalId),
    feedback: feedback.map((row) => row.externalId),
    rows: { interactions, feedback },
  };
}

/** Every yielded record has exactly one outcome. */
function expectBalanced(run: {
  recordsFetched: number;
  recordsCreated: number;
  recordsUpdated: number;
  recordsUnchanged: number;
  recordsDeleted: number;
  recordsDeadLettered: number;
}) {
  expect(run.recordsFetched).toBe(
    run.recordsCreated +
      run.recordsUpdated +
      run.recordsUnchanged +
      run.recordsDeleted +
      run.recordsDeadLettered,
  );
}

describe("a sync run", () => {
  test("stores a full sync's records in batches, checkpoints the cursor, counts and rescores", async ({
    db,
  }) => {
    const api: TinyDeskApi = { tickets: makeTickets(12), requests: [] };
    server.use(tinyDeskTickets(api, { pageSize: 5 }));
    const connector = await installTemplate(db.prisma);
    const commits: Array<{ fetched: number; checkpoint: unknown }> = [];
    const engine = testEngine(db.prisma, {
      batchSize: 4,
      onCommit: ({ fetched, checkpoint }) => void commits.push({ fetched, checkpoint }),
    });

    const run = await engine.run({ name: "tinydesk" });

    expect(run).toMatchObject({ status: "SUCCEEDED", trigger: "MANUAL", error: null });
    // 12 tickets: 12 interactions, 4 ratings, and a customer record for the 9 whose customer has a
    // name; 3 of those name a customer for the first time, 6 repeat a known one.
    expect(run).toMatchObject({
      recordsFetched: 25,
      recordsCreated: 19,
      recordsUpdated: 0,
      recordsUnchanged: 6,
      recordsDeleted: 0,
      recordsDeadLettered: 0,
    });
    expect(run.startedAt).toBeInstanceOf(Date);
    expect(run.finishedAt?.getTime()).toBeGreaterThanOrEqual(run.startedAt?.getTime() ?? Infinity);
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    const facts = await stored(db.prisma);
    expect(facts.interactions).toEqual(expectedFacts(api.tickets).interactions);
    expect(facts.feedback).toEqual(expectedFacts(api.tickets).feedback);
    // Batches of 4, and each page's checkpoint commits the records before it first.
    expect(commits.filter((c) => c.checkpoint !== undefined).map((c) => c.checkpoint)).toEqual([
      { updatedSince: api.tickets[4]?.updated_at },
      { updatedSince: api.tickets[9]?.updated_at },
      { updatedSince: api.tickets[11]?.updated_at },
    ]);
    expect(commits.every((c) => c.fetched <= 4)).toBe(true);
    const cursor = await db.prisma.syncCursor.findUniqueOrThrow({
      where: { connectorId_stream: { connectorId: connector.id, stream: "tickets" } },
    });
    expect(cursor.cursor).toEqual({ updatedSince: api.tickets[11]?.updated_at });
    // Every customer the sync touched has a score.
    const customers = await db.prisma.customer.findMany({ include: { score: true } });
    expect(customers).toHaveLength(4);
    expect(customers.every((customer) => customer.score !== null)).toBe(true);
  });

  test("holds a page's checkpoint for the batch that follows it: fewer commits, the same cursor", async ({
    db,
  }) => {
    const api: TinyDeskApi = { tickets: makeTickets(12), requests: [] };
    server.use(tinyDeskTickets(api, { pageSize: 5 }));
    const connector = await installTemplate(db.prisma);
    const commits: Array<{ fetched: number; checkpoint: unknown }> = [];
    const engine = testEngine(db.prisma, {
      batchSize: 10,
      checkpointIntervalMs: 60_000,
      onCommit: ({ fetched, checkpoint }) => void commits.push({ fetched, checkpoint }),
    });

    const run = await engine.run({ name: "tinydesk" });

    expect(run).toMatchObject({ status: "SUCCEEDED", recordsFetched: 25, recordsCreated: 19 });
    // Batches fill to 10 records across pages (a page of 5 tickets yields about 10); each stores the
    // last checkpoint yielded before its end: none in the first, the first page's in the second.
    expect(commits).toEqual([
      { fetched: 10 },
      { fetched: 10, checkpoint: { updatedSince: api.tickets[4]?.updated_at } },
      { fetched: 5, checkpoint: { updatedSince: api.tickets[11]?.updated_at } },
    ]);
    const cursor = await db.prisma.syncCursor.findUniqueOrThrow({
      where: { connectorId_stream: { connectorId: connector.id, stream: "tickets" } },
    });
    expect(cursor.cursor).toEqual({ updatedSince: api.tickets[11]?.updated_at });
  });

  test("sends the connector's requests through the fetch the engine is given", async ({ db }) => {
    const api: TinyDeskApi = { tickets: makeTickets(6), requests: [] };
    server.use(tinyDeskTickets(api, { pageSize: 4 }));
    await installTemplate(db.prisma);
    const sent: string[] = [];
    const engine = testEngine(db.prisma, {
      fetch: (input, init) => {
        sent.push(input instanceof Request ? input.url : String(input));
        return globalThis.fetch(input, init);
      },
    });

    const run = await engine.run({ name: "tinydesk" });

    expect(run).toMatchObject({ status: "SUCCEEDED", recordsCreated: expect.any(Number) });
    expect(api.requests.length).toBeGreaterThan(0);
    expect(sent).toHaveLength(api.requests.length);
  });

  test("reads only what changed since the cursor, and repeats change nothing", async ({ db }) => {
    const api: TinyDeskApi = { tickets: makeTickets(6), requests: [] };
    server.use(tinyDeskTickets(api, { pageSize: 4 }));
    await installTemplate(db.prisma);
    const engine = testEngine(db.prisma);
    await engine.run({ name: "tinydesk" });
    const before = await stored(db.prisma);
    const customersBefore = await db.prisma.customer.findMany({ orderBy: { id: "asc" } });

    // Nothing new: the boundary ticket (one interaction, no name, no rating) comes again, since
    // updated_since is inclusive, and changes nothing.
    api.requests.length = 0;
    const repeat = await engine.run({ name: "tinydesk" });
    expect(api.requests).toEqual([{ updatedSince: api.tickets[5]?.updated_at, page: 0 }]);
    expect(repeat).toMatchObject({
      status: "SUCCEEDED",
      recordsFetched: 1,
      recordsCreated: 0,
      recordsUnchanged: 1,
    });
    expect((await stored(db.prisma)).rows).toEqual(before.rows);
    expect(await db.prisma.customer.findMany({ orderBy: { id: "asc" } })).toEqual(customersBefore);

    // Three new tickets: only they are created.
    api.tickets.push(...makeTickets(3, "2026-03-02T09:00:00Z", 100));
    const incremental = await engine.run({ name: "tinydesk" });
    expect(incremental).toMatchObject({ status: "SUCCEEDED", recordsCreated: 4, recordsUpdated: 0 });
    expectBalanced(incremental);
    const after = await stored(db.prisma);
    expect(after.interactions).toEqual(expectedFacts(api.tickets).interactions);
    expect(after.feedback).toEqual(expectedFacts(api.tickets).feedback);
  });

  test("updates a fact the provider corrected, and deletes one the provider deleted", async ({ db }) => {
    const api: TinyDeskApi = { tickets: makeTickets(3), requests: [] };
    server.use(tinyDeskTickets(api));
    await installTemplate(db.prisma);
    const engine = testEngine(db.prisma);
    await engine.run({ name: "tinydesk" });
    expect((await stored(db.prisma)).feedback).toEqual(["csat:t_0001"]);

    const [first, second] = api.tickets as [(typeof api.tickets)[0], (typeof api.tickets)[0]];
    Object.assign(first, { status: "deleted", subject: "", body: "", updated_at: "2026-03-05T10:00:00Z" });
    Object.assign(second, { subject: "Question t_0002, edited", updated_at: "2026-03-05T11:00:00Z" });
    const run = await engine.run({ name: "tinydesk" });

    expect(run).toMatchObject({ status: "SUCCEEDED", recordsDeleted: 2, recordsUpdated: 1 });
    expectBalanced(run);
    const facts = await stored(db.prisma);
    expect(facts.interactions).toEqual(["ticket:t_0002", "ticket:t_0003"]);
    expect(facts.feedback).toEqual([]);
    expect(facts.rows.interactions[0]?.summary).toBe("Question t_0002, edited");
  });

  test("dead-letters a record the database refuses and stores the rest of its batch", async ({ db }) => {
    const api: TinyDeskApi = { tickets: makeTickets(4), requests: [] };
    // Valid for the SDK's schemas, refused by PostgreSQL: text cannot hold a NUL character.
    (api.tickets[1] as { body: string }).body = "broken \u0000 body";
    server.use(tinyDeskTickets(api));
    const connector = await installTemplate(db.prisma);

    const run = await testEngine(db.prisma).run({ name: "tinydesk" });

    expect(run).toMatchObject({ status: "SUCCEEDED", recordsDeadLettered: 1 });
    expectBalanced(run);
    expect((await stored(db.prisma)).interactions).toEqual([
      "ticket:t_0001",
      "ticket:t_0003",
      "ticket:t_0004",
    ]);
    const [letter] = await db.prisma.deadLetter.findMany();
    expect(letter).toMatchObject({
      connectorId: connector.id,
      syncRunId: run.id,
      stream: "tickets",
      status: "PENDING",
    });
    expect(letter?.reason).toMatch(
      /could not store the interaction record: the database refused it \(22021\)/,
    );
    expect(JSON.parse(letter?.payload ?? "{}")).toMatchObject({
      externalId: "ticket:t_0002",
      body: "broken \u0000 body",
    });
    // The checkpoint after the page was stored: the next run does not trip over the record again.
    expect(await db.prisma.syncCursor.count()).toBe(1);
  });

  test("fails with the provider's error, keeping what it committed before", async ({ db }) => {
    const api: TinyDeskApi = { tickets: makeTickets(6), requests: [] };
    server.use(
      tinyDeskTickets(api, {
        pageSize: 3,
        onPage: (page) => {
          if (page === 1) throw new Error("second page unavailable");
        },
      }),
    );
    await installTemplate(db.prisma);

    const run = await testEngine(db.prisma).run({ name: "tinydesk" });

    expect(run.status).toBe("FAILED");
    expect(run.error).toMatch(
      /^stream "tickets": GET https:\/\/api\.tinydesk\.example\/v1\/tickets\?.* failed after 2 attempts: 500/,
    );
    expect((await stored(db.prisma)).interactions).toEqual([
      "ticket:t_0001",
      "ticket:t_0002",
      "ticket:t_0003",
    ]);
    expect((await db.prisma.connector.findFirstOrThrow()).status).toBe("ACTIVE");
  });

  test("marks the connector FAILING when the provider refuses its credentials", async ({ db }) => {
    server.use(tinyDeskTickets({ tickets: makeTickets(1), requests: [] }));
    await installTemplate(db.prisma, "tinydesk", { apiToken: "td_live_revoked_00" });

    const run = await testEngine(db.prisma).run({ name: "tinydesk" });

    expect(run.status).toBe("FAILED");
    expect(run.error).toContain("401");
    expect((await db.prisma.connector.findFirstOrThrow()).status).toBe("FAILING");
    expect(run.error).not.toContain("td_live_revoked_00");
  });

  test("rescores the customers its batches touched once, when its streams end; a dead run's are scored by the next", async ({
    db,
  }) => {
    const api: TinyDeskApi = { tickets: makeTickets(12), requests: [] };
    server.use(tinyDeskTickets(api, { pageSize: 5 }));
    await installTemplate(db.prisma);
    const duringRun: Array<{ due: number; scored: number }> = [];
    const drains: RescoreDrain[] = [];
    const engine = testEngine(db.prisma, {
      batchSize: 4,
      onCommit: async () => {
        duringRun.push({
          due: await db.prisma.customerRescoreDue.count(),
          scored: await db.prisma.score.count(),
        });
      },
      onRescore: (drain) => void drains.push(drain),
    });

    const run = await engine.run({ name: "tinydesk" });

    expect(run.status).toBe("SUCCEEDED");
    // The batches marked their customers due and scored no one; the run's end scored the four once.
    expect(duringRun.length).toBeGreaterThan(1);
    expect(duringRun.every(({ due, scored }) => due > 0 && scored === 0)).toBe(true);
    expect(drains).toHaveLength(1);
    expect(drains[0]).toMatchObject({ customers: 4, rescored: 4 });
    expect(await db.prisma.customerRescoreDue.count()).toBe(0);
    const customers = await db.prisma.customer.findMany({ include: { score: true } });
    expect(customers).toHaveLength(4);
    expect(customers.every((customer) => customer.score !== null)).toBe(true);

    // A run that died after committing a batch left its customer due, unscored: the next run, with
    // nothing new to store, scores them.
    const [left] = customers as [(typeof customers)[number]];
    await db.prisma.$transaction(async (tx) => {
      await tx.score.delete({ where: { customerId: left.id } });
      await markRescoreDue(tx, [left.id], new Date("2026-03-01T00:00:00Z"));
    });
    const next = await engine.run({ name: "tinydesk" });
    expect(next.status).toBe("SUCCEEDED");
    expect(drains[1]).toMatchObject({ customers: 1, rescored: 1 });
    expect(await db.prisma.customerRescoreDue.count()).toBe(0);
    expect(await db.prisma.score.findUnique({ where: { customerId: left.id } })).not.toBeNull();
    await engine.close();
  });
  test("a long run also scores its due customers between commits, every rescoreIntervalMs", async ({
    db,
  }) => {
    server.use(tinyDeskTickets({ tickets: makeTickets(12), requests: [] }, { pageSize: 5 }));
    await installTemplate(db.prisma);
    const drains: RescoreDrain[] = [];
    const scoredAtCommits: number[] = [];
    const engine = testEngine(db.prisma, {
      batchSize: 4,
      rescoreIntervalMs: 0,
      onCommit: async () => void scoredAtCommits.push(await db.prisma.score.count()),
      onRescore: (drain) => void drains.push(drain),
    });

    const run = await engine.run({ name: "tinydesk" });
    await engine.close();

    expect(run.status).toBe("SUCCEEDED");
    // Drains ran before the end: some batch committed after customers were already scored.
    expect(scoredAtCommits.some((scored) => scored > 0)).toBe(true);
    expect(drains.length).toBeGreaterThan(1);
    // Each customer scored once at least, none left due, and the drains together took every mark.
    expect(drains.reduce((sum, drain) => sum + drain.customers, 0)).toBeGreaterThanOrEqual(4);
    expect(await db.prisma.customerRescoreDue.count()).toBe(0);
    expect(await db.prisma.score.count()).toBe(4);
  });

  test("customers a cut-short run left due are scored when an instance starts, with no run needed", async ({
    db,
  }) => {
    server.use(tinyDeskTickets({ tickets: makeTickets(4), requests: [] }));
    await installTemplate(db.prisma);
    const engine = testEngine(db.prisma);
    expect((await engine.run({ name: "tinydesk" })).status).toBe("SUCCEEDED");
    await engine.close();
    // As a run stopped by a shutdown after committing a batch leaves it: stored, due, unscored.
    const [left] = await db.prisma.customer.findMany();
    if (!left) throw new Error("The sync stored no customer.");
    await db.prisma.$transaction(async (tx) => {
      await tx.score.delete({ where: { customerId: left.id } });
      await markRescoreDue(tx, [left.id], new Date("2026-03-01T00:00:00Z"));
    });

    const sync = await startSync({
      config: loadConfig({ PORT: "0" }),
      database: db,
      logger: silentLogger,
      writes: writes(),
    });
    const drained = await sync.leftDue;
    await sync.stop();

    expect(drained).toMatchObject({ customers: 1, rescored: 1 });
    expect(await db.prisma.customerRescoreDue.count()).toBe(0);
    expect(await db.prisma.score.findUnique({ where: { customerId: left.id } })).not.toBeNull();
  });
});
