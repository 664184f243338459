// GraphiQL as the hub serves it: the page with its CSS, script and editor workers inside it, from
// @graphql-yoga/render-graphiql, instead of yoga's default page that fetches them from a CDN (offline,
// or behind a firewall, that page stays blank at "Loading…"). The page is about 9 MB before
// compression and the same for every request with the same options, so it is built once, and its
// package is loaded only when someone first opens GraphiQL: start-up and API-only servers skip it.
import type { GraphiQLOptions } from "graphql-yoga";

/** What a newcomer sees in the headers editor: where their key goes. */
export const GRAPHIQL_HEADERS_TEMPLATE = JSON.stringify(
  { Authorization: "Bearer cxh_paste-your-API-key-here" },
  null,
  2,
);

/** GraphiQL's options for the hub: the title, an example query, and the headers editor open. */
export function hubGraphiQLOptions(defaultQuery: string): GraphiQLOptions {
  return {
    title: "CX Hub",
    defaultQuery,
    headers: GRAPHIQL_HEADERS_TEMPLATE,
    defaultEditorToolsVisibility: "headers",
  };
}

const pages = new Map<string, Promise<string>>();

/** yoga's renderGraphiQL option: the self-contained page, built once per set of options. */
export function renderSelfContainedGraphiQL(options: GraphiQLOptions): Promise<string> {
  const cacheKey = JSON.stringify(options);
  let page = pages.get(cacheKey);
  if (page === undefined) {
    page = import("@graphql-yoga/render-graphiql").then(({ renderGraphiQL }) => renderGraphiQL(options));
    // A failed load is not kept: the next request tries again.
    page.catch(() => pages.delete(cacheKey));
    pages.set(cacheKey, page);
  }
  return page;
}
