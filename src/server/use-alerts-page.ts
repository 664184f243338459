// Serves the alerts page for account managers (src/alerts-page) at /alerts: plain HTML, a stylesheet,
// an icon and two small script modules, no build step. The page itself is public, like GraphiQL: it holds no data until
// its user signs in with an API key, which it sends to /graphql like any client.
import { readFileSync } from "node:fs";
import type { Plugin } from "graphql-yoga";
import { projectPath } from "../project-files.ts";

const FILES: Record<string, { file: string; type: string }> = {
  "/alerts": { file: "index.html", type: "text/html; charset=utf-8" },
  "/alerts/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/alerts/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/alerts/insights.js": { file: "insights.js", type: "text/javascript; charset=utf-8" },
  "/alerts/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
  // The tab's icon: without one the browser asks for /favicon.ico and logs its 404 as an error.
  "/alerts/icon.svg": { file: "icon.svg", type: "image/svg+xml" },
};

// Only this origin's own files, its GraphQL endpoint and WebSocket; no inline script or style.
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

export function useAlertsPage(): Plugin {
  const bodies = new Map(
    Object.entries(FILES).map(([path, { file, type }]) => [
      path,
      { body: readFileSync(projectPath("src", "alerts-page", file), "utf8"), type },
    ]),
  );
  return {
    onRequest({ request, url, endResponse }) {
      const page = bodies.get(url.pathname);
      if (!page || (request.method !== "GET" && request.method !== "HEAD")) return;
      endResponse(
        new Response(request.method === "HEAD" ? null : page.body, {
          status: 200,
          headers: { "content-type": page.type, ...SECURITY_HEADERS },
        }),
      );
    },
  };
}
