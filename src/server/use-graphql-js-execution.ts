// Queries and mutations run on graphql-js's own executor rather than yoga's default
// (@graphql-tools/executor). The hub uses neither @defer nor @stream, the one thing that executor
// adds, and its generality costs every field: a closure-built promise helper per field, a resolve
// info and argument object per field whether or not the field takes arguments, and a promise per
// object whose fields are asynchronous (issue 15: 7% of a list request's CPU was the executor's own).
// Subscriptions keep yoga's subscribe: their events run through use-shared-event-execution.ts,
// which executes with graphql-js too.
//
// Compiled execution (graphql-jit 0.8.9, from a document's second run, graphql-js for the rest) was
// measured against this on the list and Customer360 pages (issue 15): 4-9% less CPU per request on
// Node 20, none measurable on Node 24. Pothos wraps every field in a resolver, so the compiled code
// still calls one per field and row with a resolve info. It also needs guards of its own: graphql-jit
// turns a string argument holding its `__MAGIC_DATE__` marker into code that it runs, and a variable
// of a recursive input type stalls its compiler for tens of seconds. Not worth it for that gain.
import { type ExecutionArgs, execute } from "graphql";
import type { Plugin } from "graphql-yoga";

export function useGraphqlJsExecution(): Plugin {
  return {
    onExecute: ({ setExecuteFn }) => setExecuteFn((args: ExecutionArgs) => execute(args)),
  };
}
