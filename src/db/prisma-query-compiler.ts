// The Prisma query compiler's WebAssembly, for the bundled hub (dist/, written by build.ts). The
// generated client (runtime "client") imports it as a module of @prisma/client's runtime that exports
// it as a base64 string: 2.3 MB of module source text and as much again for the string, both held for
// the life of the process (Node never unloads an ES module), for bytes compiled once at start-up. The
// build decodes them into a .wasm file in dist/ and points the generated client's
// getQueryCompilerWasmModule here instead, so nothing of them stays once compiled. The hub run from
// its sources (tsx: tests, `npm run dev`) keeps the generated client as it is.
import { readFile } from "node:fs/promises";
import { projectPath } from "../project-files.ts";

/** The folder of dist/ that holds the compiler's .wasm file, as path parts under the project folder. */
export const QUERY_COMPILER_DIR = ["dist", "prisma"] as const;

/** Compiles the query compiler's WebAssembly that the build wrote as `fileName`. */
export async function compileQueryCompilerWasm(fileName: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(projectPath(...QUERY_COMPILER_DIR, fileName)));
}
