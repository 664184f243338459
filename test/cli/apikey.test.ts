// `npm run apikey` as an operator runs it on the embedded database (issue 16: keys were awkward to
// manage). It says which database it wrote to, with the right article ("an admin key"); it gives an
// existing account manager the key when --email names them; it never creates a database of its own
// where the hub has none; and while the hub holds the data folder it says how to do it over GraphQL.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { apikeyCommand } from "../../src/cli/apikey-command.ts";
import { openDatabase } from "../../src/db/database.ts";
import { copyMigratedDataFolder } from "../helpers/migrated-data-folder.ts";
import { runCommandWith } from "../helpers/run-command.ts";

const scratch = await mkdtemp(path.join(tmpdir(), "cxhub-apikey-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

function apikey(args: string[], dataDir: string) {
  return runCommandWith(apikeyCommand, args, { CXHUB_DATA_DIR: dataDir });
}

/** A data folder as the hub leaves it: migrated, with an account manager of the demo. */
async function hubDataFolder(name: string) {
  const dataDir = await copyMigratedDataFolder(path.join(scratch, name));
  const database = await openDatabase({ kind: "pglite", dataDir });
  await database.prisma.principal.create({
    data: { name: "Ana Souza", email: "ana.souza@cxhub-demo.example" },
  });
  return { dataDir, database };
}

// The command runs in this process (src/cli/apikey-command.ts, what `npm run apikey` runs), on copies of
// a migrated data folder: spawning it and migrating each folder were three minutes of the suite.
describe("npm run apikey", () => {
  test("says which database it wrote to, and binds --email to the account manager who has it", async () => {
    const { dataDir, database } = await hubDataFolder("data");
    await database.close();

    const admin = await apikey(["create", "--name", "Ops", "--role", "ADMIN"], dataDir);
    expect(admin.code, admin.output).toBe(0);
    expect(admin.output).toContain(
      `Created an admin key for Ops in the embedded PGlite database in ${dataDir}.`,
    );
    expect(admin.output).toMatch(/\ncxh_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}\n/);

    const ana = await apikey(
      ["create", "--name", "Ana", "--email", "Ana.Souza@cxhub-demo.example", "--role", "account_manager"],
      dataDir,
    );
    expect(ana.code, ana.output).toBe(0);
    expect(ana.output).toContain(
      "Created an account manager key for Ana Souza <ana.souza@cxhub-demo.example> in the embedded PGlite database",
    );
    expect(ana.output).toMatch(
      /already existed \(found by --email, principal [0-9a-f-]{36}\): the key is theirs/,
    );

    const listed = await apikey(["list"], dataDir);
    expect(listed.output).toContain(`API keys in the embedded PGlite database in ${dataDir}:`);
    expect(listed.output.match(/ACCOUNT_MANAGER +active +Ana Souza/g)).toHaveLength(1);
  });

  test("writes nothing where the hub has no database, and says where to look", async () => {
    const elsewhere = path.join(scratch, "not-the-hubs");
    const result = await apikey(["create", "--name", "Ops", "--role", "ADMIN"], elsewhere);
    expect(result.code).toBe(2);
    expect(result.output).toContain(`There is no CX Hub database in ${elsewhere}, so no key was written.`);
    expect(result.output).toMatch(/CXHUB_DATA_DIR set to that folder/);
  });

  test("while the hub holds the data folder, says how to create the key over GraphQL", async () => {
    const { dataDir, database } = await hubDataFolder("in-use");
    await database.close();
    // The lock a running hub keeps beside its data folder (src/db/embedded-lock.ts), held by another
    // live process as a running hub would hold it.
    const hub = spawn(process.execPath, ["-e", "setTimeout(() => {}, 120_000)"]);
    try {
      await writeFile(`${dataDir}.lock`, String(hub.pid));
      const result = await apikey(["create", "--name", "Ops", "--role", "ADMIN"], dataDir);
      expect(result.code).toBe(2);
      expect(result.output).toContain(
        `The embedded database in ${dataDir} is in use by the running hub (process ${hub.pid})`,
      );
      expect(result.output).toMatch(/mutation \{ createApiKey\(input: /);
      expect(result.output).toContain("in GraphiQL at http://localhost:4000/graphql");
    } finally {
      hub.kill();
    }
  });

  test("refuses a role or scope that does not exist before touching any database", async () => {
    const nowhere = path.join(scratch, "never-opened");
    const role = await apikey(["create", "--name", "Ops", "--role", "SUPERUSER"], nowhere);
    expect(role.code).toBe(2);
    expect(role.output).toContain(
      "--role SUPERUSER is not a role: use one of ADMIN, INTEGRATOR, ANALYST, ACCOUNT_MANAGER.",
    );
    const option = await apikey(["create", "--name", "Ops", "--role", "ADMIN", "--mail", "x"], nowhere);
    expect(option.code).toBe(2);
    expect(option.output).toMatch(/Unknown option '--mail'/);
  });
});
