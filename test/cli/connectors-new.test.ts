// `npm run connectors -- new <id>`: a plugin scaffolded from the template, inside the hub or as a
// standalone package, type-checks, passes its own tests and loads through the plugin loader; a bad id
// or a folder that exists is refused with a sentence. The scaffolds go to a folder inside the project
// (.scratch/, ignored by git), where msw, vitest and zod resolve from the hub's node_modules.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { scaffoldPlugin } from "../../src/cli/connector-commands/scaffold-plugin.ts";
import { connectorsCommand } from "../../src/cli/connectors-command.ts";
import { loadPlugins } from "../../src/connectors/plugin-loader.ts";
import { projectPath } from "../../src/project-files.ts";
import { runCommandWith } from "../helpers/run-command.ts";

const run = promisify(execFile);
const tsc = projectPath("node_modules/typescript/bin/tsc");
const vitest = projectPath("node_modules/vitest/vitest.mjs");

let scratch: string;
beforeAll(async () => {
  await mkdir(projectPath(".scratch"), { recursive: true });
  scratch = await mkdtemp(projectPath(".scratch", "scaffold-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Runs a command to its end; a failure shows its output. */
async function succeeds(file: string, args: string[], cwd: string): Promise<string> {
  try {
    // Plain text: vitest colours its summary when its parent did.
    const { FORCE_COLOR: _colours, ...env } = process.env;
    const { stdout } = await run(process.execPath, [file, ...args], {
      cwd,
      env: { ...env, NO_COLOR: "1" },
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${path.basename(file)} ${args.join(" ")} failed:\n${stdout}\n${stderr}`);
  }
}

describe("connectors new", () => {
  test("refuses an invalid id, the template's, and a folder that exists, saying what to do", async () => {
    expect(await runCommandWith(connectorsCommand, ["new", "Acme_Desk"])).toEqual({
      code: 2,
      output:
        '"Acme_Desk" cannot be a plugin id: use lower-case letters, digits and dashes, starting with a letter (such as "acme-desk").\n' +
        "  id: lower-case letters, digits and dashes, starting with a letter\n",
    });
    expect((await runCommandWith(connectorsCommand, ["new", "template"])).code).toBe(2);
    // The name is written into a comment and a heading: a second line would become code.
    const injected = await runCommandWith(connectorsCommand, [
      "new",
      "acme-desk",
      "--name",
      "Acme\nprocess.exit(1)",
    ]);
    expect(injected.code).toBe(2);
    expect(injected.output).toMatch(/--name must be one line/);
    const taken = await runCommandWith(connectorsCommand, ["new", "gmail"]);
    expect(taken).toEqual({
      code: 1,
      output: `${path.relative(process.cwd(), projectPath("plugins", "gmail"))} already exists: choose another id or --dir, or remove it first.\n`,
    });
    const dir = path.join(scratch, "taken");
    await mkdir(dir);
    const takenDir = await runCommandWith(connectorsCommand, ["new", "acme-desk", "--dir", dir]);
    expect(takenDir.code).toBe(1);
    expect(takenDir.output).toMatch(/taken already exists: choose another id or --dir/);
    expect((await runCommandWith(connectorsCommand, ["new"])).output).toMatch(/^Usage:/);
  });

  test("scaffolds plugins/<id> and its test inside the hub: renamed, type-checked, tested and loaded", async () => {
    const root = path.join(scratch, "hub");
    const result = await scaffoldPlugin({ id: "acme-desk", root });
    expect(result).toMatchObject({ pluginDir: path.join(root, "plugins", "acme-desk"), standalone: false });
    expect(result.testFile).toBe(path.join(root, "test", "plugins", "acme-desk.test.ts"));

    const index = await readFile(path.join(result.pluginDir, "index.ts"), "utf8");
    expect(index).toContain('id: "acme-desk",');
    expect(index).toContain('name: "Acme Desk",');
    const testSource = await readFile(result.testFile, "utf8");
    expect(testSource).toContain('import connector from "../../plugins/acme-desk/index.ts";');
    expect(testSource).not.toMatch(/\btemplate\b/);

    const loaded = await loadPlugins({ builtinDir: path.join(root, "plugins") });
    expect(loaded.refused).toEqual([]);
    expect(loaded.plugins.map((plugin) => [plugin.id, plugin.connector.name])).toEqual([
      ["acme-desk", "Acme Desk"],
    ]);

    // Type-checked with the hub's settings, then its own tests run, as `npx vitest run` would.
    await writeFile(
      path.join(root, "tsconfig.json"),
      JSON.stringify({ extends: projectPath("tsconfig.json"), include: ["plugins", "test"] }),
    );
    await succeeds(tsc, ["-p", root], root);
    await writeFile(path.join(root, "vitest.config.js"), "export default {};\n");
    const tested = await succeeds(vitest, ["run", "--root", root, "--config", "vitest.config.js"], root);
    expect(tested).toMatch(/Tests\s+14 passed/);
  });

  test("with --dir, a standalone package: its own tsconfig without DOM types, the SDK packed in vendor/, tests, a build that loads", async () => {
    const dir = path.join(scratch, "cx-hub-plugin-acme-desk");
    const io = await runCommandWith(connectorsCommand, ["new", "acme-desk", "--dir", dir, "--name", "Acme"]);
    expect(io.code).toBe(0);
    expect(io.output).toContain("Next: cd ");

    const manifest = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
    expect(manifest).toMatchObject({
      name: "cx-hub-plugin-acme-desk",
      type: "module",
      peerDependencies: { "cx-hub": ">=0.1.0" },
      devDependencies: { "cx-hub": "file:./vendor/cx-hub-0.1.0.tgz" },
    });
    const tsconfig = JSON.parse(await readFile(path.join(dir, "tsconfig.json"), "utf8"));
    expect(tsconfig.compilerOptions.lib).toEqual(["ES2023"]);

    // What `npm install` does with the vendored SDK: unpacks it as node_modules/cx-hub.
    const sdkDir = path.join(dir, "node_modules", "cx-hub");
    await mkdir(sdkDir, { recursive: true });
    await run("tar", [
      "-xzf",
      path.join(dir, "vendor", "cx-hub-0.1.0.tgz"),
      "-C",
      sdkDir,
      "--strip-components=1",
    ]);
    const sdkManifest = JSON.parse(await readFile(path.join(sdkDir, "package.json"), "utf8"));
    expect(Object.keys(sdkManifest.exports)).toEqual(["./sdk", "./sdk/testing"]);
    expect(sdkManifest.peerDependencies).toHaveProperty("zod");
    expect((await stat(path.join(sdkDir, "dist", "testing", "index.d.ts"))).isFile()).toBe(true);

    await succeeds(tsc, ["-p", dir], dir);
    const tested = await succeeds(vitest, ["run", "--root", dir, "--config", "vitest.config.ts"], dir);
    expect(tested).toMatch(/Tests\s+14 passed/);
    await succeeds(tsc, ["-p", path.join(dir, "tsconfig.build.json")], dir);

    // The built package, as the hub loads a package named in CXHUB_PLUGINS.
    const loaded = await loadPlugins({
      packages: ["cx-hub-plugin-acme-desk"],
      importPackage: () => import(pathToFileURL(path.join(dir, "dist", "index.js")).href),
      provideSdk: false,
    });
    expect(loaded.refused).toEqual([]);
    expect(loaded.plugins.map((plugin) => [plugin.id, plugin.connector.name, plugin.source])).toEqual([
      ["acme-desk", "Acme", "package cx-hub-plugin-acme-desk"],
    ]);
  });
});
