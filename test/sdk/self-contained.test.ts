// The SDK (cx-hub/sdk, cx-hub/sdk/testing and every other module in src/sdk) builds without the hub:
// every module it reaches lies in src/sdk, and none is the hub's generated database client.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const sdkDir = path.join(root, "src/sdk");

/** Specifiers of a module's static imports and re-exports (`import … from`, `export … from`, `import "…"`). */
function specifiers(source: string): string[] {
  const pattern = /^\s*(?:(?:import|export)\s[^;]*?\sfrom|import)\s*["']([^"']+)["']/gm;
  return [...source.matchAll(pattern)].map((match) => match[1] as string);
}

/** Every file reachable from `entries` through relative imports, and every package they import. */
async function reach(entries: string[]): Promise<{ files: Set<string>; packages: Set<string> }> {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of specifiers(await readFile(file, "utf8"))) {
      if (specifier.startsWith(".")) pending.push(path.resolve(path.dirname(file), specifier));
      else packages.add(specifier);
    }
  }
  return { files, packages };
}

describe("the SDK", () => {
  test("imports no module of the hub outside src/sdk, and never the generated Prisma client", async () => {
    const modules = await readdir(sdkDir, { recursive: true });
    const { files, packages } = await reach(
      modules.filter((file) => file.endsWith(".ts")).map((file) => path.join(sdkDir, file)),
    );
    const outside = [...files].filter((file) => !file.startsWith(`${sdkDir}${path.sep}`));
    expect(outside.map((file) => path.relative(root, file))).toEqual([]);
    expect([...packages].filter((name) => name.startsWith("@prisma/") || name === "prisma")).toEqual([]);
    // The scan does read imports (a broken pattern would pass vacuously).
    expect(packages).toContain("zod");
    expect(specifiers(await readFile(path.join(sdkDir, "records.ts"), "utf8"))).toContain("./vocabulary.ts");
  });
});
