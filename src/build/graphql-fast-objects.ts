// An esbuild plugin for the bundled hub (build.ts): graphql-js's executor makes the objects it builds
// for every field of every row with Object.create(null), which V8 makes as dictionary-mode objects
// (193 bytes with three properties where a literal takes 65, slower to fill and to read, and
// JSON.stringify leaves its fast path for them). On the customer list page these were 40% of the
// bytes a request allocated (issue 15: getArgumentValues 224 KB and executeFields 176 KB of 972 KB a
// request; the garbage collector was 23% of its CPU).
//
// The objects are made instead with Object.create(NO_PROPERTIES): an empty, frozen, null-prototype
// object as their prototype, so that they inherit no property at all, exactly as before (a field
// aliased `__proto__`, `constructor` or `toString` is an own property like any other), but they are
// ordinary fast objects. Only Object.getPrototypeOf tells a response's objects apart from before.
// The arguments a resolver receives do not change at all: getArgumentValues fills a scratch object
// and hands the resolver a plain copy of it; only the scratch object is made this way. And a field
// written without arguments (nearly every field) no longer builds a map of its argument nodes to
// look its schema arguments up in: it looks them up in NO_PROPERTIES, which holds none. A field the
// schema gives no arguments returns its empty copy at once.
//
// Each edit names the text it replaces, and the build fails when graphql's code is not the one it
// knows (a graphql upgrade that changed it), rather than bundle the slow objects silently.
import { readFile } from "node:fs/promises";
import type * as esbuild from "esbuild";
import { prependDeclaration } from "./prepend-declaration.ts";

const NO_PROPERTIES = "__cxhubNoProperties";
const DECLARATION = `const ${NO_PROPERTIES} = Object.freeze(Object.create(null));\n`;

interface Edit {
  /** The text as graphql 16 writes it, in its CommonJS (.js) and ES module (.mjs) builds. */
  find: RegExp;
  replace: string;
}

/** The edits of each graphql module, by its path inside the package. */
export const GRAPHQL_EDITS: Record<string, Edit[]> = {
  "execution/values": [
    {
      // getArgumentValues of a field the schema gives no arguments (nearly every field): the plain,
      // empty copy it returns in the end, without the scratch object it would copy it from.
      find: /(function getArgumentValues\(def, node, variableValues\) \{)/,
      replace: "$1\n  if (def.args.length === 0) return {};",
    },
    {
      // getArgumentValues: the arguments as it fills them, one object per field per row (it returns a copy).
      find: /const coercedValues = Object\.create\(null\); \/\/ FIXME: https:\/\/github\.com\/graphql\/graphql-js\/issues\/2203/,
      replace: `const coercedValues = Object.create(${NO_PROPERTIES});`,
    },
    {
      // getArgumentValues: the field's argument nodes by name, only looked up by schema argument names.
      find: /const argNodeMap = (\(0, _keyMap\.keyMap\)|keyMap)\(/,
      replace: `const argNodeMap = argumentNodes.length === 0 ? ${NO_PROPERTIES} : $1(`,
    },
  ],
  "execution/execute": [
    {
      // executeFields: the result of each object in the response.
      find: /const results = Object\.create\(null\);(\s+let containsPromise = false;)/,
      replace: `const results = Object.create(${NO_PROPERTIES});$1`,
    },
  ],
  "jsutils/promiseForObject": [
    {
      // The same result once its asynchronous fields have settled.
      find: /const resolvedObject = Object\.create\(null\);/,
      replace: `const resolvedObject = Object.create(${NO_PROPERTIES});`,
    },
  ],
};

const MODULE =
  /[\\/]node_modules[\\/]graphql[\\/](execution[\\/](?:values|execute)|jsutils[\\/]promiseForObject)\.m?js$/;

/** graphql's source of one of GRAPHQL_EDITS' modules with its edits; throws when one does not apply once. */
export function editGraphqlModule(modulePath: string, source: string): string {
  const edits = GRAPHQL_EDITS[modulePath];
  if (!edits) throw new Error(`graphql-fast-objects.ts has no edits for graphql's ${modulePath}.`);
  let edited = source;
  for (const { find, replace } of edits) {
    const found = source.match(new RegExp(find.source, "g"))?.length ?? 0;
    if (found !== 1) {
      throw new Error(
        `graphql's ${modulePath} has ${found} places matching ${find} where graphql-fast-objects.ts expects one: update its edits for this graphql version.`,
      );
    }
    edited = edited.replace(find, replace);
  }
  return prependDeclaration(edited, DECLARATION);
}

export function graphqlFastObjects(): esbuild.Plugin {
  return {
    name: "graphql-fast-objects",
    setup(build) {
      build.onLoad({ filter: MODULE }, async (args) => {
        const modulePath = (MODULE.exec(args.path)?.[1] ?? "").replaceAll("\\", "/");
        return { loader: "js", contents: editGraphqlModule(modulePath, await readFile(args.path, "utf8")) };
      });
    },
  };
}
