// The depth, breadth and complexity of one operation, checked once before it runs — for a query, a
// mutation and a subscription alike (a subscription at subscribe time, not when its first event
// arrives). Pothos' complexity plugin supplies each field's cost (its `complexity` option); this module
// applies the limits to the operation the client chose. A field's cost is a function of its arguments
// only, never of the caller: the measure gets an empty context, so a cost that read the caller would
// fail here rather than vary, and src/server/use-operation-limits.ts may remember an operation that
// passed by its document and variables.
import { complexityFromQuery } from "@pothos/plugin-complexity";
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { complexityLimitError, QUERY_LIMITS } from "./builder.ts";

/**
 * The limit the operation breaks (`refusal`, a GraphQL error; null when it keeps within all of them),
 * and whether it was measured at all: variables that do not coerce leave it unmeasured (and
 * unrefused: execution refuses them with graphql's own message).
 */
export function measureOperationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): { refusal: GraphQLError | null; measured: boolean } {
  const operation = chosenOperation(document, operationName);
  if (!operation) return { refusal: null, measured: false };
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
    if (error instanceof GraphQLError || (error as Error).name === "PothosValidationError") {
      return { refusal: null, measured: false };
    }
    throw error;
  }
  for (const limit of ["depth", "breadth", "complexity"] as const) {
    if (measured[limit] > QUERY_LIMITS[limit]) {
      return { refusal: complexityLimitError(limit, measured), measured: true };
    }
  }
  return { refusal: null, measured: true };
}

function chosenOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  return document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      (operationName ? definition.name?.value === operationName : true),
  );
}

/**
 * Whether the operation's measure can change with its variables: only through a field whose cost is a
 * function of its arguments (a connection's page size), which the measure calls with the coerced
 * variables. Walked as the measure walks (every selection, directives aside), over the same fields;
 * any such field counts, whether or not its arguments name a variable. An operation without one
 * measures the same whatever its variables, so a measure that passed once passes for all of them
 * (src/server/use-operation-limits.ts keeps it per document).
 */
export function costReadsVariables(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): boolean {
  const operation = chosenOperation(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return true;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const walked = new Map<SelectionSetNode, Set<GraphQLNamedType>>();
  const reads = (selectionSet: SelectionSetNode, type: GraphQLNamedType | undefined): boolean => {
    // A type the measure cannot walk fails it (unmeasured): nothing to keep.
    if (!type) return true;
    const seen = walked.get(selectionSet) ?? new Set();
    if (seen.has(type)) return false;
    seen.add(type);
    walked.set(selectionSet, seen);
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = (isObjectType(type) || isInterfaceType(type)) && type.getFields()[selection.name.value];
        if (!field) continue; // __typename and the like: a constant cost.
        if (typeof field.extensions?.complexity === "function") return true;
        if (selection.selectionSet && reads(selection.selectionSet, getNamedType(field.type))) return true;
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) return true;
        if (reads(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined))
          return true;
      } else {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        if (reads(selection.selectionSet, on ?? undefined)) return true;
      }
    }
    return false;
  };
  return reads(operation.selectionSet, root);
}
