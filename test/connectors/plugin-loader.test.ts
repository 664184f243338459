// Loading plugins: the good ones load, each bad one is refused with a sentence that says what to do,
// and one bad plugin never stops the others. Fixture plugins are in fixtures/plugins.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { checkPlugin, loadPlugins } from "../../src/connectors/plugin-loader.ts";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const builtinDir = path.join(fixtures, "plugins");
const source = (name: string) => path.relative(process.cwd(), path.join(builtinDir, name, "index.ts"));

describe("loading built-in plugins", () => {
  test("loads the good ones and refuses each bad one with its reason", async () => {
    const { plugins, refused } = await loadPlugins({ builtinDir });

    expect(plugins.map((plugin) => [plugin.id, plugin.source])).toEqual([
      ["good", source("good")],
      ["hand-written", source("hand-written")],
    ]);
    expect(plugins[0]?.origin).toEqual({ kind: "builtin", path: path.join(builtinDir, "good", "index.ts") });
    expect(refused).toEqual([
      {
        source: source("bad-shape"),
        reason: `plugin 'bad-shape' at ${source("bad-shape")}: channel must be one of email, ecommerce, social, support, web, phone, chat, other; streams.orders.read must be an async generator function (async *read(ctx) { … yield … })`,
      },
      {
        source: source("future-api"),
        reason: `plugin 'future-api' at ${source("future-api")}: built for SDK api 2, this hub speaks 1; upgrade the hub or install a version of the plugin built for api 1`,
      },
      {
        source: source("no-default"),
        reason: `plugin (no id) at ${source("no-default")}: its module has no default export of a connector; write \`export default defineConnector({ … })\``,
      },
      {
        source: source("old-api"),
        reason: `plugin 'old-api' at ${source("old-api")}: built for SDK api 0, this hub speaks 1; install a version of the plugin built for api 1`,
      },
      {
        source: source("throws-on-import"),
        reason: `${source("throws-on-import")} failed to load: PLUGIN_TOKEN is not set`,
      },
      {
        source: source("z-duplicate-of-good"),
        reason: `plugin 'good' at ${source("z-duplicate-of-good")}: the id 'good' is taken by ${source("good")}; plugin ids must be unique (uninstall one of them, or give it another id)`,
      },
    ]);
  });

  test("a missing plugins folder means no built-in plugins, not a failure", async () => {
    expect(await loadPlugins({ builtinDir: path.join(fixtures, "nowhere") })).toEqual({
      plugins: [],
      refused: [],
    });
  });

  test("the repository's own plugins all load", async () => {
    const { refused } = await loadPlugins({
      builtinDir: fileURLToPath(new URL("../../plugins/", import.meta.url)),
    });
    expect(refused).toEqual([]);
  });
});

describe("loading packages named in CXHUB_PLUGINS", () => {
  test("loads a package beside the built-ins, and says how to install one that is missing", async () => {
    const { plugins, refused } = await loadPlugins({
      builtinDir,
      packages: ["cx-hub-plugin-acme", "cx-hub-plugin-missing"],
      provideSdk: false,
      importPackage: async (name) => {
        if (name === "cx-hub-plugin-acme") return import("./fixtures/packages/cx-hub-plugin-acme.ts");
        return import(name);
      },
    });
    expect(plugins.map((plugin) => plugin.id)).toEqual(["good", "hand-written", "acme"]);
    expect(plugins[2]?.origin).toEqual({ kind: "package", name: "cx-hub-plugin-acme" });
    expect(refused.at(-1)).toEqual({
      source: "package cx-hub-plugin-missing",
      reason:
        "package cx-hub-plugin-missing is not installed: run npm install cx-hub-plugin-missing in the hub's folder, or remove it from CXHUB_PLUGINS",
    });
  });

  test("a published package imports cx-hub/sdk and gets the SDK of the hub that loads it", async () => {
    const script = path.join(fixtures, "load-package.ts");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", script, path.join(fixtures, "packages")],
      { cwd: process.cwd() },
    );
    expect(JSON.parse(stdout)).toEqual({ ids: ["e2e"], refused: [], sdkApiVersion: 1, tokenWriteOnly: true });
  });
});

describe("checking a module's export", () => {
  test("names a missing sdkApiVersion and how to get one", () => {
    expect(checkPlugin({ default: { id: "x" } })).toEqual({
      ok: false,
      label: "'x'",
      reason:
        "its default export has no sdkApiVersion; build it with defineConnector from cx-hub/sdk, which stamps it",
    });
  });

  test("lists every shape problem with its path", () => {
    const result = checkPlugin({
      default: {
        sdkApiVersion: 1,
        id: "Bad Id",
        name: "",
        channel: "email",
        version: "1",
        config: {},
        streams: {},
        webhooks: { verify() {} },
      },
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason.split("; ")).toEqual([
      'id must be lower-case letters, digits and dashes, starting with a letter (such as "shopify")',
      "name must be a non-empty string",
      'version must be a semantic version such as "1.0.0"',
      "config must be a zod object schema (z.object({ … }))",
      "check is required",
      "streams must define at least one stream",
      "webhooks.parse is required",
    ]);
  });
});
