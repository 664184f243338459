// Drives one server with autocannon: a fixed number of connections for a fixed time, each request's
// body taken in turn from a list (one body, or one per customer), every response checked for GraphQL
// errors so that a fast wrong answer never counts as a fast answer.
import autocannon from "autocannon";

export interface LoadOptions {
  url: string;
  apiKey: string;
  bodies: string[];
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  transportErrors: number;
  /** 2xx responses whose body carries `errors`. */
  graphqlErrors: number;
  firstBadBody: string | null;
}

/** Requests of a run that failed: non-2xx answers, transport errors, and 2xx answers with GraphQL errors. */
export const failedRequests = (result: LoadResult) =>
  result.non2xx + result.transportErrors + result.graphqlErrors;

export async function driveLoad(options: LoadOptions): Promise<LoadResult> {
  let next = 0;
  let graphqlErrors = 0;
  let firstBadBody: string | null = null;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 30,
    requests: [
      {
        method: "POST",
        headers: { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" },
        // Shared by all connections, so the customers rotate across the whole run.
        setupRequest: (request) => {
          const body = options.bodies[next++ % options.bodies.length];
          return { ...request, body };
        },
        onResponse: (status, body) => {
          if (status >= 200 && status < 300 && body.includes('"errors":')) {
            graphqlErrors++;
            firstBadBody ??= body.slice(0, 500);
          } else if (status >= 300) {
            firstBadBody ??= `${status}: ${body.slice(0, 500)}`;
          }
        },
      },
    ],
  });
  const requests = result.latency.totalCount ?? result["2xx"] + result.non2xx;
  return {
    requests,
    requestsPerSecond: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    transportErrors: result.errors + result.timeouts,
    graphqlErrors,
    firstBadBody,
  };
}
