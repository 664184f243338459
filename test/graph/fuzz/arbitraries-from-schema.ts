// fast-check arbitraries for the arguments of any field, generated from the schema's input types:
// ordinary values, boundary values (empty, negative, huge, year 0) and hostile ones (NUL bytes,
// LIKE wildcards, megabyte strings, deep JSON, forged global IDs, lists of thousands). A new field
// or argument is fuzzed without anyone writing a generator for it.
import fc from "fast-check";
import {
  type GraphQLArgument,
  type GraphQLInputType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from "graphql";

/** Values a test wants some IDs to name: real objects of the test's database. */
export interface FuzzContext {
  knownIds: string[];
}

const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString("base64");

const hostileStrings = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "%",
  "_%_%_%_%_%_%_%_%",
  "\\",
  '\'; DROP TABLE "Customer"; --',
  "🦄👩‍👩‍👧‍👦",
  "\uD800",
  "x".repeat(1001),
  "y".repeat(1024 * 1024),
];

function stringArbitrary(): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
    { arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }), weight: 1 },
    { arbitrary: fc.constantFrom(...hostileStrings), weight: 3 },
  );
}

function idArbitrary(context: FuzzContext): fc.Arbitrary<string> {
  const typenames = fc.constantFrom("Customer", "Interaction", "Principal", "Journey", "Alert", "Nope");
  return fc.oneof(
    fc.tuple(typenames, fc.uuid()).map(([typename, id]) => globalId(typename, id)),
    fc.tuple(typenames, fc.string({ maxLength: 10 })).map(([typename, id]) => globalId(typename, id)),
    ...(context.knownIds.length > 0 ? [fc.constantFrom(...context.knownIds)] : []),
    fc.constantFrom("", "not-base64!", "Q3VzdG9tZXI6", "\u0000", "z".repeat(10_000)),
  );
}

function deepJson(levels: number): unknown {
  let value: unknown = {};
  for (let level = 0; level < levels; level++) value = { a: value };
  return value;
}

function jsonArbitrary(objectsOnly: boolean): fc.Arbitrary<unknown> {
  const hostile = [deepJson(40), { big: "j".repeat(100_000) }, { "\u0000": 1 }, { text: "a\u0000" }];
  const values = fc.oneof(
    {
      arbitrary: objectsOnly
        ? fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }))
        : fc.jsonValue({ maxDepth: 4 }),
      weight: 3,
    },
    { arbitrary: fc.constantFrom(...hostile), weight: 1 },
  );
  return objectsOnly ? values : fc.oneof(values, fc.constantFrom(null, 1, "text", [1, [2]]));
}

function scalarArbitrary(name: string, context: FuzzContext): fc.Arbitrary<unknown> {
  switch (name) {
    case "String":
      return stringArbitrary();
    case "ID":
      return idArbitrary(context);
    case "Int":
      return fc.oneof(
        fc.integer({ min: -5, max: 150 }),
        fc.constantFrom(-1, 0, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, Number.MAX_SAFE_INTEGER, 1.5),
      );
    case "Float":
      return fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(-1, 0, 1, 1e308, -0),
      );
    case "Boolean":
      return fc.boolean();
    case "DateTime":
      return fc.oneof(
        fc
          .date({
            min: new Date("1800-01-01T00:00:00Z"),
            max: new Date("2200-01-01T00:00:00Z"),
            noInvalidDate: true,
          })
          .map((date) => date.toISOString()),
        fc.constantFrom(
          "0000-01-01T00:00:00Z",
          "9999-12-31T23:59:59Z",
          "2026-02-30T00:00:00Z",
          "yesterday",
          "",
        ),
      );
    case "Decimal":
      return fc.oneof(
        fc.constantFrom("19.99", "0", "-1", "1e999", "99999999999999999999999999.999", "", "1.2.3"),
        fc.integer().map(String),
      );
    case "JSON":
      return jsonArbitrary(false);
    case "JSONObject":
      return jsonArbitrary(true);
    default:
      return fc.oneof(stringArbitrary(), fc.integer());
  }
}

/** Values of an input type, nullable where it is. */
export function inputArbitrary(
  type: GraphQLInputType,
  context: FuzzContext,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return valueArbitrary(type.ofType, context, depth);
  return fc.option(valueArbitrary(type, context, depth), { nil: null, freq: 4 });
}

/** Values of a type that is not wrapped in NonNull (null is decided by the caller). */
function valueArbitrary(inner: GraphQLInputType, context: FuzzContext, depth: number): fc.Arbitrary<unknown> {
  if (isListType(inner)) {
    const item = inputArbitrary(inner.ofType, context, depth + 1);
    return fc.oneof(
      { arbitrary: fc.array(item, { maxLength: 4 }), weight: 4 },
      {
        arbitrary: fc.integer({ min: 101, max: 5000 }).map((length) => Array.from({ length }, () => null)),
        weight: 1,
      },
    );
  }
  if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields());
    // Past a few levels, recursive input types get their required fields only.
    const chosen = depth > 3 ? fields.filter((field) => isNonNullType(field.type)) : fields;
    return fc.record(
      Object.fromEntries(chosen.map((field) => [field.name, inputArbitrary(field.type, context, depth + 1)])),
      { requiredKeys: chosen.filter((field) => isNonNullType(field.type)).map((field) => field.name) },
    );
  }
  if (isEnumType(inner)) {
    return fc.oneof(
      { arbitrary: fc.constantFrom(...inner.getValues().map((value) => value.name)), weight: 5 },
      { arbitrary: fc.constantFrom("NOT_A_VALUE", ""), weight: 1 },
    );
  }
  if (isScalarType(inner)) return scalarArbitrary(inner.name, context);
  throw new Error(`No arbitrary for the input type ${String(inner)}.`);
}

/** The variables of a field's arguments: each argument present, absent or null as its type allows. */
export function argumentsArbitrary(args: readonly GraphQLArgument[], context: FuzzContext) {
  return fc.record(Object.fromEntries(args.map((arg) => [arg.name, inputArbitrary(arg.type, context)])), {
    requiredKeys: args.filter((arg) => isNonNullType(arg.type)).map((arg) => arg.name),
  });
}
