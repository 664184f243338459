// `npm run connectors -- new <id> [--dir <folder>] [--name "<name>"]`: scaffolds a plugin from the
// template (scaffold-plugin.ts) and says what to do next. It needs no database, so it runs before
// the hub is opened.
import path from "node:path";
import { parseCliArgs } from "../parse-cli-args.ts";
import { type CommandContext, UsageError } from "../run-cli.ts";
import { scaffoldPlugin } from "./scaffold-plugin.ts";

export async function newPlugin(io: CommandContext, args: string[], usage: string): Promise<number> {
  const { values, positionals } = parseCliArgs(
    { args, allowPositionals: true, options: { dir: { type: "string" }, name: { type: "string" } } },
    usage,
  );
  const [id] = positionals;
  if (!id || positionals.length > 1) throw new UsageError(usage);
  const result = await scaffoldPlugin({ id, dir: values.dir, name: values.name });
  const where = path.relative(process.cwd(), result.pluginDir) || ".";
  io.print(`Created the ${id} plugin in ${where}, from plugins/template:`);
  for (const file of result.files) io.print(`  ${file}`);
  if (result.standalone) {
    io.print(`Next: cd ${where} && npm install && npm test && npm run build`);
    io.print(
      "Then install it beside the hub (npm install <its folder or tarball>) and name it in CXHUB_PLUGINS.",
    );
  } else {
    io.print(
      `Next: npx vitest run ${path.relative(process.cwd(), result.testFile)}; the hub loads it at its next start.`,
    );
  }
  io.print("Make it your provider's: plugins/README.md is the guide.");
  return 0;
}
