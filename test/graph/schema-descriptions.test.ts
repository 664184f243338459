// The schema is a product: every type, field, argument and enum value explains itself, and the
// committed schema/schema.graphql is what the code prints.
import { readFile } from "node:fs/promises";
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  parse,
  validate,
} from "graphql";
import { describe, expect, test } from "vitest";
import { printGraphSchema } from "../../src/graph/print-schema.ts";
import { graphSchema } from "../../src/graph/schema.ts";

describe("the GraphQL schema", () => {
  test("describes every type, field, argument and enum value", () => {
    const missing: string[] = [];
    for (const type of Object.values(graphSchema().getTypeMap())) {
      if (type.name.startsWith("__") || ["String", "Int", "Float", "Boolean", "ID"].includes(type.name))
        continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of "args" in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) {
          if (!value.description) missing.push(`${type.name}.${value.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  // GraphQL refuses a selection of two same-named fields of different types on a union's members
  // (Interaction.kind was a String, Feedback.kind an enum): a timeline query failed unless aliased.
  test("the members of a union never share a field name with different types", () => {
    const clashes: string[] = [];
    for (const type of Object.values(graphSchema().getTypeMap())) {
      if (!isUnionType(type)) continue;
      const seen = new Map<string, { owner: string; type: string }>();
      for (const member of type.getTypes()) {
        for (const field of Object.values(member.getFields())) {
          if (field.deprecationReason) continue;
          const earlier = seen.get(field.name);
          if (earlier && earlier.type !== String(field.type))
            clashes.push(
              `${type.name}: ${earlier.owner}.${field.name} is ${earlier.type}, ${member.name}.${field.name} is ${field.type}`,
            );
          seen.set(field.name, { owner: member.name, type: String(field.type) });
        }
      }
    }
    expect(clashes).toEqual([]);
    const timeline =
      parse(`query ($id: ID!) { node(id: $id) { ... on Customer { timeline(first: 5) { edges { node {
      ... on Interaction { kind channel occurredAt } ... on Feedback { measure score answeredOn } } } } } } }`);
    expect(validate(graphSchema(), timeline)).toEqual([]);
  });

  test("schema/schema.graphql is up to date (run npm run schema:print)", async () => {
    const committed = await readFile(new URL("../../schema/schema.graphql", import.meta.url), "utf8");
    expect(committed).toBe(printGraphSchema());
  });
});
