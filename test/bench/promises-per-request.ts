// A diagnostic, not part of `npm run bench`: how many promises the compiled hub creates per request of
// the PostGraphile comparison's pages, and where it creates them. Each promise costs CPU, and on Node
// 20 and 22 more (AsyncLocalStorage turns on promise hooks: src/logger.ts); a field answered with a
// promise also makes graphql-js gather its parent's fields through Promise.all (issue 15).
//
//   npx tsx test/bench/promises-per-request.ts [list|360] [requests]
//
// It runs on the bench's database (BENCH_DATABASE_URL, postgresql://postgres@127.0.0.1:5432/cxhub_bench
// by default, made by `npm run bench -- --only peer`), sends 50 requests to warm up, then counts over
// `requests` (100) sent one at a time, and prints the promises per request and the sites that made the
// most, source-mapped to the project's files.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { SourceMap } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createBenchApiKeys } from "./bench-api-key.ts";
import { ensureCompiled, HUB_ENTRY, startChildServer, stopAllChildServers } from "./child-servers.ts";
import { buildPeerScenarios } from "./peer-queries.ts";

const [kind = "360", requestsArg = "100"] = process.argv.slice(2);
if (kind !== "list" && kind !== "360") throw new Error(`Give list or 360, not ${kind}.`);
const requests = Number(requestsArg);
if (!Number.isSafeInteger(requests) || requests < 1)
  throw new Error(`Give a number of requests, not ${requestsArg}.`);
const url = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/cxhub_bench";
const WARM_UP = 50;
const SHOWN_SITES = 25;

/** The source map beside a compiled file (the build writes one for each), read once. */
const sourceMaps = new Map<string, SourceMap | null>();
function sourceMapOf(file: string): SourceMap | null {
  let map = sourceMaps.get(file);
  if (map === undefined) {
    map = existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8"))) : null;
    sourceMaps.set(file, map);
  }
  return map;
}

const client = new pg.Client({ connectionString: url });
await client.connect();
const scenario = (await buildPeerScenarios(client)).find((s) => s.kind === kind);
await client.end();
if (!scenario) throw new Error(`The peer scenarios have no ${kind} page.`);
const keys = await createBenchApiKeys(url);
const folder = mkdtempSync(path.join(tmpdir(), "cxhub-promises-"));
const countFile = path.join(folder, "counts.json");
try {
  await ensureCompiled();
  const hub = await startChildServer({
    name: "hub",
    entry: HUB_ENTRY,
    compiled: true,
    env: { DATABASE_URL: url, PORT: "0", LOG_LEVEL: "warn", PROMISE_COUNT_FILE: countFile },
    preload: [fileURLToPath(new URL("./promise-count-preload.ts", import.meta.url))],
    readyLine: /GraphQL and GraphiQL at (http:\/\/\S+\/graphql)/,
  });
  const send = async (body: string) => {
    const response = await fetch(hub.url, {
      method: "POST",
      headers: { authorization: `Bearer ${keys.admin}`, "content-type": "application/json" },
      body,
    });
    const text = await response.text();
    if (response.status !== 200 || text.includes('"errors"'))
      throw new Error(`The hub answered ${response.status}: ${text.slice(0, 300)}`);
  };
  const bodyAt = (i: number) => scenario.bodies[i % scenario.bodies.length] ?? "";
  for (let i = 0; i < WARM_UP; i++) await send(bodyAt(i));
  const signal = () => process.kill(hub.pid, "SIGUSR2");
  signal();
  for (let i = 0; i < requests; i++) await send(bodyAt(i));
  signal();
  let counted: { count: number; sites: Array<[string, number]> } | null = null;
  for (let wait = 0; wait < 50 && !counted; wait++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      counted = JSON.parse(readFileSync(countFile, "utf8"));
    } catch {
      // Not written yet, or not whole yet: read it again in a moment.
    }
  }
  if (!counted) throw new Error("The hub wrote no counts within 5 s of the second signal.");
  const project = `${path.resolve(fileURLToPath(new URL("../..", import.meta.url)))}/`;
  const mapped = (site: string) =>
    site.replace(
      /(?:file:\/\/)?(\/[^\s()]+\.js):(\d+):(\d+)/g,
      (frame, file: string, line: string, column: string) => {
        const entry = sourceMapOf(file)?.findEntry(Number(line) - 1, Number(column) - 1);
        if (!entry || !("originalSource" in entry)) return frame;
        const source = path.resolve(path.dirname(file), entry.originalSource);
        return `${source}:${entry.originalLine + 1}`;
      },
    );
  console.log(
    `${scenario.name}: ${(counted.count / requests).toFixed(1)} promises per request (${requests} requests).`,
  );
  for (const [site, count] of counted.sites.slice(0, SHOWN_SITES)) {
    console.log(`${(count / requests).toFixed(1).padStart(6)}  ${mapped(site).replaceAll(project, "")}`);
  }
} finally {
  await stopAllChildServers();
  rmSync(folder, { recursive: true, force: true });
}
