// Refuses an operation whose inputs break their bounds (src/graph/input-bounds.ts) or whose shape is
// over the depth, breadth or complexity limit (src/graph/operation-cost.ts) before anything runs:
// queries and mutations at execute, subscriptions at subscribe — over HTTP, server-sent events and
// graphql-ws alike, since all three run through yoga's envelope. The refusal is the operation's
// result, so a WebSocket stays open and only the refused subscription ends.
import { type ExecutionArgs, GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { checkInputBounds } from "../graph/input-bounds.ts";
import { checkOperationCost } from "../graph/operation-cost.ts";

function refusalOf(args: ExecutionArgs): GraphQLError | null {
  const variables = args.variableValues as Record<string, unknown> | null | undefined;
  return (
    checkInputBounds(args.schema, args.document, args.operationName, variables) ??
    checkOperationCost(args.schema, args.document, args.operationName, variables, args.contextValue as object)
  );
}

/** The most tokens one document may hold: far beyond any real operation, and parsed in milliseconds. */
export const MAX_DOCUMENT_TOKENS = 10_000;

function documentTooDeep(): GraphQLError {
  return new GraphQLError(
    "The document nests too deeply to read: nest selections and input values less (a few levels are all any field needs).",
    { extensions: { code: "GRAPHQL_PARSE_FAILED" } },
  );
}

export function useOperationLimits(): Plugin {
  return {
    // graphql's parser recurses once per level of nesting: thousands of levels of `{` or `[` overflow
    // the stack. The token limit bounds its work; a stack overflow within it is still the client's
    // document, refused as such rather than masked as a bug.
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, { ...options, maxTokens: MAX_DOCUMENT_TOKENS });
        } catch (error) {
          if (error instanceof RangeError) throw documentTooDeep();
          throw error;
        }
      });
    },
    onExecute({ args, setResultAndStopExecution }) {
      const refusal = refusalOf(args);
      if (refusal) setResultAndStopExecution({ data: null, errors: [refusal] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refusal = refusalOf(args);
      if (refusal) setResultAndStopExecution({ errors: [refusal] });
    },
  };
}
