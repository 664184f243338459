// Every error a client receives carries `extensions.code`. graphql-js reports variables that do not
// coerce to their declared type ("Variable "$at" got invalid value …") without one; those are the
// client's mistake, so they get BAD_USER_INPUT and a sentence saying what to do. Errors raised by the
// schema already carry their code (src/graph/errors.ts), and yoga codes parse and validation errors.
import { type ExecutionResult, GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

function withCodes(result: ExecutionResult): ExecutionResult | null {
  if (!result.errors?.some((error) => error.extensions?.code === undefined)) return null;
  return {
    ...result,
    errors: result.errors.map((error) =>
      error.extensions?.code !== undefined || error.path !== undefined
        ? error
        : new GraphQLError(
            `${error.message.replace(/\.?$/, ".")} Send a value of the type the variable declares, as the schema describes it.`,
            {
              nodes: error.nodes,
              source: error.source,
              positions: error.positions,
              originalError: error.originalError,
              extensions: { ...error.extensions, code: "BAD_USER_INPUT" },
            },
          ),
    ),
  };
}

export function useTypedErrors(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (Symbol.asyncIterator in result) return;
        const typed = withCodes(result);
        if (typed) setResult(typed);
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (Symbol.asyncIterator in result) return;
        const typed = withCodes(result);
        if (typed) setResult(typed);
      },
    }),
  };
}
