// Which operations measure the same whatever their variables: those without a field whose cost is a
// function of its arguments. The server keeps such an operation's passing measure per document
// (use-operation-limits.ts); one whose cost reads its variables is measured with every request's own.
import { parse } from "graphql";
import { describe, expect, test } from "vitest";
import { costReadsVariables } from "../../src/graph/operation-cost.ts";
import { graphSchema } from "../../src/graph/schema.ts";

const schema = graphSchema();
const reads = (query: string, operationName?: string) =>
  costReadsVariables(schema, parse(query), operationName);

describe("an operation's cost", () => {
  test("reads no variables when every field it selects has a constant cost", () => {
    expect(
      reads("mutation ($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { __typename } }"),
    ).toBe(false);
  });

  test("reads the variables through a connection's page size, however deep and through fragments", () => {
    expect(reads("query ($n: Int) { customers(first: $n) { totalCount } }")).toBe(true);
    expect(reads("{ customers(first: 5) { totalCount } }")).toBe(true);
    expect(
      reads(`query ($n: Int) { node(id: "x") { ...C } }
        fragment C on Customer { interactions(first: $n) { totalCount } }`),
    ).toBe(true);
    expect(
      reads(
        `query ($n: Int) { node(id: "x") { ... on Customer { interactions(first: $n) { totalCount } } } }`,
      ),
    ).toBe(true);
  });

  test("is the chosen operation's, not the document's first", () => {
    const document = `query Page($n: Int) { customers(first: $n) { totalCount } }
      mutation Answer($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { __typename } }`;
    expect(reads(document, "Answer")).toBe(false);
    expect(reads(document, "Page")).toBe(true);
  });
});
