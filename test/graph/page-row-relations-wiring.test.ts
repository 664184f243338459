// The Customer fields that page-row-relations.ts answers from a page row are tagged for it in the
// built schema, and only those: the results-only tests in page-row-relations.db.test.ts pass with the
// plugin gone, so this is what fails when a field loses its tag or the plugin its place.
import PrismaPlugin from "@pothos/plugin-prisma";
import { GraphQLObjectType } from "graphql";
import { describe, expect, test } from "vitest";
import { builder } from "../../src/graph/builder.ts";
import LeanScopeAuthPlugin from "../../src/graph/lean-scope-auth.ts";
import PageRowRelationsPlugin from "../../src/graph/page-row-relations.ts";
import { graphSchema } from "../../src/graph/schema.ts";

describe("page-row relations' wiring", () => {
  test("Customer's identities, owner, score, interactions and feedback are tagged, each with its own relation", () => {
    const customer = graphSchema().getType("Customer");
    if (!(customer instanceof GraphQLObjectType)) throw new Error("the schema has no Customer object type");
    const tagged = Object.fromEntries(
      Object.values(customer.getFields())
        .filter((field) => field.extensions.pageRowRelation !== undefined)
        .map((field) => [field.name, field.extensions.pageRowRelation]),
    );
    expect(tagged).toEqual({
      identities: "identities",
      owner: "owner",
      score: "score",
      interactions: "interactions",
      feedback: "feedback",
    });
  });

  test("the plugin runs inside scope-auth and just before Prisma's, so only Prisma's wrapper is skipped", () => {
    const plugins: readonly unknown[] = builder.options.plugins ?? [];
    const at = plugins.indexOf(PageRowRelationsPlugin);
    expect(plugins.indexOf(LeanScopeAuthPlugin)).toBeGreaterThanOrEqual(0);
    expect(at).toBeGreaterThan(plugins.indexOf(LeanScopeAuthPlugin));
    expect(plugins[at + 1]).toBe(PrismaPlugin);
  });
});
