// `/ready`: 200 while the database answers, and what `check` answers instead when it does not.
// yoga's own useReadinessCheck does the same, but it matches each request's URL against a URLPattern
// once its cheaper tests fail, which is on every request but /ready's: 4.2% of the hub's busy time
// under `{ __typename }` load (issue 15). The endpoint is one fixed path, so its path is compared.
import type { Plugin } from "graphql-yoga";

export function useReadinessEndpoint({
  endpoint,
  check,
}: {
  endpoint: string;
  /** True when ready; otherwise the response to send. */
  check: () => Promise<true | Response>;
}): Plugin {
  return {
    onRequest({ url, fetchAPI, endResponse }) {
      if (url.pathname !== endpoint) return;
      return check().then((ready) =>
        endResponse(ready === true ? new fetchAPI.Response(null, { status: 200 }) : ready),
      );
    },
  };
}
