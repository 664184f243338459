// Loaded with `node --import` (through NODE_OPTIONS) into a process a test starts: appends every module
// the process loads to the file CXHUB_TEST_MODULE_LOG names, one per line, so that the test can tell
// which packages a start-up loaded. Both ways in are watched: `import` (a resolve hook, which runs on a
// thread of its own) and `require` (the compiled hub loads CommonJS packages through createRequire,
// which the resolve hook does not see on Node 20). Both only observe: every specifier resolves as it
// would without them.
import { appendFileSync } from "node:fs";
import Module, { register } from "node:module";

const log = process.env.CXHUB_TEST_MODULE_LOG;
if (!log) throw new Error("module-load-tracer.mjs needs CXHUB_TEST_MODULE_LOG: the file to list modules in.");

register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync } from "node:fs";
    export async function resolve(specifier, context, nextResolve) {
      const resolved = await nextResolve(specifier, context);
      appendFileSync(${JSON.stringify(log)}, resolved.url + "\\n");
      return resolved;
    }
  `)}`,
);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function tracedResolveFilename(...args) {
  const filename = resolveFilename.apply(this, args);
  appendFileSync(log, `${filename}\n`);
  return filename;
};
