// The depth, breadth and complexity of one operation, checked once before it runs — for a query, a
// mutation and a subscription alike (a subscription at subscribe time, not when its first event
// arrives). Pothos' complexity plugin supplies each field's cost (its `complexity` option); this module
// applies the limits to the operation the client chose. A field's cost is a function of its arguments
// only, never of the caller: the measure gets an empty context, so a cost that read the caller would
// fail here rather than vary, and src/server/use-operation-limits.ts may remember an operation that
// passed by its document and variables.
import { complexityFromQuery } from "@pothos/plugin-complexity";
import { type DocumentNode, GraphQLError, type GraphQLSchema, Kind } from "graphql";
import { complexityLimitError, QUERY_LIMITS } from "./builder.ts";

/** The limit the operation breaks, as a GraphQL error; null when it keeps within all of them. */
export function checkOperationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): GraphQLError | null {
  const operation = document.definitions.find(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      (operationName ? definition.name?.value === operationName : true),
  );
  if (!operation) return null;
  // complexityFromQuery measures the first operation: give it the chosen one and the fragments.
  const chosen: DocumentNode = {
    ...document,
    definitions: [
      operation,
      ...document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION),
    ],
  };
  let measured: { complexity: number; depth: number; breadth: number };
  try {
    measured = complexityFromQuery(chosen, { schema, variables: variables ?? {}, ctx: {} });
  } catch (error) {
    // Variables that do not coerce are refused by execution itself, with graphql's own message.
    if (error instanceof GraphQLError || (error as Error).name === "PothosValidationError") return null;
    throw error;
  }
  for (const limit of ["depth", "breadth", "complexity"] as const) {
    if (measured[limit] > QUERY_LIMITS[limit]) return complexityLimitError(limit, measured);
  }
  return null;
}
