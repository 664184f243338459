// The SDK as an npm package of its own (`npm run sdk:pack`), for developing a plugin outside this
// repository: `cx-hub` is not published, and the hub's own package cannot be installed as a library
// (it builds itself and its database client on install). The tarball holds only src/sdk, compiled to
// JavaScript with its type declarations, under the hub's name and version, exporting `cx-hub/sdk`
// and `cx-hub/sdk/testing` exactly as the hub does; zod is a peer dependency, so that the plugin and
// the SDK share one copy of it. At run time the hub still hands a plugin its own SDK (plugin-loader.ts).
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { projectPath } from "../project-files.ts";

const run = promisify(execFile);

/** What a plugin's package.json needs to know about the SDK package. */
export interface SdkPackage {
  /** The tarball written. */
  tarball: string;
  name: string;
  version: string;
}

interface HubManifest {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

export async function readHubManifest(): Promise<HubManifest> {
  return JSON.parse(await readFile(projectPath("package.json"), "utf8")) as HubManifest;
}

/** The packages the compiled SDK imports (not node: builtins), from its .js files. */
async function importedPackages(dir: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of await readdir(dir, { recursive: true })) {
    if (!file.endsWith(".js")) continue;
    const source = await readFile(path.join(dir, file), "utf8");
    for (const [, specifier] of source.matchAll(/\bfrom\s*["']([^"'.][^"']*)["']/g)) {
      if (!specifier || specifier.startsWith("node:")) continue;
      const parts = specifier.split("/");
      names.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string));
    }
  }
  return names;
}

/** Compiles src/sdk and packs it into `outDir` (created if missing); returns the tarball. */
export async function packSdk(outDir: string): Promise<SdkPackage> {
  const manifest = await readHubManifest();
  const staging = await mkdtemp(path.join(os.tmpdir(), "cx-hub-sdk-"));
  try {
    const dist = path.join(staging, "dist");
    await run(
      process.execPath,
      [
        projectPath("node_modules/typescript/bin/tsc"),
        "-p",
        projectPath("tsconfig.sdk.json"),
        "--outDir",
        dist,
      ],
      { cwd: projectPath() },
    );
    const dependencies: Record<string, string> = {};
    for (const name of [...(await importedPackages(dist))].sort()) {
      if (name === "zod") continue;
      const range = manifest.dependencies[name];
      if (!range) throw new Error(`The SDK imports ${name}, which is not a dependency of the hub.`);
      dependencies[name] = range;
    }
    const entry = (file: string) => ({ types: `./dist/${file}.d.ts`, default: `./dist/${file}.js` });
    const sdkManifest = {
      name: "cx-hub",
      version: manifest.version,
      description:
        "The CX Hub connector SDK (cx-hub/sdk) and its test kit (cx-hub/sdk/testing), packed from the hub for building plugins outside it.",
      license: "MIT",
      type: "module",
      exports: { "./sdk": entry("index"), "./sdk/testing": entry("testing/index") },
      files: ["dist"],
      engines: { node: ">=20.19" },
      dependencies,
      peerDependencies: { zod: manifest.dependencies.zod },
    };
    await writeFile(path.join(staging, "package.json"), `${JSON.stringify(sdkManifest, null, 2)}\n`);
    await writeFile(
      path.join(staging, "README.md"),
      "# cx-hub (SDK only)\n\nThe connector SDK of CX Hub, packed by `npm run sdk:pack`. The guide is plugins/README.md in the hub.\n",
    );
    await mkdir(path.resolve(outDir), { recursive: true });
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const { stdout } = await run(npm, ["pack", "--silent", "--pack-destination", path.resolve(outDir)], {
      cwd: staging,
    });
    const file = stdout.trim().split("\n").at(-1) ?? "";
    return { tarball: path.resolve(outDir, file), name: sdkManifest.name, version: sdkManifest.version };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
