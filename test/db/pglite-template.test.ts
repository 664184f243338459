// A new embedded data folder unpacked from the build's template (src/db/pglite-template.ts) is a
// working database that keeps what was written across a restart, and a folder that already holds a
// database is never unpacked over.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { createPGlite } from "../../src/db/pglite-extensions.ts";
import { templateFor, writePGliteTemplate } from "../../src/db/pglite-template.ts";

const scratch = await mkdtemp(path.join(tmpdir(), "cxhub-pglite-template-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("the embedded database's data folder template", () => {
  test("a new folder starts from it, and what is written there survives a restart", async () => {
    const templatePath = path.join(scratch, "template.tgz");
    await writePGliteTemplate(templatePath);
    const dataDir = path.join(scratch, "data");

    const loadDataDir = await templateFor(dataDir, templatePath);
    expect(loadDataDir?.size).toBeGreaterThan(0);
    const first = await createPGlite({ dataDir, loadDataDir });
    await first.exec(
      "CREATE EXTENSION pg_trgm; CREATE TABLE kept (note text); INSERT INTO kept VALUES ('hello');",
    );
    await first.close();

    // The folder now holds a database: it is opened as it is, never unpacked over.
    expect(await templateFor(dataDir, templatePath)).toBeUndefined();
    const again = await createPGlite({ dataDir });
    try {
      const { rows } = await again.query<{ note: string }>("SELECT note FROM kept");
      expect(rows).toEqual([{ note: "hello" }]);
    } finally {
      await again.close();
    }
  });

  test("without a built template a new folder is left to PGlite's initdb", async () => {
    expect(await templateFor(path.join(scratch, "other"), path.join(scratch, "missing.tgz"))).toBeUndefined();
  });
});
