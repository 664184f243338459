// A sync killed mid-run (SIGKILL, in a child process, after it committed records past its last
// checkpoint) resumes from that checkpoint: nothing is missing, nothing is stored twice, and the run
// it left RUNNING does not block the connector. PostgreSQL only: a PGlite data folder cannot be
// shared between two processes.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { fromPostgresUrl } from "../../src/db/database.ts";
import { copyOfTemplate } from "../helpers/postgres-test-databases.ts";
import { CHILD_TICKETS, KILL_ME } from "./fixtures/sync-child.ts";
import { installTemplate, testEngine } from "./helpers/hub.ts";
import { expectedFacts, makeTickets, type TinyDeskApi, tinyDeskTickets } from "./helpers/tiny-desk-api.ts";

const onPostgres = inject("databaseKind") === "postgres";
const childScript = fileURLToPath(new URL("./fixtures/sync-child.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

/** Resolves with the line that says the child committed past its checkpoint; rejects if it exits first. */
function waitForKillPoint(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith(KILL_ME));
      if (line) resolve(line);
    });
    child.stderr?.on("data", (chunk) => {
      err += chunk;
    });
    child.on("exit", (code) =>
      reject(new Error(`The child exited (${code}) before its kill point:\n${out}\n${err}`)),
    );
  });
}

describe.skipIf(!onPostgres)("a sync killed mid-run", () => {
  test("resumes from the last checkpoint with no gaps and no duplicates", { timeout: 120_000 }, async () => {
    const copy = await copyOfTemplate("kill");
    const url = copy.url;
    const database = fromPostgresUrl(url);
    const db = database.prisma;
    let child: ChildProcess | undefined;
    try {
      const connector = await installTemplate(db);
      child = spawn(process.execPath, ["--import", "tsx", childScript], {
        cwd: repoRoot,
        env: { ...process.env, CHILD_DATABASE_URL: url },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const exited = new Promise((resolve) => child?.on("exit", resolve));
      await waitForKillPoint(child);

      // At the kill point: the first page and its cursor are committed, and so is a batch after it.
      const tickets = makeTickets(CHILD_TICKETS);
      const cursorAtKill = await db.syncCursor.findFirstOrThrow({ where: { connectorId: connector.id } });
      expect(cursorAtKill.cursor).toEqual({ updatedSince: tickets[4]?.updated_at });
      const beforeKill = await db.interaction.findMany({ orderBy: { externalId: "asc" } });
      expect(beforeKill.map((row) => row.externalId)).toEqual(
        tickets.slice(0, 7).map((ticket) => `ticket:${ticket.id}`),
      );
      const crashed = await db.syncRun.findFirstOrThrow({ where: { status: "RUNNING" } });

      child.kill("SIGKILL");
      expect(await exited).toBeNull(); // exit code null: killed by a signal, not exited

      // Resumed in this process, once the dead runner's lease has lapsed.
      const api: TinyDeskApi = { tickets, requests: [] };
      server.use(tinyDeskTickets(api, { pageSize: 5 }));
      const engine = testEngine(db, { batchSize: 4, staleAfterMs: 1000 });
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const resumed = await engine.run({ name: "tinydesk" });

      expect(resumed.status).toBe("SUCCEEDED");
      expect(api.requests[0]).toEqual({ updatedSince: tickets[4]?.updated_at, page: 0 });
      const reaped = await db.syncRun.findUniqueOrThrow({ where: { id: crashed.id } });
      expect(reaped.status).toBe("FAILED");
      expect(reaped.error).toContain(`:${child.pid}:`);

      // No gaps: every fact the provider has; no duplicates: each once.
      const expected = expectedFacts(tickets);
      const interactions = await db.interaction.findMany({ orderBy: { externalId: "asc" } });
      const feedback = await db.feedback.findMany({ orderBy: { externalId: "asc" } });
      expect(interactions.map((row) => row.externalId)).toEqual(expected.interactions);
      expect(feedback.map((row) => row.externalId)).toEqual(expected.feedback);
      expect(await db.customer.count()).toBe(4);
      // What was committed before the kill was recognised, not rewritten: same rows, same values.
      expect(interactions.slice(0, beforeKill.length)).toEqual(beforeKill);
      // Created: only what the killed run never stored (tickets 8 to 20: 13 interactions, 4 ratings).
      // The boundary ticket and the batch committed past the checkpoint came again as "unchanged".
      expect(resumed.recordsCreated).toBe(17);
      expect(resumed.recordsUnchanged).toBeGreaterThanOrEqual(6);
      expect(resumed.recordsFetched).toBe(
        resumed.recordsCreated + resumed.recordsUnchanged + resumed.recordsUpdated + resumed.recordsDeleted,
      );
      expect(resumed.recordsUpdated).toBe(0);
    } finally {
      child?.kill("SIGKILL");
      await database.close();
      await copy.drop();
    }
  });
});
