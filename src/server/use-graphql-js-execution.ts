// Queries and mutations run on graphql-js's own executor rather than yoga's default
// (@graphql-tools/executor). The hub uses neither @defer nor @stream, the one thing that executor
// adds, and its generality costs every field: a closure-built promise helper per field, a resolve
// info and argument object per field whether or not the field takes arguments, and a promise per
// object whose fields are asynchronous (issue 15: 7% of a list request's CPU was the executor's own).
// Subscriptions keep yoga's subscribe: their events run through use-shared-event-execution.ts,
// which executes with graphql-js too.
import { type ExecutionArgs, execute } from "graphql";
import type { Plugin } from "graphql-yoga";

export function useGraphqlJsExecution(): Plugin {
  return {
    onExecute: ({ setExecuteFn }) => setExecuteFn((args: ExecutionArgs) => execute(args)),
  };
}
