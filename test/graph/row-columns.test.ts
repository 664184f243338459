// The columns a selection reads of the page statement's rows (src/graph/row-columns.ts): through
// aliases, fragments, inline fragments and @skip/@include with variables; every column whenever the
// mapping is not sure; and a mapping that lists every field of the row types, so that a field added
// to one of them fails here until it says what it reads.
import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLObjectType,
  type GraphQLResolveInfo,
  Kind,
  type OperationDefinitionNode,
  parse,
} from "graphql";
import { describe, expect, test } from "vitest";
import {
  ALWAYS,
  connectionColumns,
  customerColumns,
  ROW_TYPES,
  timelineColumns,
} from "../../src/graph/row-columns.ts";
import { graphSchema } from "../../src/graph/schema.ts";

/** What the resolver of the document's one root field is handed, as far as row-columns reads it. */
function infoOf(document: string, variableValues: Record<string, unknown> = {}): GraphQLResolveInfo {
  const parsed = parse(document);
  const operation = parsed.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const fragments = Object.fromEntries(
    parsed.definitions
      .filter(
        (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
      )
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const fieldNodes = (operation?.selectionSet.selections ?? []).filter(
    (selection): selection is FieldNode => selection.kind === Kind.FIELD,
  );
  return { fieldNodes, fragments, variableValues } as unknown as GraphQLResolveInfo;
}

const list = (node: string, fragments = "", variables?: Record<string, unknown>) =>
  connectionColumns(
    infoOf(`query Q($yes: Boolean!) { customers { edges { node { ${node} } } } } ${fragments}`, variables),
  );

describe("the columns a selection reads", () => {
  test("the list page's: the customer's, its owner's, identities' and interactions' few", () => {
    const columns = list(`id displayName lifecycleStage lastSeenAt owner { id name }
      identities { kind namespace value }
      latestInteraction: interactions(first: 1) { edges { node { channel kind occurredAt summary } } }`);
    expect(columns).toEqual({
      customer: [...ALWAYS.customer, "displayName", "lifecycleStage", "lastSeenAt"],
      owner: ["name"],
      identities: [...ALWAYS.identities, "kind", "namespace", "value"],
      interactions: [...ALWAYS.interactions, "channel", "kind", "occurredAt", "summary"],
    });
  });

  test("through aliases, named fragments and inline fragments on the row's own type", () => {
    const columns = list(
      `name: displayName ...Seen ... on Customer { again: traits identities { ...Identity } }`,
      `fragment Seen on Customer { firstSeenAt ... on Customer { createdAt } }
       fragment Identity on Identity { handle: value }`,
    );
    expect(columns.customer).toEqual([
      ...ALWAYS.customer,
      "displayName",
      "firstSeenAt",
      "createdAt",
      "traits",
    ]);
    // A masked value is masked by its kind.
    expect(columns.identities).toEqual([...ALWAYS.identities, "value", "kind"]);
  });

  test("leave out what @skip and @include leave out, by the request's variables", () => {
    const selection = `displayName traits @skip(if: $yes) createdAt @include(if: $yes)
      ... on Customer @include(if: $yes) { firstSeenAt }`;
    expect(list(selection, "", { yes: true }).customer).toEqual([
      ...ALWAYS.customer,
      "displayName",
      "createdAt",
      "firstSeenAt",
    ]);
    expect(list(selection, "", { yes: false }).customer).toEqual([
      ...ALWAYS.customer,
      "displayName",
      "traits",
    ]);
  });

  test("are every column where the mapping is not sure", () => {
    // An interface's fragment, a field the mapping does not know, a connection field it does not know.
    expect(list("displayName ... on Node { id }")).toEqual({});
    expect(list("displayName newField")).toEqual({});
    expect(connectionColumns(infoOf("{ customers { nodes { id } } }"))).toEqual({});
    expect(connectionColumns(infoOf("{ customers { ... on CustomerConnection { totalCount } } }"))).toEqual(
      {},
    );
    // Within a relation, only that relation's rows are read whole.
    const columns = list(`displayName identities { kind ... on Node { id } } owner { name newField }
      interactions(first: 5) { edges { node { kind } } mystery }`);
    expect(columns).toEqual({ customer: [...ALWAYS.customer, "displayName"] });
  });

  test("of the customer query: its own selection", () => {
    const info = infoOf(
      `{ customer(id: "x") { traits feedback(first: 5) { totalCount edges { cursor node { measure } } } } }`,
    );
    expect(customerColumns(info)).toEqual({
      customer: [...ALWAYS.customer, "traits"],
      feedback: [...ALWAYS.feedback, "kind"],
    });
  });
});

describe("the columns of the timeline's entries", () => {
  const timelineOf = (entry: string, fragments = "", variables?: Record<string, unknown>) =>
    customerColumns(
      infoOf(
        `query Q($yes: Boolean!) { customer(id: "x") { id timeline(first: 20) { pageInfo { hasNextPage endCursor }
           edges { cursor node { ${entry} } } } } } ${fragments}`,
        variables,
      ),
    );

  test("are what each side's fragments select, with its time and owner's key", () => {
    const columns = timelineOf(
      `__typename ... on Interaction { id channel kind amount { amount currency } } ...Answer`,
      "fragment Answer on Feedback { measure score comment @skip(if: $yes) }",
      { yes: true },
    );
    expect(columns).toEqual({
      customer: [...ALWAYS.customer],
      timelineInteractions: [...ALWAYS.timelineInteractions, "channel", "kind", "amount", "currency"],
      timelineFeedback: [...ALWAYS.timelineFeedback, "kind", "score"],
    });
  });

  test("are every column of a side no fragment selects, and of both where the mapping is not sure", () => {
    expect(timelineOf("... on Interaction { summary }")).toEqual({
      customer: [...ALWAYS.customer],
      timelineInteractions: [...ALWAYS.timelineInteractions, "summary"],
    });
    // A fragment on the union, on an interface, a field on the union: both sides whole, the customer narrow.
    for (const entry of [
      "... on Interaction { summary } ... on TimelineEntry { __typename }",
      "... on Interaction { summary } ... on Node { id }",
      "... on Interaction { summary } ... { __typename }",
      "... on Interaction { summary } mystery",
    ]) {
      expect(timelineOf(entry), entry).toEqual({ customer: [...ALWAYS.customer] });
    }
  });

  test("of the timeline's own read: its selection", () => {
    const info = infoOf(
      `{ timeline(first: 5) { edges { node { ... on Feedback { comment } ... on Interaction { body } } } } }`,
    );
    expect(timelineColumns(info)).toEqual({
      interactions: [...ALWAYS.timelineInteractions, "body"],
      feedback: [...ALWAYS.timelineFeedback, "comment"],
    });
    expect(
      timelineColumns(infoOf(`{ timeline(first: 5) { totalCount edges { node { ... on Node { id } } } } }`)),
    ).toEqual({
      interactions: undefined,
      feedback: undefined,
    });
  });
});

describe("the mapping of each row type", () => {
  test("lists every field of the type, and nothing else", () => {
    const schema = graphSchema();
    for (const { type, fields } of Object.values(ROW_TYPES)) {
      const objectType = schema.getType(type);
      if (!(objectType instanceof GraphQLObjectType))
        throw new Error(`the schema has no ${type} object type`);
      expect(Object.keys(fields).sort(), type).toEqual(
        ["__typename", ...Object.keys(objectType.getFields())].sort(),
      );
    }
  });
});
