// The start-up path as a user meets it: `npm start` with nothing configured, and the mistakes an
// operator makes, each of which must stop start-up with one sentence and no stack trace.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, test } from "vitest";
import { runHubToExit, startHub } from "./helpers/run-hub.ts";

const scratch = await mkdtemp(path.join(tmpdir(), "cxhub-startup-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** The failure is one line, says what to do, and carries no stack trace. */
function expectOneSentence(stderr: string, pattern: RegExp) {
  // Log lines (JSON, level info) may come before it; the failure itself is plain text.
  const lines = stderr.split("\n").filter((line) => line.trim() !== "" && !line.includes('"level":"info"'));
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^CX Hub cannot start: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

// Each test spawns the server; on a busy 2-core machine start-up alone can take tens of seconds.
// They share nothing (a data folder each, port 0 but for the one that takes another's port), so they
// run side by side: one after another they were the suite's last minute and more.
describe.concurrent("npm start", { timeout: 180_000 }, () => {
  test("with nothing configured, serves GraphQL from the embedded database and stops cleanly", async () => {
    const dataDir = path.join(scratch, "fresh", "data");
    const hub = await startHub({ CXHUB_DATA_DIR: dataDir });
    try {
      const key = /Authorization: Bearer (cxh_\S+)/.exec(hub.output())?.[1];
      expect(key, hub.output()).toBeDefined();
      const query = JSON.stringify({ query: "{ customers(first: 5) { totalCount edges { node { id } } } }" });
      const headers = { "content-type": "application/json", accept: "application/graphql-response+json" };

      const response = await fetch(hub.graphqlUrl, {
        method: "POST",
        headers: { ...headers, authorization: `Bearer ${key}` },
        body: query,
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { customers: { totalCount: 0, edges: [] } } });
      expect(hub.output()).toMatch(/embedded PGlite database in .*fresh\/data; applied \d+ migration/);

      const anonymous = await fetch(hub.graphqlUrl, { method: "POST", headers, body: query });
      expect(anonymous.status).toBe(401);

      const health = await fetch(hub.graphqlUrl.replace("/graphql", "/health"));
      expect(health.status).toBe(200);
      const ready = await fetch(hub.graphqlUrl.replace("/graphql", "/ready"));
      expect(ready.status).toBe(200);
    } finally {
      expect(await hub.stop()).toBe(0);
    }
  });

  test("compiled (npm run build, then npm start) serves GraphQL, the alerts page and the built-in plugins", async () => {
    // The build npm runs on install, run again so that the test sees this tree's code.
    await promisify(execFile)("npm", ["run", "build"], { cwd: path.resolve(import.meta.dirname, "..") });
    const hub = await startHub({ CXHUB_DATA_DIR: path.join(scratch, "compiled", "data") }, [], "compiled");
    try {
      expect(hub.output()).toMatch(/Connector plugins: gmail, meta-comments, shopify\./);
      const key = /Authorization: Bearer (cxh_\S+)/.exec(hub.output())?.[1];
      const response = await fetch(hub.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: "{ viewer { role } }" }),
      });
      expect(await response.json()).toEqual({ data: { viewer: { role: "ADMIN" } } });
      const page = await fetch(hub.graphqlUrl.replace("/graphql", "/alerts/app.js"));
      expect(page.status).toBe(200);
    } finally {
      expect(await hub.stop()).toBe(0);
    }
  });

  test("refuses a second process on the same embedded data folder", async () => {
    const dataDir = path.join(scratch, "shared", "data");
    const first = await startHub({ CXHUB_DATA_DIR: dataDir });
    try {
      const second = await runHubToExit({ CXHUB_DATA_DIR: dataDir, PORT: "0" });
      expect(second.code).toBe(1);
      expectOneSentence(second.stderr, new RegExp(`is in use by process ${first.process.pid}`));
    } finally {
      await first.stop();
    }
  });

  test("stops on a malformed DATABASE_URL, naming the variable", async () => {
    const result = await runHubToExit({ DATABASE_URL: "postgres//localhost/cxhub" });
    expect(result.code).toBe(1);
    expectOneSentence(result.stderr, /DATABASE_URL must be a PostgreSQL URL such as postgresql:\/\//);
  });

  test("stops when the PostgreSQL server cannot be reached, without showing the password", async () => {
    const result = await runHubToExit({ DATABASE_URL: "postgresql://hub:s3cret@127.0.0.1:1/cxhub" });
    expect(result.code).toBe(1);
    expectOneSentence(result.stderr, /connection was refused; start PostgreSQL or correct the host and port/);
    expect(result.stderr).not.toContain("s3cret");
  });

  test("stops when the PostgreSQL database does not exist", async () => {
    const result = await runHubToExit({
      DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/cxhub_no_such_database",
    });
    expect(result.code).toBe(1);
    expectOneSentence(result.stderr, /database does not exist; create it/);
  });

  test("stops when the data folder cannot be created", async () => {
    // A regular file where a folder should be: unwritable even for root.
    const blocker = path.join(scratch, "a-file");
    await writeFile(blocker, "");
    const result = await runHubToExit({ CXHUB_DATA_DIR: path.join(blocker, "data") });
    expect(result.code).toBe(1);
    expectOneSentence(
      result.stderr,
      /data folder .*a-file\/data cannot be created .*set CXHUB_DATA_DIR to a folder/,
    );
  });

  test("stops when the port is taken", async () => {
    const first = await startHub({ CXHUB_DATA_DIR: path.join(scratch, "port-a") });
    try {
      const port = new URL(first.graphqlUrl).port;
      const second = await runHubToExit({ CXHUB_DATA_DIR: path.join(scratch, "port-b"), PORT: port });
      expect(second.code).toBe(1);
      expectOneSentence(second.stderr, new RegExp(`Port ${port} on 127.0.0.1 is in use`));
    } finally {
      await first.stop();
    }
  });

  test("--demo refuses a DATABASE_URL database unless told it is a scratch one", async () => {
    const result = await runHubToExit({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/test" }, [
      "--demo",
    ]);
    expect(result.code).toBe(1);
    expectOneSentence(result.stderr, /--demo refuses to write sample customers .* add --demo-into-postgres/);
  });
});
