// A new embedded data folder copied from the build's template (src/db/pglite-template.ts) is a
// working database that keeps what was written across a restart; a folder that already holds a
// database is never copied over, and a copy cut short is made again.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createPGlite } from "../../src/db/pglite-extensions.ts";
import { copyTemplateInto, writePGliteTemplate } from "../../src/db/pglite-template.ts";

const scratch = await mkdtemp(path.join(tmpdir(), "cxhub-pglite-template-"));
const templatePath = path.join(scratch, "template");
beforeAll(() => writePGliteTemplate(templatePath));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("the embedded database's data folder template", () => {
  test("a new folder starts from it, and what is written there survives a restart", async () => {
    const dataDir = path.join(scratch, "data");
    // The hub's own files (the secrets key) may already be in the folder: they stay.
    await mkdir(dataDir);
    await writeFile(path.join(dataDir, "connector-secrets.key"), "kept");

    expect(await copyTemplateInto(dataDir, templatePath)).toBe(true);
    expect(existsSync(path.join(dataDir, "connector-secrets.key"))).toBe(true);
    const first = await createPGlite({ dataDir });
    await first.exec(
      "CREATE EXTENSION pg_trgm; CREATE TABLE kept (note text); INSERT INTO kept VALUES ('hello');",
    );
    await first.close();

    // The folder now holds a database: it is opened as it is, never copied over.
    expect(await copyTemplateInto(dataDir, templatePath)).toBe(false);
    const again = await createPGlite({ dataDir });
    try {
      const { rows } = await again.query<{ note: string }>("SELECT note FROM kept");
      expect(rows).toEqual([{ note: "hello" }]);
    } finally {
      await again.close();
    }
  });

  test("a copy cut short before the version file is made again", async () => {
    const dataDir = path.join(scratch, "cut-short");
    await mkdir(path.join(dataDir, "base"), { recursive: true });
    await writeFile(path.join(dataDir, "base", "half-written"), "");

    expect(await copyTemplateInto(dataDir, templatePath)).toBe(true);
    const pglite = await createPGlite({ dataDir });
    try {
      const { rows } = await pglite.query<{ answer: number }>("SELECT 1 AS answer");
      expect(rows).toEqual([{ answer: 1 }]);
    } finally {
      await pglite.close();
    }
  });

  test("without a built template a new folder is left to PGlite's initdb", async () => {
    expect(await copyTemplateInto(path.join(scratch, "other"), path.join(scratch, "missing"))).toBe(false);
  });
});
