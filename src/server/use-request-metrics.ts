// Times every GraphQL HTTP request, from its arrival to its response, by operation name and status:
// cxhub_graphql_request_duration_seconds. The name is the operation that ran (as the document names
// it, when the request does not say), "anonymous" for an unnamed one, "batched" for a batch. Names
// are the client's to choose, so the label is bounded: the first 100 distinct names are kept, later
// ones count as "other", and a name that is not a GraphQL name counts as "invalid".
import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { HubMetrics } from "../metrics/hub-metrics.ts";

const MAX_OPERATION_NAMES = 100;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

interface Timing {
  startedAt: number;
  operation: string;
  operations: number;
}

export function useRequestMetrics({
  metrics,
  graphqlEndpoint,
}: {
  metrics: HubMetrics;
  graphqlEndpoint: string;
}): Plugin {
  const timings = new WeakMap<Request, Timing>();
  const known = new Set<string>();
  const label = (name: string | null | undefined): string => {
    if (!name) return "anonymous";
    if (!GRAPHQL_NAME.test(name)) return "invalid";
    if (!known.has(name) && known.size >= MAX_OPERATION_NAMES) return "other";
    known.add(name);
    return name;
  };
  const named = (request: Request | undefined, name: string | null | undefined) => {
    const timing = request && timings.get(request);
    if (timing) timing.operation = timing.operations > 1 ? "batched" : label(name);
  };
  return {
    onRequest({ request, url }) {
      if (url.pathname === graphqlEndpoint)
        timings.set(request, { startedAt: performance.now(), operation: "anonymous", operations: 0 });
    },
    onParams({ params, request }) {
      const timing = timings.get(request);
      if (timing) timing.operations += 1;
      named(request, params.operationName);
    },
    // The document's own name, for clients that send a named operation without operationName.
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      named(request, getOperationAST(args.document, args.operationName)?.name?.value ?? args.operationName);
    },
    onSubscribe({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      named(request, getOperationAST(args.document, args.operationName)?.name?.value ?? args.operationName);
    },
    onResponse({ request, response }) {
      const timing = timings.get(request);
      if (!timing) return;
      timings.delete(request);
      metrics.requestDuration.observe(
        { operation: timing.operation, status: String(response.status) },
        (performance.now() - timing.startedAt) / 1000,
      );
    },
  };
}
