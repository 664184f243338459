// scope-auth's checks through the lean wrapper (src/graph/lean-scope-auth.ts): the same answers as
// the plugin's own helper, errors with their messages, paths and codes in the same order, for type
// scopes that pass, fail, throw, wait on a promise or reject, per parent, with granted scopes, beside
// resolvers that answer at once, later, or fail.
import SchemaBuilder from "@pothos/core";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import { execute, GraphQLError, type GraphQLResolveInfo, parse } from "graphql";
import { describe, expect, test } from "vitest";
import LeanScopeAuthPlugin from "../../src/graph/lean-scope-auth.ts";

interface Row {
  id: string;
  open: boolean;
}

interface Context {
  admin: boolean;
  /** What the async field resolver answers with. */
  later: Promise<string>;
}

const ROWS: Row[] = [
  { id: "a", open: true },
  { id: "b", open: false },
  { id: "c", open: true },
  { id: "d", open: true },
];

function schemaWith(plugin: typeof ScopeAuthPlugin | typeof LeanScopeAuthPlugin) {
  type Types = { Context: Context; AuthScopes: { admin: boolean }; Objects: { Thing: Row; Slow: Row } };
  // The hub's plugins declare options every builder of the project must give (prisma, relay); this
  // one loads only the plugin under test.
  const options = {
    plugins: [plugin],
    scopeAuth: {
      authScopes: (context: Context) => ({ admin: context.admin }),
      unauthorizedError: (_parent: unknown, _context: unknown, info: GraphQLResolveInfo) =>
        new GraphQLError(`No ${info.parentType.name}.${info.fieldName}`, {
          extensions: { code: "FORBIDDEN" },
        }),
    },
  } as unknown as ConstructorParameters<typeof SchemaBuilder<Types>>[0];
  const builder = new SchemaBuilder<Types>(options);
  builder.objectType("Thing", {
    // Per parent: an open row for everyone, a closed one for admins only; the check breaks on "d".
    authScopes: (row) => {
      if (row.id === "d") throw new Error("The check broke.");
      return row.open ? true : { admin: true };
    },
    fields: (t) => ({
      id: t.exposeString("id"),
      later: t.string({ resolve: (_row, _args, context) => context.later }),
      failsLater: t.string({
        nullable: true,
        resolve: async (row) => {
          throw new GraphQLError(`${row.id} failed later.`, { extensions: { code: "BAD_USER_INPUT" } });
        },
      }),
      broken: t.string({
        nullable: true,
        resolve: () => {
          throw new GraphQLError("Broken on purpose.", { extensions: { code: "BAD_USER_INPUT" } });
        },
      }),
    }),
  });
  builder.objectType("Slow", {
    // A type scope that answers with a promise, rejected on "d".
    authScopes: async (row) => {
      if (row.id === "d") throw new Error("The check failed later.");
      return row.open ? true : { admin: true };
    },
    grantScopes: async (row) => (row.open ? ["admin"] : []),
    fields: (t) => ({
      id: t.exposeString("id"),
      later: t.string({ resolve: async (row) => `${row.id} later` }),
    }),
  });
  builder.queryType({
    fields: (t) => ({
      things: t.field({ type: ["Thing"], nullable: { list: false, items: true }, resolve: () => ROWS }),
      slow: t.field({ type: ["Slow"], nullable: { list: false, items: true }, resolve: () => ROWS }),
    }),
  });
  return builder.toSchema();
}

const schemas = { plugin: schemaWith(ScopeAuthPlugin), lean: schemaWith(LeanScopeAuthPlugin) };

async function answer(schema: keyof typeof schemas, query: string, admin: boolean) {
  const result = await execute({
    schema: schemas[schema],
    document: parse(query),
    contextValue: { admin, later: Promise.resolve("done") },
  });
  // Errors as a client receives them: message, locations, path and extensions.
  return JSON.parse(JSON.stringify(result)) as unknown;
}

describe("the lean scope-auth wrapper", () => {
  const queries = [
    "{ things { id later } }",
    "{ things { id broken } }",
    "{ slow { id later } }",
    "{ things { id later broken } slow { id later } }",
    "{ slow { id } things { failsLater } }",
    "{ things { failsLater } slow { later } things2: things { broken failsLater } }",
  ];

  for (const query of queries) {
    for (const admin of [true, false]) {
      test(`answers ${query} as the plugin does (${admin ? "admin" : "not admin"})`, async () => {
        const lean = await answer("lean", query, admin);
        expect(lean).toEqual(await answer("plugin", query, admin));
        if (!admin && query.includes("things")) {
          expect(JSON.stringify(lean)).toContain('"path":["things",1,');
          expect(JSON.stringify(lean)).toContain('"code":"FORBIDDEN"');
        }
      });
    }
  }
});
