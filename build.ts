// `npm run build` (run on install): the hub that `npm start` runs, bundled and minified by esbuild into
// dist/. Why a bundle: V8 keeps the source text of every module it loads for the life of the process,
// and the hub's modules with their node_modules held 18.7 MB of it at ready (the compiled but
// unminified output of tsc); minified and in few files, far less stays (issue 15: memory at ready).
//
// What dist/ holds, at the sources' paths so that what loads modules at run time finds them:
// - the entries run as programs: src/main.js (npm start), src/cli/migrate.js, src/cli/make-pglite-template.js;
// - the SDK (src/sdk/index.js, src/sdk/testing/index.js: cx-hub/sdk under the cx-hub-compiled
//   condition) and the built-in plugins (plugins/<name>/index.js), which the hub imports at run time;
// - chunks/: the code these entries share. All are built in one pass with code splitting, so there is
//   one copy of each module: the hub and every plugin share one SDK (its error classes are checked with
//   instanceof across them), whichever of them imports it.
// Left out of the bundle, as packages in node_modules: PGlite (it finds its WebAssembly and data files
// beside its own modules), pg (see external, below) and the optional native add-ons that pg and ws try.
// The Prisma query compiler's WebAssembly is written as a file instead of staying a base64 string in
// the bundle (src/db/prisma-query-compiler.ts says why).
// Three dependencies are edited as they are bundled, each edit failing the build when the code it
// expects is not there: graphql-js builds its per-field objects as fast objects
// (src/build/graphql-fast-objects.ts), Prisma's runtime keeps its parameter graph's edges in
// dictionaries rather than 11 KB sparse arrays (src/build/prisma-sparse-edges.ts), and
// @whatwg-node/promise-helpers 1.x answers a call with nothing asynchronous in it without a chain of
// fake promises, as its version 2 does (src/build/promise-helpers-sync-path.ts).
// Source maps are written beside the files (sources not included: they are in src/ and node_modules/)
// and read only when asked for: NODE_OPTIONS=--enable-source-maps npm start.
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import * as esbuild from "esbuild";
import { graphqlFastObjects } from "./src/build/graphql-fast-objects.ts";
import { prismaSparseEdges } from "./src/build/prisma-sparse-edges.ts";
import { promiseHelpersSyncPath } from "./src/build/promise-helpers-sync-path.ts";
import { QUERY_COMPILER_DIR } from "./src/db/prisma-query-compiler.ts";

const root = import.meta.dirname;
/** Plugin folders that are not plugins to load: the template is there to be copied. */
const NOT_PLUGINS = new Set(["template"]);

async function builtinPluginEntries(): Promise<string[]> {
  const entries: string[] = [];
  for (const name of (await readdir(path.join(root, "plugins"))).sort()) {
    if (NOT_PLUGINS.has(name) || name.startsWith(".") || name.startsWith("_")) continue;
    const file = path.join("plugins", name, "index.ts");
    if ((await stat(path.join(root, file)).catch(() => undefined))?.isFile()) entries.push(file);
  }
  return entries;
}

/**
 * Points the generated Prisma client's getQueryCompilerWasmModule at the .wasm file this build writes,
 * instead of the base64 module of @prisma/client's runtime. Fails the build when the generated code is
 * not as expected (a Prisma upgrade that changed it), rather than bundle the base64 silently.
 */
function queryCompilerFromFile(): esbuild.Plugin {
  return {
    name: "prisma-query-compiler-from-file",
    setup(build) {
      build.onLoad(
        { filter: /[\\/]src[\\/]generated[\\/]prisma[\\/]internal[\\/]class\.ts$/ },
        async (args) => {
          const source = await readFile(args.path, "utf8");
          const loader =
            /getQueryCompilerWasmModule: async \(\) => \{\s*const \{ wasm \} = await import\("([^"]+\.wasm-base64\.mjs)"\)\s*return await decodeBase64AsWasm\(wasm\)\s*\}/;
          const match = loader.exec(source);
          if (!match?.[1]) {
            throw new Error(
              `${args.path}: getQueryCompilerWasmModule is not the one build.ts knows (a base64 module decoded by decodeBase64AsWasm); update queryCompilerFromFile for this Prisma version.`,
            );
          }
          const base64Module = match[1];
          const fileName = `${path.basename(base64Module, ".wasm-base64.mjs")}.wasm`;
          const { wasm } = (await import(base64Module)) as { wasm: string };
          await mkdir(path.join(root, ...QUERY_COMPILER_DIR), { recursive: true });
          await writeFile(path.join(root, ...QUERY_COMPILER_DIR, fileName), Buffer.from(wasm, "base64"));
          const compilerModule = path.join(root, "src", "db", "prisma-query-compiler.ts");
          return {
            loader: "ts",
            contents: `import { compileQueryCompilerWasm } from ${JSON.stringify(compilerModule)};\n${source.replace(
              loader,
              `getQueryCompilerWasmModule: () => compileQueryCompilerWasm(${JSON.stringify(fileName)})`,
            )}`,
          };
        },
      );
    },
  };
}

/**
 * Fails the build when an output file has a character outside ASCII. esbuild escapes them in strings,
 * but not in a tagged template (its raw text would change), such as the SQL of Prisma's $queryRaw; and
 * one such character makes V8 hold the whole file's source as two bytes per character: 1.8 MB more for
 * the entry chunk. Write it as an escape instead (\u2014), which the template's cooked text resolves.
 */
async function checkAscii(outputs: string[]): Promise<void> {
  for (const output of outputs.filter((file) => file.endsWith(".js"))) {
    const text = await readFile(path.join(root, output), "utf8");
    let at = 0;
    while (at < text.length && text.charCodeAt(at) <= 0x7f) at++;
    if (at < text.length) {
      throw new Error(
        `${output} has a character outside ASCII (${JSON.stringify(text.slice(Math.max(0, at - 80), at + 20))}): write it as an escape in the source (see checkAscii in build.ts).`,
      );
    }
  }
}

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: [
    "src/main.ts",
    "src/cli/migrate.ts",
    "src/cli/make-pglite-template.ts",
    "src/sdk/index.ts",
    "src/sdk/testing/index.ts",
    ...(await builtinPluginEntries()),
  ],
  outbase: ".",
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Whitespace and syntax minified, names not: they stay as written (but for top-level names of ES
  // modules that collide in the bundle, which get a digit), so that constructor names read at run
  // time (rate-limiter-flexible tells Redis clients apart by constructor.name; error names in logs)
  // stay true. esbuild's keepNames would keep them under minified names, but it wraps every nested
  // function in a call that names it each time it is created: +23% to +49% CPU per request in an A/B
  // on the bench's pages. The bundle's source text is 2.5 MB instead of 1.9 MB for the entry chunk;
  // memory at ready came out the same.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "none",
  // pg stays a package too: one copy for the hub and for what instruments it from outside (the
  // bench's statement counter patches pg.Client, test/bench/count-sql.ts); its source is small.
  external: [
    "@electric-sql/pglite",
    "@electric-sql/pglite/*",
    "pg",
    "pg-native",
    "bufferutil",
    "utf-8-validate",
  ],
  // First in every output file, chunks included, so before any module's own code runs (whichever
  // chunk the bundler puts graphql or Pothos in):
  // - the bundled hub runs in production unless NODE_ENV says otherwise: graphql-js then skips its
  //   development-time instanceof checks, and the Prisma plugin no longer wraps every query to warn
  //   about unused selections (builder.ts); A/B on the bench's pages: 1.1x to 1.4x the throughput.
  //   From the sources (tsx: `npm run dev`, tests) the mode is left as given; the spawned-hub tests
  //   pass NODE_ENV=test;
  // - CommonJS packages inside an ES module bundle still call require (for Node's own modules).
  banner: {
    js: 'process.env.NODE_ENV ??= "production"; import { createRequire as __cxhubCreateRequire } from "node:module"; const require = __cxhubCreateRequire(import.meta.url);',
  },
  // The edits of graphql-js, Prisma's runtime and promise-helpers (see the top of this file).
  plugins: [queryCompilerFromFile(), graphqlFastObjects(), prismaSparseEdges(), promiseHelpersSyncPath()],
  metafile: true,
  logLevel: "warning",
  // sentiment requires its languages by a computed name and ships English only, which it loads by name.
  logOverride: { "empty-glob": "silent" },
});
await checkAscii(Object.keys(result.metafile.outputs));
