// The bundle's graphql-js builds its per-field objects as fast objects (src/build/graphql-fast-objects.ts),
// and answers exactly as the package does: graphql bundled with the build's plugin, beside the graphql
// the tests load, on a schema whose fields take arguments, resolve asynchronously and are aliased
// after Object.prototype's properties.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import * as packaged from "graphql";
import { afterAll, describe, expect, test } from "vitest";
import {
  editGraphqlModule,
  GRAPHQL_EDITS,
  graphqlFastObjects,
} from "../../src/build/graphql-fast-objects.ts";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
const scratch = await mkdtemp(path.join(tmpdir(), "cxhub-graphql-fast-objects-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** graphql as build.ts bundles it, with the plugin. */
async function bundledGraphql(): Promise<typeof packaged> {
  const built = await esbuild.build({
    absWorkingDir: projectRoot,
    // graphql's CommonJS build, as the hub's bundle takes it: its exports are known at run time only.
    stdin: {
      contents: 'import * as graphql from "graphql"; export default graphql;',
      resolveDir: projectRoot,
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    logLevel: "silent",
    plugins: [graphqlFastObjects()],
  });
  const file = path.join(scratch, "graphql.mjs");
  await writeFile(file, built.outputFiles[0]?.text ?? "");
  return ((await import(pathToFileURL(file).href)) as { default: typeof packaged }).default;
}

const bundled = await bundledGraphql();

const SDL = `
  type Query { item(label: String, repeat: Int = 1): Item!  items: [Item!]! }
  type Item { label: String!  later: String!  args: String! }
`;

/** The same resolvers for both schemas; `args` reports the argument object as a resolver sees it. */
function schemaOf(graphql: typeof packaged) {
  const schema = graphql.buildSchema(SDL);
  const item = (label: string) => ({ label });
  const query = schema.getQueryType()?.getFields();
  const fields = (schema.getType("Item") as packaged.GraphQLObjectType).getFields();
  if (!query?.item || !query.items || !fields.later || !fields.args) throw new Error("schema as written");
  query.item.resolve = (_parent, args: { label?: string; repeat: number }) =>
    item((args.label ?? "none").repeat(args.repeat));
  query.items.resolve = () => [item("a"), item("b")];
  fields.later.resolve = async (parent: { label: string }) => `${parent.label} later`;
  fields.args.resolve = (_parent, args: object) =>
    JSON.stringify({
      own: Object.keys(args),
      inherits: ["toString", "constructor"].filter((k) => k in args),
    });
  return schema;
}

const DOCUMENT = `query ($label: String) {
  __proto__: item(label: $label, repeat: 2) { label constructor: later toString: args }
  hasOwnProperty: item { label valueOf: args }
  items { __proto__: label later args }
  __typename
}`;

async function run(graphql: typeof packaged, variableValues: Record<string, unknown>) {
  const result = await graphql.execute({
    schema: schemaOf(graphql),
    document: graphql.parse(DOCUMENT),
    variableValues,
  });
  return result;
}

describe("graphql-js bundled with graphql-fast-objects", () => {
  test("answers exactly as the packaged graphql-js, fields aliased after Object.prototype's included", async () => {
    for (const variables of [{ label: "x" }, {}]) {
      const [fromBundle, fromPackage] = await Promise.all([
        run(bundled, variables),
        run(packaged, variables),
      ]);
      expect(fromBundle.errors).toBeUndefined();
      expect(JSON.stringify(fromBundle)).toBe(JSON.stringify(fromPackage));
      const data = fromBundle.data as Record<string, Record<string, unknown>>;
      // Own properties, as on a null-prototype object: `__proto__` is a field, not the prototype.
      expect(Object.keys(data)).toEqual(["__proto__", "hasOwnProperty", "items", "__typename"]);
      const aliased = Object.getOwnPropertyDescriptor(data, "__proto__")?.value as object;
      expect(Object.keys(aliased)).toEqual(["label", "constructor", "toString"]);
    }
    const data = (await run(bundled, { label: "x" })).data as Record<string, object>;
    const aliased = Object.getOwnPropertyDescriptor(data, "__proto__")?.value as object;
    expect(JSON.parse(String(Reflect.get(aliased, "toString"))).own).toEqual([]);
    expect(Reflect.get(aliased, "constructor")).toBe("xx later");
  });

  test("builds the response's objects on an empty prototype rather than as null-prototype dictionaries", async () => {
    const result = await bundled.execute({
      schema: schemaOf(bundled),
      document: bundled.parse('{ items { label later } item(label: "x") { label } }'),
    });
    const data = result.data as { items: object[]; item: object };
    // Null before the plugin: the objects V8 keeps as dictionaries. `data` waited on `later`.
    for (const made of [data, data.items[0], data.item]) {
      const prototype = Object.getPrototypeOf(made) as object | null;
      expect(prototype).not.toBeNull();
      expect(Object.getPrototypeOf(prototype)).toBeNull();
      expect(Object.isFrozen(prototype)).toBe(true);
      expect(Reflect.ownKeys(prototype as object)).toEqual([]);
    }
  });

  test("applies to graphql's CommonJS and ES module builds, and refuses code it does not know", async () => {
    const require = createRequire(import.meta.url);
    const root = path.dirname(require.resolve("graphql/package.json"));
    for (const modulePath of Object.keys(GRAPHQL_EDITS)) {
      for (const extension of [".js", ".mjs"]) {
        const source = await readFile(path.join(root, `${modulePath}${extension}`), "utf8");
        expect(editGraphqlModule(modulePath, source)).toContain("__cxhubNoProperties");
      }
    }
    expect(() => editGraphqlModule("execution/values", "const coercedValues = {};")).toThrow(
      /update its edits for this graphql version/,
    );
  });
});
