// The printed SDL of the schema, as committed in schema/schema.graphql for clients and code generators.
import { lexicographicSortSchema, printSchema } from "graphql";
import { graphSchema } from "./schema.ts";

export const SCHEMA_FILE_HEADER =
  "# The CX Hub GraphQL schema, printed from src/graph by `npm run schema:print`. Do not edit by hand.\n\n";

export function printGraphSchema(): string {
  return `${SCHEMA_FILE_HEADER}${printSchema(lexicographicSortSchema(graphSchema()))}\n`;
}
