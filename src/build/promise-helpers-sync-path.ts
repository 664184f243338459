// An esbuild plugin for the bundled hub (build.ts): @whatwg-node/promise-helpers 1.x, which yoga,
// envelop and the server adapter run every hook of every request through, answers handleMaybePromise
// with a chain of "fake promises" even when nothing is asynchronous: three objects, each with its own
// then/catch/finally closures, for every call. On the Customer360 page that was a seventh of the bytes
// a request allocated (issue 15: an allocation profile, 265 MB of 1.9 GB over 6,000 requests), for
// work that returns a plain value.
//
// Version 2 of the package calls the factories directly when the input is not a promise, and keeps
// the chain for anything else; but it dropped an export (mapMaybePromise) that envelop and
// graphql-tools re-export, so the 1.x line cannot simply be replaced. This edit gives 1.x's
// handleMaybePromise the same direct path, written against the module's own helpers:
// - no finally callback and an input that is not thenable (by 1.x's own isPromise): the success
//   factory is called with it and its result returned as the chain would have unwrapped it;
// - the input factory throws: the error factory answers, or the error is thrown, as the chain's
//   unwrapping of a rejected fake promise throws it;
// - a thenable input, or a finally callback: the original chain, unchanged.
// A success factory that throws throws here too: in the chain, a fake promise's `then` never hands
// its own callback's error to the error factory.
//
// The edit names the text it replaces, and the build fails when the package's code is not the one it
// knows (an upgrade that changed it), rather than bundle the old chain silently.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type * as esbuild from "esbuild";

/** handleMaybePromise as 1.x writes it, in its ES module and CommonJS builds alike. */
const HANDLE_MAYBE_PROMISE =
  /function handleMaybePromise\(inputFactory, outputSuccessFactory, outputErrorFactory, finallyFactory\) \{\n {4}let result\$ = fakePromise\(\)\.then\(inputFactory\)\.then\(outputSuccessFactory, outputErrorFactory\);\n/;

const DIRECT_PATH = `function handleMaybePromise(inputFactory, outputSuccessFactory, outputErrorFactory, finallyFactory) {
    if (!finallyFactory) {
        let input;
        try {
            input = inputFactory(undefined);
        }
        catch (error) {
            if (!outputErrorFactory) throw error;
            const recovered = outputErrorFactory(error);
            return isPromise(recovered) ? unfakePromise(fakePromise(recovered)) : recovered;
        }
        if (isPromise(input)) return unfakePromise(fakePromise(input).then(outputSuccessFactory, outputErrorFactory));
        const output = outputSuccessFactory(input);
        return isPromise(output) ? unfakePromise(fakePromise(output)) : output;
    }
    let result$ = fakePromise().then(inputFactory).then(outputSuccessFactory, outputErrorFactory);
`;

const MODULE = /[\\/]node_modules[\\/]@whatwg-node[\\/]promise-helpers[\\/](esm|cjs)[\\/]index\.js$/;

/** The package's index with the direct path; version 2 (which has its own) is left as it is. */
export function editPromiseHelpers(source: string, version: string): string {
  if (!version.startsWith("1.")) return source;
  if (!HANDLE_MAYBE_PROMISE.test(source)) {
    throw new Error(
      `@whatwg-node/promise-helpers ${version} has no handleMaybePromise as promise-helpers-sync-path.ts knows it: update its edit for this version.`,
    );
  }
  return source.replace(HANDLE_MAYBE_PROMISE, DIRECT_PATH);
}

export function promiseHelpersSyncPath(): esbuild.Plugin {
  return {
    name: "promise-helpers-sync-path",
    setup(build) {
      build.onLoad({ filter: MODULE }, async (args) => {
        const packageJson = path.join(path.dirname(args.path), "..", "package.json");
        const { version } = JSON.parse(await readFile(packageJson, "utf8")) as { version: string };
        return { loader: "js", contents: editPromiseHelpers(await readFile(args.path, "utf8"), version) };
      });
    },
  };
}
