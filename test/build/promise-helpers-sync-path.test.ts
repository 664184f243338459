// The bundle's @whatwg-node/promise-helpers 1.x answers handleMaybePromise directly when nothing is
// asynchronous (src/build/promise-helpers-sync-path.ts): the edit applies to both builds of the
// version yoga and envelop use, refuses code it does not know, leaves version 2 alone, and the edited
// function answers every kind of call (values, promises, fake promises, throws, a finally callback)
// exactly as the original does. What it saves is the peer bench's (`npm run bench -- --only peer`).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { editPromiseHelpers } from "../../src/build/promise-helpers-sync-path.ts";

// The copy envelop's orchestrator runs every hook through.
const fromEnvelop = createRequire(createRequire(import.meta.url).resolve("@envelop/core"));
const packageFolder = path.resolve(path.dirname(fromEnvelop.resolve("@whatwg-node/promise-helpers")), "..");
const { version } = JSON.parse(await readFile(path.join(packageFolder, "package.json"), "utf8")) as {
  version: string;
};

type Helpers = {
  handleMaybePromise: (
    input: () => unknown,
    success: (value: unknown) => unknown,
    error?: (error: unknown) => unknown,
    onFinally?: () => unknown,
  ) => unknown;
  fakePromise: (value?: unknown) => unknown;
  fakeRejectPromise: (error: unknown) => unknown;
};

let scratch: string;
let original: Helpers;
let edited: Helpers;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "promise-helpers-"));
  const source = await readFile(path.join(packageFolder, "esm", "index.js"), "utf8");
  const load = async (name: string, text: string) => {
    const file = path.join(scratch, name);
    await writeFile(file, text);
    return (await import(pathToFileURL(file).href)) as Helpers;
  };
  original = await load("original.mjs", source);
  edited = await load("edited.mjs", editPromiseHelpers(source, version));
});

afterAll(() => rm(scratch, { recursive: true, force: true }));

/** How a call ended: returned synchronously (a value, a promise's outcome) or threw. */
async function outcome(call: () => unknown) {
  let returned: unknown;
  try {
    returned = call();
  } catch (error) {
    return { threw: String(error) };
  }
  if (typeof (returned as { then?: unknown })?.then !== "function") return { value: returned };
  try {
    return { promise: "resolved", value: await returned };
  } catch (error) {
    return { promise: "rejected", error: String(error) };
  }
}

const boom = (what: string) => () => {
  throw new Error(what);
};

/** Every kind of input, success, error and finally callback, built from one module's own helpers. */
function cases(helpers: Helpers): [string, () => unknown][] {
  const inputs: [string, () => unknown][] = [
    ["a value", () => 1],
    ["undefined", () => undefined],
    // 1.x's isPromise takes an object for a promise only when its `then` is not null or undefined.
    // biome-ignore lint/suspicious/noThenProperty: the edge of the thenable check, on purpose
    ["an object with a null then", () => ({ then: null, n: 2 })],
    ["a promise", () => Promise.resolve(3)],
    ["a rejected promise", () => Promise.reject(new Error("rejected input"))],
    ["a fake promise", () => helpers.fakePromise(4)],
    ["a rejected fake promise", () => helpers.fakeRejectPromise(new Error("fake rejected input"))],
    ["a throw", boom("input threw")],
  ];
  const successes: [string, (value: unknown) => unknown][] = [
    ["maps", (value) => ({ got: value })],
    ["returns a promise", (value) => Promise.resolve({ later: value })],
    ["returns a fake promise", (value) => helpers.fakePromise({ faked: value })],
    ["throws", boom("success threw")],
  ];
  const errors: [string, ((error: unknown) => unknown) | undefined][] = [
    ["no error factory", undefined],
    ["recovers", (error) => `recovered from ${String(error)}`],
    ["recovers later", (error) => Promise.resolve(`later from ${String(error)}`)],
    ["throws", boom("error threw")],
  ];
  const finallies: [string, (() => unknown) | undefined][] = [
    ["no finally", undefined],
    ["a finally", () => undefined],
  ];
  return inputs.flatMap(([inputName, input]) =>
    successes.flatMap(([successName, success]) =>
      errors.flatMap(([errorName, error]) =>
        finallies.map(([finallyName, onFinally]): [string, () => unknown] => [
          `${inputName}, success ${successName}, ${errorName}, ${finallyName}`,
          () => helpers.handleMaybePromise(input, success, error, onFinally),
        ]),
      ),
    ),
  );
}

describe("promise-helpers 1.x bundled with promise-helpers-sync-path", () => {
  test("edits handleMaybePromise in the ES module and CommonJS builds", async () => {
    expect(version.startsWith("1.")).toBe(true);
    for (const build of ["esm", "cjs"]) {
      const source = await readFile(path.join(packageFolder, build, "index.js"), "utf8");
      const result = editPromiseHelpers(source, version);
      expect(result).not.toBe(source);
      expect(result.match(/if \(!finallyFactory\) \{/g)).toHaveLength(1);
      // Applied again, it finds nothing it knows left to edit.
      expect(() => editPromiseHelpers(result, version)).toThrow(/update its edit/);
    }
  });

  test("refuses a 1.x it does not know, and leaves version 2 as it is", () => {
    expect(() => editPromiseHelpers("export function handleMaybePromise() {}", "1.9.0")).toThrow(
      /promise-helpers 1\.9\.0 has no handleMaybePromise/,
    );
    expect(editPromiseHelpers("anything", "2.0.1")).toBe("anything");
  });

  test("answers every kind of call as the original does", async () => {
    const originalCases = cases(original);
    const editedCases = cases(edited);
    expect(editedCases.length).toBe(256);
    for (const [index, [name, call]] of originalCases.entries()) {
      expect(await outcome(editedCases[index]?.[1] ?? call), name).toEqual(await outcome(call));
    }
  });

  test("returns a plain value as it is, with no fake promise around it", () => {
    const value = { plain: true };
    expect(
      edited.handleMaybePromise(
        () => 1,
        () => value,
      ),
    ).toBe(value);
    expect(
      edited.handleMaybePromise(
        () => {
          throw new Error("no");
        },
        () => "never",
        () => value,
      ),
    ).toBe(value);
  });
});
