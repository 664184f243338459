// Bounds on every input, checked once per operation before any resolver runs (and before graphql
// coerces the variables): every string has a maximum length and no NUL byte, every list a maximum
// number of items, every JSON value a maximum size and depth. An argument or input field declares
// a bound other than the default with `bounded({...})`; everything else gets the defaults, so a new
// argument is bounded without anyone remembering to. A refusal names the argument path, the bound
// and what to do, with the code BAD_USER_INPUT.
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  type OperationDefinitionNode,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
  valueFromASTUntyped,
} from "graphql";

export interface InputBounds {
  /** The most characters a string may have. */
  maxLength?: number;
  /** The most items a list may have. */
  maxItems?: number;
  /** The most bytes a JSON value may take, written as JSON. */
  maxBytes?: number;
  /** The most levels a JSON value may nest. */
  maxDepth?: number;
}

/** The bounds of an input that declares none. */
export const DEFAULT_INPUT_BOUNDS = {
  /** Names, kinds, sources, summaries: a thousand characters is far beyond any real one. */
  maxLength: 1000,
  /** IDs and cursors are short; 200 leaves room for any we give out. */
  idMaxLength: 200,
  maxItems: 100,
  maxBytes: 32 * 1024,
  maxDepth: 16,
} as const;

/** Spread into an argument's or input field's options to declare bounds other than the defaults. */
export function bounded(bounds: InputBounds): { extensions: { inputBounds: InputBounds } } {
  return { extensions: { inputBounds: bounds } };
}

const JSON_SCALARS = new Set(["JSON", "JSONObject"]);

interface Position {
  /** "Query.nodes": the field whose argument this is. */
  field: string;
  argument: string;
  /** The path into the argument's value: ["input", "identities", 0, "value"]. */
  path: Array<string | number>;
}

function refuse(position: Position, problem: string, advice: string, max?: number): GraphQLError {
  return new GraphQLError(`${position.path.join(".")} ${problem}: ${advice}`, {
    extensions: {
      code: "BAD_USER_INPUT",
      field: position.field,
      argument: position.argument,
      path: position.path,
      ...(max !== undefined && { max }),
    },
  });
}

/**
 * The first input of the operation that breaks its bounds, as a GraphQL error; null when every one
 * holds. `variables` are the raw values the client sent, before graphql coerces them.
 */
export function checkInputBounds(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): GraphQLError | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION) {
      if (operationName ? definition.name?.value === operationName : !operation) operation = definition;
    }
  }
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return null;
  const visited = new Set<string>();
  try {
    checkSelections(schema, operation.selectionSet, root.name, fragments, visited, variables ?? {});
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  return null;
}

function checkSelections(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  typeName: string,
  fragments: Map<string, FragmentDefinitionNode>,
  visited: Set<string>,
  variables: Record<string, unknown>,
): void {
  const parent = schema.getType(typeName);
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      if (!fragment || visited.has(fragment.name.value)) continue;
      visited.add(fragment.name.value);
      const on = fragment.typeCondition.name.value;
      checkSelections(schema, fragment.selectionSet, on, fragments, visited, variables);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition?.name.value ?? typeName;
      checkSelections(schema, selection.selectionSet, on, fragments, visited, variables);
    } else {
      const name = selection.name.value;
      const field: GraphQLField<unknown, unknown> | undefined =
        name === "__type"
          ? TypeMetaFieldDef
          : name === "__schema"
            ? SchemaMetaFieldDef
            : parent && "getFields" in parent && !isInputObjectType(parent)
              ? parent.getFields()[name]
              : undefined;
      // An unknown field fails validation; nothing to bound.
      if (!field) continue;
      for (const argument of selection.arguments ?? []) {
        const definition = field.args.find((arg) => arg.name === argument.name.value);
        if (!definition) continue;
        const value = valueFromASTUntyped(argument.value, variables);
        const position = { field: `${typeName}.${name}`, argument: definition.name, path: [definition.name] };
        checkValue(value, definition.type, boundsOf(definition.extensions), position);
      }
      const named = getNamedType(field.type);
      if (selection.selectionSet && !isScalarType(named)) {
        checkSelections(schema, selection.selectionSet, named.name, fragments, visited, variables);
      }
    }
  }
}

function boundsOf(extensions: Readonly<Record<string, unknown>> | null | undefined): InputBounds {
  return (extensions?.inputBounds as InputBounds | undefined) ?? {};
}

function checkValue(value: unknown, type: GraphQLInputType, bounds: InputBounds, at: Position): void {
  if (value == null) return;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    // A single value where a list is expected is coerced to a list of one.
    if (!Array.isArray(value)) {
      checkValue(value, inner.ofType, bounds, at);
      return;
    }
    const max = bounds.maxItems ?? DEFAULT_INPUT_BOUNDS.maxItems;
    if (value.length > max) {
      throw refuse(
        at,
        `holds ${value.length} items; at most ${max} are allowed`,
        "send fewer, in several requests if you need them all.",
        max,
      );
    }
    value.forEach((item, index) => {
      checkValue(item, inner.ofType, bounds, { ...at, path: [...at.path, index] });
    });
    return;
  }
  if (isInputObjectType(inner)) {
    if (typeof value !== "object" || Array.isArray(value)) return;
    const record = value as Record<string, unknown>;
    for (const field of Object.values(inner.getFields())) {
      if (!(field.name in record)) continue;
      const path = [...at.path, field.name];
      checkValue(record[field.name], field.type, boundsOf(field.extensions), { ...at, path });
    }
    return;
  }
  if (!isScalarType(inner)) return;
  if (JSON_SCALARS.has(inner.name)) {
    checkJson(value, bounds, at);
    return;
  }
  if (typeof value === "string") {
    const max =
      bounds.maxLength ??
      (inner.name === "ID" ? DEFAULT_INPUT_BOUNDS.idMaxLength : DEFAULT_INPUT_BOUNDS.maxLength);
    checkString(value, max, at);
  }
}

function checkString(value: string, max: number, at: Position): void {
  if (value.length > max) {
    throw refuse(at, `is ${value.length} characters long; at most ${max} are allowed`, "shorten it.", max);
  }
  if (value.includes("\u0000")) {
    throw refuse(at, "contains a NUL character (\\u0000)", "remove it; no text the hub stores may hold one.");
  }
}

/**
 * The size and depth of a JSON value, walked without recursion and abandoned as soon as either bound
 * is crossed, so a 10 MB or 5,000-level value costs no more than a small one.
 */
function checkJson(value: unknown, bounds: InputBounds, at: Position): void {
  const maxBytes = bounds.maxBytes ?? DEFAULT_INPUT_BOUNDS.maxBytes;
  const maxDepth = bounds.maxDepth ?? DEFAULT_INPUT_BOUNDS.maxDepth;
  const tooLarge = () =>
    refuse(
      at,
      `is larger than ${maxBytes} bytes as JSON; at most ${maxBytes} are allowed`,
      "send less, or keep large documents elsewhere and send a link.",
      maxBytes,
    );
  let bytes = 0;
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: item, depth } = next;
    if (typeof item === "string") {
      if (item.includes("\u0000")) {
        throw refuse(
          at,
          "contains a NUL character (\\u0000)",
          "remove it; no text the hub stores may hold one.",
        );
      }
      bytes += item.length + 2;
    } else if (item !== null && typeof item === "object") {
      if (depth >= maxDepth) {
        throw refuse(
          at,
          `is nested more than ${maxDepth} levels deep; at most ${maxDepth} are allowed`,
          "flatten it.",
          maxDepth,
        );
      }
      bytes += 2;
      if (Array.isArray(item)) for (const element of item) pending.push({ value: element, depth: depth + 1 });
      else {
        for (const [key, element] of Object.entries(item)) {
          if (key.includes("\u0000")) {
            throw refuse(
              at,
              "has a key with a NUL character (\\u0000)",
              "remove it; no text the hub stores may hold one.",
            );
          }
          bytes += key.length + 3;
          pending.push({ value: element, depth: depth + 1 });
        }
      }
    } else bytes += String(item).length + 1;
    if (bytes > maxBytes) throw tooLarge();
  }
}
