import { afterEach, describe, expect, inject } from "vitest";
import { GRAPHIQL_HEADERS_TEMPLATE } from "../../src/server/graphiql-page.ts";
import { createKey, type LiveHub, startLiveHub } from "../alerts/helpers/live-hub.ts";
import { openBrowser } from "../helpers/browser.ts";
import { test } from "../helpers/database.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(inject("databaseKind") !== "postgres")("GraphiQL", () => {
  test("renders from the hub alone, loads the schema and runs a query with an API key", {
    timeout: 120_000,
  }, async ({ db }) => {
    const hub: LiveHub = await startLiveHub(db);
    cleanups.push(() => hub.close());
    await db.prisma.customer.create({ data: { displayName: "Zoe Offline", lastSeenAt: new Date() } });
    const { key } = await createKey(db, "ADMIN");

    const { page, problems, close } = await openBrowser();
    cleanups.push(close);
    // The internet is gone: anything not served by the hub fails, as it would offline.
    const elsewhere: string[] = [];
    const fromHub: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${hub.url}/`)) {
        fromHub.push(url);
        return route.continue();
      }
      elsewhere.push(url);
      return route.abort();
    });

    await page.goto(`${hub.url}/graphql`);
    expect(await page.title()).toBe("CX Hub");
    const run = page.getByRole("button", { name: "Execute query (Ctrl-Enter)" });
    await run.waitFor({ timeout: 60_000 });

    // The headers editor is open and shows where the key goes.
    const headers = page.locator(".graphiql-editor-tool .monaco-editor").last();
    // Monaco draws indentation with no-break spaces.
    const shown = (await headers.locator(".view-lines").innerText()).replaceAll("\u00a0", " ");
    expect(JSON.parse(shown)).toEqual(JSON.parse(GRAPHIQL_HEADERS_TEMPLATE));
    await headers.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${key}` }));
    // The editor closes brackets and quotes as they are typed: drop what it added after the caret.
    await page.keyboard.press("Shift+Control+End");
    await page.keyboard.press("Delete");

    await page.getByRole("button", { name: /Re-fetch GraphQL schema/ }).click();
    await run.click();
    const response = page.locator(".graphiql-response");
    await response.getByText("Zoe Offline").waitFor({ timeout: 30_000 });
    expect((await response.innerText()).replaceAll("\u00a0", " ")).toMatch(/"totalCount": 1,/);

    // The schema came by introspection with the key: the documentation explorer lists the API's types.
    await page.getByRole("button", { name: "Show Documentation Explorer" }).click();
    const docs = page.locator(".graphiql-doc-explorer");
    await docs.getByText("query: Query").waitFor();
    await docs.getByText("CustomerConnection", { exact: true }).waitFor();

    expect(elsewhere).toEqual([]);
    expect(fromHub.filter((url) => url.endsWith("/graphql")).length).toBeGreaterThan(1);
    // GraphiQL introspects as it opens, before a key is pasted: the hub's 401 answers are expected.
    const beforeTheKey = "console: Failed to load resource: the server responded with a status of 401 ()";
    expect(problems.filter((problem) => problem !== beforeTheKey)).toEqual([]);
  });
});
