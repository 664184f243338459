// The start-up path as a user meets it: `npm start` with nothing configured, and the mistakes an
// operator makes, each of which must stop start-up with one sentence and no stack trace.
//
// The hub starts in this process (src/server/start-hub.ts, what `npm start` runs) wherever the test is
// about what starts; two tests spawn `npm start`'s own process (compiled, as it ships) for what only a
// process shows: its exit code, its one-sentence failure, and the lock between two processes. One
// after another: the embedded database's work blocks this process's event loop while it runs.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { loadConfig } from "../src/config.ts";
import { StartupError } from "../src/errors.ts";
import { createLogger } from "../src/logger.ts";
import { startHub } from "../src/server/start-hub.ts";
import { copyMigratedDataFolder } from "./helpers/migrated-data-folder.ts";
import { runHubToExit, startHub as spawnHub } from "./helpers/run-hub.ts";

const scratch = await mkdtemp(path.join(tmpdir(), "cxhub-startup-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** The hub's log lines, kept for the test to read instead of written to stderr. */
function capturedLogger() {
  const lines: string[] = [];
  return { logger: createLogger("info", { destination: { write: (line) => void lines.push(line) } }), lines };
}

/** The hub's clock in these tests: nothing they check may depend on when they run. */
const clock = () => new Date("2026-06-15T12:00:00.000Z");

/** Starts the hub in this process as `npm start` would with `env` in `cwd`. */
function start(env: Record<string, string>, cwd = scratch, options: { demo?: boolean } = {}) {
  const { logger } = capturedLogger();
  return startHub({ config: loadConfig({ PORT: "0", ...env }, cwd), logger, clock, ...options });
}

/** The failure is one line, says what to do, and carries no stack trace. */
function expectOneSentence(stderr: string, pattern: RegExp) {
  // Log lines (JSON, level info) may come before it; the failure itself is plain text.
  const lines = stderr.split("\n").filter((line) => line.trim() !== "" && !line.includes('"level":"info"'));
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^CX Hub cannot start: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

async function expectStartupError(starting: Promise<unknown>, pattern: RegExp): Promise<StartupError> {
  const error = await starting.then(
    () => expect.unreachable("the hub started"),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(StartupError);
  expect((error as StartupError).message).toMatch(pattern);
  return error as StartupError;
}

const json = { "content-type": "application/json", accept: "application/graphql-response+json" };

describe("npm start", () => {
  test("with nothing configured, serves GraphQL from the embedded database and stops cleanly", async () => {
    const folder = path.join(scratch, "fresh");
    await mkdir(folder);
    const { logger, lines } = capturedLogger();
    const hub = await startHub({ config: loadConfig({ PORT: "0" }, folder), logger, clock });
    const dataDir = path.join(folder, ".cxhub", "data");
    try {
      expect(hub.bootstrapKey).toMatch(/^cxh_/);
      expect(lines.join("")).toContain(`embedded PGlite database in ${dataDir}; applied`);
      const query = JSON.stringify({ query: "{ customers(first: 5) { totalCount edges { node { id } } } }" });
      const graphql = `${hub.url}/graphql`;

      const response = await fetch(graphql, {
        method: "POST",
        headers: { ...json, authorization: `Bearer ${hub.bootstrapKey}` },
        body: query,
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { customers: { totalCount: 0, edges: [] } } });

      const anonymous = await fetch(graphql, { method: "POST", headers: json, body: query });
      expect(anonymous.status).toBe(401);
      expect((await fetch(`${hub.url}/health`)).status).toBe(200);
      expect((await fetch(`${hub.url}/ready`)).status).toBe(200);
      expect(existsSync(`${dataDir}.lock`)).toBe(true);
    } finally {
      await hub.stop();
    }
    // Stopped cleanly: the data folder is free for the next process.
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  test("compiled, as npm start runs it: serves GraphQL, the alerts page and the built-in plugins", async () => {
    const dataDir = await copyMigratedDataFolder(path.join(scratch, "compiled"));
    const hub = await spawnHub({ CXHUB_DATA_DIR: dataDir }, [], "compiled");
    try {
      expect(hub.output()).toMatch(/Connector plugins: gmail, meta-comments, shopify, zendesk\./);
      const key = /Authorization: Bearer (cxh_\S+)/.exec(hub.output())?.[1];
      const response = await fetch(hub.graphqlUrl, {
        method: "POST",
        headers: { ...json, authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: "{ viewer { role } }" }),
      });
      expect(await response.json()).toEqual({ data: { viewer: { role: "ADMIN" } } });
      const page = await fetch(hub.graphqlUrl.replace("/graphql", "/alerts/app.js"));
      expect(page.status).toBe(200);
    } finally {
      expect(await hub.stop()).toBe(0);
    }
  });

  test("a second process on the same embedded data folder stops with one sentence naming the first", async () => {
    const dataDir = await copyMigratedDataFolder(path.join(scratch, "shared"));
    const first = await start({ CXHUB_DATA_DIR: dataDir });
    try {
      const second = await runHubToExit({ CXHUB_DATA_DIR: dataDir, PORT: "0" });
      expect(second.code).toBe(1);
      expectOneSentence(second.stderr, new RegExp(`is in use by process ${process.pid}`));
    } finally {
      await first.stop();
    }
  });

  test("a malformed DATABASE_URL stops the process with one sentence naming the variable", async () => {
    const result = await runHubToExit({ DATABASE_URL: "postgres//localhost/cxhub" });
    expect(result.code).toBe(1);
    expectOneSentence(result.stderr, /DATABASE_URL must be a PostgreSQL URL such as postgresql:\/\//);
  });

  test("stops when the PostgreSQL server cannot be reached, without showing the password", async () => {
    const error = await expectStartupError(
      start({ DATABASE_URL: "postgresql://hub:s3cret@127.0.0.1:1/cxhub" }),
      /connection was refused; start PostgreSQL or correct the host and port/,
    );
    expect(error.message).not.toContain("s3cret");
  });

  test("stops when the PostgreSQL database does not exist", async () => {
    await expectStartupError(
      start({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/cxhub_no_such_database" }),
      /database does not exist; create it/,
    );
  });

  test("stops when the data folder cannot be created", async () => {
    // A regular file where a folder should be: unwritable even for root.
    const blocker = path.join(scratch, "a-file");
    await writeFile(blocker, "");
    await expectStartupError(
      start({ CXHUB_DATA_DIR: path.join(blocker, "data") }),
      /data folder .*a-file\/data cannot be created .*set CXHUB_DATA_DIR to a folder/,
    );
  });

  test("stops when the port is taken, before it opens the database", async () => {
    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, "127.0.0.1", listening));
    const { port } = taken.address() as { port: number };
    try {
      const dataDir = path.join(scratch, "port");
      await expectStartupError(
        start({ CXHUB_DATA_DIR: dataDir, PORT: String(port) }),
        new RegExp(`Port ${port} on 127.0.0.1 is in use`),
      );
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      await new Promise((closed) => taken.close(closed));
    }
  });

  test("--demo refuses a DATABASE_URL database unless told it is a scratch one", async () => {
    await expectStartupError(
      start({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/test" }, scratch, { demo: true }),
      /--demo refuses to write sample customers .* add --demo-into-postgres/,
    );
  });
});
