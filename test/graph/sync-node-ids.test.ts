// A node's id resolves without a promise (src/graph/sync-node-ids.ts): with every other field
// synchronous too, graphql-js answers at once rather than with a promise, and the ID is the one the
// Relay plugin gives; a node whose id resolver is asynchronous still gets its ID through Relay's.
import SchemaBuilder from "@pothos/core";
import RelayPlugin, { encodeGlobalID } from "@pothos/plugin-relay";
import { type ExecutionResult, execute, parse } from "graphql";
import { describe, expect, test } from "vitest";
import SyncNodeIdsPlugin from "../../src/graph/sync-node-ids.ts";

interface Row {
  id: string;
  name: string;
}

function schemaWith(plugins: Array<"relay" | "syncNodeIds">) {
  // The hub's plugins declare options every builder of the project must give (prisma, scopeAuth);
  // this one loads only Relay and the plugin under test.
  const options = {
    plugins: plugins.map((plugin) => (plugin === "relay" ? RelayPlugin : SyncNodeIdsPlugin)),
    relay: {},
  } as unknown as ConstructorParameters<typeof SchemaBuilder<{ Objects: { Thing: Row; Later: Row } }>>[0];
  const builder = new SchemaBuilder<{ Objects: { Thing: Row; Later: Row } }>(options);
  builder.node("Thing", {
    id: { resolve: (row) => row.id },
    isTypeOf: () => true,
    fields: (t) => ({ name: t.exposeString("name") }),
  });
  builder.node("Later", {
    id: { resolve: async (row) => row.id },
    isTypeOf: () => true,
    fields: (t) => ({ name: t.exposeString("name") }),
  });
  builder.queryType({
    fields: (t) => ({
      things: t.field({
        type: ["Thing"],
        resolve: () => [
          { id: "a1", name: "first" },
          { id: "b2", name: "second" },
        ],
      }),
      later: t.field({ type: "Later", resolve: () => ({ id: "c3", name: "third" }) }),
    }),
  });
  return builder.toSchema();
}

const run = (plugins: Array<"relay" | "syncNodeIds">, query: string) =>
  execute({ schema: schemaWith(plugins), document: parse(query) });

describe("node IDs", () => {
  test("resolve at once, as the same global IDs", async () => {
    const result = run(["relay", "syncNodeIds"], "{ things { id name } }");
    expect(result).not.toBeInstanceOf(Promise);
    const expected = {
      data: {
        things: [
          { id: encodeGlobalID("Thing", "a1"), name: "first" },
          { id: encodeGlobalID("Thing", "b2"), name: "second" },
        ],
      },
    };
    expect(result).toEqual(expected);
    // Relay alone gives the same IDs, through a promise.
    const relayOnly = run(["relay"], "{ things { id name } }");
    expect(relayOnly).toBeInstanceOf(Promise);
    expect(await relayOnly).toEqual(expected);
  });

  test("of a node whose id resolver is asynchronous come through Relay's resolver", async () => {
    const result = (await run(["relay", "syncNodeIds"], "{ later { id name } }")) as ExecutionResult;
    expect(result).toEqual({ data: { later: { id: encodeGlobalID("Later", "c3"), name: "third" } } });
  });
});
