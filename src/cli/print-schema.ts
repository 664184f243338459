// `npm run schema:print` writes schema/schema.graphql from the code; with `-- --check` it only
// compares, and fails when the committed file is stale (CI runs that).
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { printGraphSchema } from "../graph/print-schema.ts";
import { runCli } from "./run-cli.ts";

const SCHEMA_FILE = fileURLToPath(new URL("../../schema/schema.graphql", import.meta.url));

runCli(async (args) => {
  const printed = printGraphSchema();
  const committed = await readFile(SCHEMA_FILE, "utf8").catch((error: NodeJS.ErrnoException) => {
    // Not printed yet: --check reports it stale, a plain run writes it.
    if (error.code === "ENOENT") return "";
    throw error;
  });
  if (args.includes("--check")) {
    if (committed === printed) return 0;
    console.error("schema/schema.graphql is stale: run `npm run schema:print` and commit the result.");
    return 1;
  }
  await writeFile(SCHEMA_FILE, printed);
  console.log(
    committed === printed ? "schema/schema.graphql was up to date." : "Wrote schema/schema.graphql.",
  );
  return 0;
});
