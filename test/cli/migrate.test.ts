// `npm run migrate` as an operator runs it, on the embedded database and on PostgreSQL.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { migrateCommand } from "../../src/cli/migrate-command.ts";
import { copyEmptyDataFolder } from "../helpers/migrated-data-folder.ts";
import { databaseUrl, TEST_DATABASE_PREFIX, withAdminClient } from "../helpers/postgres-admin.ts";
import { runCommandWith } from "../helpers/run-command.ts";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
const scratch = await mkdtemp(path.join(tmpdir(), "cxhub-migrate-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

function migrate(args: string[], env: Record<string, string>) {
  return runCommandWith(migrateCommand, args, env);
}

async function statusDeployStatus(env: Record<string, string>) {
  const before = await migrate(["status"], env);
  expect(before.code).toBe(1);
  expect(before.output).toMatch(/pending: {2}\d{14}_init/);

  const deploy = await migrate(["deploy"], env);
  expect(deploy.code, deploy.output).toBe(0);
  expect(deploy.output).toMatch(/Applied \d+ migration\(s\) .*\n {2}\d{14}_init/);

  const again = await migrate(["deploy"], env);
  expect(again.output).toMatch(/is up to date/);

  const after = await migrate(["status"], env);
  expect(after.code).toBe(0);
  expect(after.output).toMatch(/every migration is applied/);
}

// The command runs in this process (src/cli/migrate-command.ts); one test runs `npm run migrate` as a
// process, compiled as it ships, for its exit code. One after another: the embedded database's work
// blocks this process's event loop, and a test beside it would wait on its own connections meanwhile.
describe("npm run migrate", () => {
  test("status, deploy and status again on the embedded database", async () => {
    await statusDeployStatus({ CXHUB_DATA_DIR: await copyEmptyDataFolder(path.join(scratch, "data")) });
  });

  test("status, deploy and status again on PostgreSQL", async () => {
    const adminUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
    const name = `${TEST_DATABASE_PREFIX}${randomBytes(6).toString("hex")}`;
    await withAdminClient(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
    try {
      await statusDeployStatus({ DATABASE_URL: databaseUrl(adminUrl, name) });
    } finally {
      await withAdminClient(adminUrl, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    }
  });

  test("create says there is nothing to do when the schema and migrations agree", async () => {
    const result = await migrate(["create", "nothing_changed"], {});
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/agree: there is no migration to create/);
  });

  test("explains its usage when the command is unknown, with exit code 2", async () => {
    const child = spawn(
      process.execPath,
      ["--conditions=cx-hub-compiled", "dist/src/cli/migrate.js", "upgrade"],
      {
        cwd: projectRoot,
        env: { PATH: process.env.PATH },
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((exited) => child.once("exit", exited));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Usage: npm run migrate -- deploy \| status \| create <name>\n$/);
  });
});
