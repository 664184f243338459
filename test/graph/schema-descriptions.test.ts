// The schema is a product: every type, field, argument and enum value explains itself, and the
// committed schema/schema.graphql is what the code prints.
import { readFile } from "node:fs/promises";
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType } from "graphql";
import { describe, expect, test } from "vitest";
import { printGraphSchema } from "../../src/graph/print-schema.ts";
import { createGraphSchema } from "../../src/graph/schema.ts";

describe("the GraphQL schema", () => {
  test("describes every type, field, argument and enum value", () => {
    const missing: string[] = [];
    for (const type of Object.values(createGraphSchema().getTypeMap())) {
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

  test("schema/schema.graphql is up to date (run npm run schema:print)", async () => {
    const committed = await readFile(new URL("../../schema/schema.graphql", import.meta.url), "utf8");
    expect(committed).toBe(printGraphSchema());
  });
});
